//go:build linux || windows

package socket_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// NS-013, NS-015: what a connect asks its lookup — Node's lookupAndConnect
// options object: the family and hints options, hints ADDRCONFIG when
// neither is set (not on Windows), all only when it will try every address
// (autoSelectFamily on, no family, no localAddress). Without all, only the
// first answer is used and reported by one 'lookup' (conformance
// lookup_family_option, lookup_autoselect: the LookupFunc had no way to know,
// and every answer got a 'lookup').
func TestNS013_LookupOptions(t *testing.T) {
	addrConfig := socket.HintAddrConfig
	if runtime.GOOS == "windows" {
		addrConfig = 0
	}
	cases := []struct {
		name    string
		o       socket.ConnectOptions
		want    socket.LookupOptions
		lookups int // 'lookup' events for the two answers
	}{
		{"defaults", socket.ConnectOptions{}, socket.LookupOptions{Hints: addrConfig, All: true}, 2},
		{"family4", socket.ConnectOptions{Family: 4}, socket.LookupOptions{Family: 4}, 1},
		{"family6-hints", socket.ConnectOptions{Family: 6, Hints: socket.HintV4Mapped},
			socket.LookupOptions{Family: 6, Hints: socket.HintV4Mapped}, 1},
		{"hints-kept", socket.ConnectOptions{Hints: socket.HintAll | socket.HintV4Mapped},
			socket.LookupOptions{Hints: socket.HintAll | socket.HintV4Mapped, All: true}, 2},
		{"autoselect-off", socket.ConnectOptions{AutoSelectFamily: boolp(false)}, socket.LookupOptions{Hints: addrConfig}, 1},
		{"local-address", socket.ConnectOptions{LocalAddress: "127.0.0.1"}, socket.LookupOptions{Hints: addrConfig}, 1},
		// A custom lookup is given what dns.lookup would refuse, unchecked.
		{"custom-unchecked", socket.ConnectOptions{Family: 5, Hints: 12345}, socket.LookupOptions{Family: 5, Hints: 12345, All: true}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newLoop(t)
			var mu sync.Mutex // the lookup runs on a resolver goroutine
			var asked []socket.LookupOptions
			var lookups []string
			connected := false
			start(t, l, func() {
				var srv *server.Server
				srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(_ *server.Server, port int) {
					o := tc.o
					o.Loop, o.Port, o.Host = l, port, "name.test"
					o.Lookup = func(host string, lo socket.LookupOptions) ([]socket.LookupAddress, error) {
						mu.Lock()
						asked = append(asked, lo)
						mu.Unlock()
						// Twice the same address: happy eyeballs dedupes it.
						return []socket.LookupAddress{{Address: "127.0.0.1", Family: 4}, {Address: "127.0.0.1", Family: 4}}, nil
					}
					s, err := socket.Connect(o, func() { connected = true })
					if err != nil {
						t.Error(err)
						srv.Close(nil)
						return
					}
					s.OnLookup(func(err error, a string, f int, h string) { lookups = append(lookups, a) })
					s.OnConnect(func() { s.End(nil, nil) })
					s.OnClose(func(bool) { srv.Close(nil) })
				})
			})
			mu.Lock()
			defer mu.Unlock()
			if len(asked) != 1 || asked[0] != tc.want {
				t.Fatalf("lookup asked %+v, want %+v", asked, tc.want)
			}
			if len(lookups) != tc.lookups || !connected {
				t.Fatalf("'lookup' events %v (want %d), connected %v", lookups, tc.lookups, connected)
			}
		})
	}
}

// NS-013: family and hints are Node's dns.lookup checks, so they are made
// only when that resolves a name: not for an IP literal, not for a custom
// Lookup (nodenet refused them everywhere).
func TestNS013_FamilyHintsCheckedForDNSOnly(t *testing.T) {
	custom := func(string, socket.LookupOptions) ([]socket.LookupAddress, error) { return nil, nil }
	for _, o := range []socket.ConnectOptions{{Port: 80, Host: "name.test", Family: 5}, {Port: 80, Hints: 12345}} {
		if err := o.Validate(); code(err) != "ERR_INVALID_ARG_VALUE" {
			t.Errorf("%+v: %v, want ERR_INVALID_ARG_VALUE", o, err)
		}
		lit, cust := o, o
		lit.Host, cust.Lookup = "127.0.0.1", custom
		if err := lit.Validate(); err != nil {
			t.Errorf("IP literal: %v", err)
		}
		if err := cust.Validate(); err != nil {
			t.Errorf("custom lookup: %v", err)
		}
	}
}

// NS-013: DefaultLookup answers one address unless every one is asked for,
// as Node's dns.lookup with and without all.
func TestNS013_DefaultLookupAll(t *testing.T) {
	// /etc/hosts has localhost; a dual-stack machine answers both families.
	all, err := socket.DefaultLookup("localhost", socket.LookupOptions{All: true})
	if err != nil || len(all) == 0 {
		t.Fatalf("All: %v, %v", all, err)
	}
	one, err := socket.DefaultLookup("localhost", socket.LookupOptions{})
	if err != nil || len(one) != 1 || one[0] != all[0] {
		t.Fatalf("one: %v, %v (all: %v)", one, err, all)
	}
}
