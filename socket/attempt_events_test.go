//go:build linux || windows

package socket_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// NS-017: Node's connectionAttempt, connectionAttemptFailed and
// connectionAttemptTimeout events (conformance connection_attempts; nodenet
// had none): an unanswered attempt among several times out with
// 'connectionAttemptTimeout' and no failure of its own, then the next
// address connects; a listener that destroys the socket inside
// 'connectionAttempt' stops it there — no connect, no further attempt.
func TestNS017_AttemptEvents(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		port, cleanup := blackhole(t, [4]byte{127, 0, 0, 2}, 0)
		defer cleanup()
		l := newLoop(t)
		var events []string
		rec := func(what string) func(string, int, int) {
			return func(a string, p, f int) { events = append(events, what+" "+a+":"+itoa(p)+"/"+itoa(f)) }
		}
		start(t, l, func() {
			srv, _ := server.New(server.Options{Loop: l}, func(c *socket.Socket) { c.Resume() })
			srv.OnError(func(err error) { t.Errorf("listen: %v", err) })
			_ = srv.Listen(server.ListenOptions{Host: "127.0.0.1", Port: port}, func() {
				s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "example.org",
					AutoSelectFamilyAttemptTimeout: 10 * time.Millisecond,
					Lookup: func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
						return []socket.LookupAddress{{Address: "127.0.0.2", Family: 4}, {Address: "127.0.0.1", Family: 4}}, nil
					}}, nil)
				s.OnConnectionAttempt(rec("attempt"))
				s.OnConnectionAttemptTimeout(rec("timeout"))
				s.OnConnectionAttemptFailed(func(a string, p, f int, err error) { events = append(events, "failed "+a+": "+err.Error()) })
				s.OnConnect(func() { events = append(events, "connect"); s.End(nil, nil) })
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
		p := itoa(port)
		want := "attempt 127.0.0.2:" + p + "/4|timeout 127.0.0.2:" + p + "/4|attempt 127.0.0.1:" + p + "/4|connect"
		if got := strings.Join(events, "|"); got != want {
			t.Fatalf("events\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("destroy-in-attempt", func(t *testing.T) {
		l := newLoop(t)
		var events []string
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) { t.Error("connection made") }, func(_ *server.Server, port int) {
				s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "dual.test", Lookup: dualLookup}, nil)
				s.OnConnectionAttempt(func(a string, _, _ int) {
					events = append(events, "attempt "+a)
					s.Destroy(nil)
				})
				s.OnConnectionAttemptFailed(func(a string, _, _ int, err error) { events = append(events, "failed "+a) })
				s.OnConnect(func() { events = append(events, "connect") })
				s.OnError(func(err error) { events = append(events, "error "+nodenet.ErrnoCode(err)) })
				s.OnClose(func(bool) { events = append(events, "close"); srv.Close(nil) })
			})
		})
		if got := strings.Join(events, "|"); got != "attempt ::1|close" {
			t.Fatalf("events %s, want attempt ::1|close", got)
		}
	})
}
