//go:build linux

package socket_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// TestConnectCallbackPanicDestroysItsSocket: a panic in a listener the
// connect steps run — 'lookup' after the resolver answered, for one
// address and for every address, 'connectionAttempt' on the tick after
// Connect, and on the loop's task for a Connect made from another
// goroutine — destroys the socket with ERR_NODENET_CALLBACK_PANIC ('error'
// then 'close'), as a panic in any other callback does. These steps used to
// be loop tasks and ticks with no owner: the loop logged the panic, and the
// socket stayed connecting (its lookup answered, its attempt never made).
func TestConnectCallbackPanicDestroysItsSocket(t *testing.T) {
	boom := func() { panic(errors.New("user bug")) }
	fixed := func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
		return []socket.LookupAddress{{Address: "127.0.0.1", Family: 4}}, nil
	}
	for _, c := range []struct {
		name string
		// opts are the connect options (Host, Port, Lookup, …; Loop is set);
		// arm adds the panicking listener.
		opts func(port int) socket.ConnectOptions
		arm  func(s *socket.Socket)
		// offLoop: a socket made and connected from the test's goroutine,
		// to a Unix path (its 'connectionAttempt' is emitted inside the
		// connect step, which is then a posted task).
		offLoop bool
	}{
		{name: "lookup", opts: func(port int) socket.ConnectOptions {
			return socket.ConnectOptions{Host: "nodenet.test", Port: port, Lookup: fixed, AutoSelectFamily: boolp(false)}
		}, arm: func(s *socket.Socket) {
			s.OnLookup(func(error, string, int, string) { boom() })
		}},
		{name: "lookup of every address", opts: func(port int) socket.ConnectOptions {
			return socket.ConnectOptions{Host: "nodenet.test", Port: port, Lookup: fixed, AutoSelectFamily: boolp(true)}
		}, arm: func(s *socket.Socket) {
			s.OnLookup(func(error, string, int, string) { boom() })
		}},
		{name: "connectionAttempt", opts: func(port int) socket.ConnectOptions {
			return socket.ConnectOptions{Host: "127.0.0.1", Port: port}
		}, arm: func(s *socket.Socket) {
			s.OnConnectionAttempt(func(string, int, int) { boom() })
		}},
		{name: "connectionAttempt, connected off the loop", offLoop: true, arm: func(s *socket.Socket) {
			s.OnConnectionAttempt(func(string, int, int) { boom() })
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := newLoop(t)
			var got error
			var ev events
			record := func(s *socket.Socket) {
				s.OnError(func(err error) { got = err; ev.add("error") })
				s.OnClose(func(bool) { ev.add("close") })
			}
			if c.offLoop {
				// Every call is posted (Run has not started): the listeners
				// first, then the connect step.
				s, err := socket.New(socket.Options{Loop: l})
				if err != nil {
					t.Fatal(err)
				}
				record(s)
				c.arm(s)
				if err := s.Connect(socket.ConnectOptions{Path: filepath.Join(t.TempDir(), "nobody")}, nil); err != nil {
					t.Fatal(err)
				}
				run(t, l)
			} else {
				start(t, l, func() {
					var srv *server.Server
					srv = listen(t, l, server.Options{}, func(sc *socket.Socket) { sc.Destroy(nil) }, func(_ *server.Server, port int) {
						o := c.opts(port)
						o.Loop = l
						s, err := socket.Connect(o, nil)
						if err != nil {
							t.Error(err)
							srv.Close(nil)
							return
						}
						record(s)
						s.OnClose(func(bool) { srv.Close(nil) })
						c.arm(s)
					})
				})
			}
			var ne *nodenet.Error
			if !errors.As(got, &ne) || ne.Code != nodenet.CodeCallbackPanic {
				t.Fatalf("error %v, want %s", got, nodenet.CodeCallbackPanic)
			}
			if ev.String() != "error,close" {
				t.Fatalf("events %s, want error,close", ev)
			}
		})
	}
}
