//go:build linux || windows

package socket_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// NS-017: Node's blockList option of a client socket (conformance
// blocklist_connect; nodenet had none) — a blocked address fails with
// ERR_IP_BLOCKED before any connect(2); with several addresses to try it is
// skipped and left out of AutoSelectFamilyAttemptedAddresses; an
// IPv4-mapped answer is an address of its own, blocked through its IPv4
// rule.
func TestNS017_ConnectBlockList(t *testing.T) {
	bl := nodenet.NewBlockList()
	if err := bl.AddAddress("127.0.0.1", ""); err != nil {
		t.Fatal(err)
	}
	answers := func(list ...string) socket.LookupFunc {
		return func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
			var out []socket.LookupAddress
			for _, a := range list {
				f := 4
				if nodenet.IsIP(a) == 6 {
					f = 6
				}
				out = append(out, socket.LookupAddress{Address: a, Family: f})
			}
			return out, nil
		}
	}
	l := newLoop(t)
	var single, all error
	var singleHadError bool
	var attempted []string
	accepted, srvPort := 0, 0
	start(t, l, func() {
		var srv *server.Server
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) { accepted++; c.End(nil, nil) }, func(_ *server.Server, port int) {
			srvPort = port
			s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1", BlockList: bl}, func() { t.Error("connected to a blocked address") })
			s.OnError(func(err error) { single = err })
			s.OnClose(func(hadError bool) {
				singleHadError = hadError
				six := nodenet.NewBlockList()
				_ = six.AddAddress("::1", "ipv6")
				var u *socket.Socket
				u, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "dual.test", BlockList: six,
					Lookup: answers("::1", "127.0.0.1")}, func() {
					attempted = u.AutoSelectFamilyAttemptedAddresses()
					u.End(nil, nil)
				})
				u.Resume()
				u.OnClose(func(bool) {
					v, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "all.test", BlockList: bl,
						Lookup: answers("127.0.0.1", "::ffff:127.0.0.1")}, nil)
					v.OnError(func(err error) { all = err })
					v.OnClose(func(bool) { srv.Close(nil) })
				})
			})
		})
	})
	e := nerr(t, single)
	if e.Code != nodenet.CodeIPBlocked || e.Message != "IP(127.0.0.1) is blocked by net.BlockList" || !singleHadError {
		t.Errorf("single: %+v, close hadError %v", e, singleHadError)
	}
	if want := []string{"127.0.0.1:" + itoa(srvPort)}; !reflect.DeepEqual(attempted, want) {
		t.Errorf("attempted %v, want only the address not blocked", attempted)
	}
	var agg *nodenet.AggregateError
	if !errors.As(all, &agg) || len(agg.Errors) != 2 || nodenet.ErrnoCode(all) != nodenet.CodeIPBlocked ||
		agg.Errors[1].Error() != "IP(::ffff:127.0.0.1) is blocked by net.BlockList" {
		t.Errorf("every address blocked: %v", all)
	}
	if accepted != 1 {
		t.Errorf("server accepted %d connections, want 1", accepted)
	}
}
