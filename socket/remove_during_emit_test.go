//go:build linux || windows

package socket_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// socketEventCase adds a listener of one Socket event (On or Once) whose
// arguments it drops.
type socketEventCase struct {
	name string
	ev   socket.EventName
	add  func(s *socket.Socket, once bool, fn func()) socket.ListenerID
}

var socketEventCases = []socketEventCase{
	{"lookup", socket.EventLookup, func(s *socket.Socket, once bool, fn func()) socket.ListenerID {
		f := func(error, string, int, string) { fn() }
		if once {
			return s.OnceLookup(f)
		}
		return s.OnLookup(f)
	}},
	{"connectionAttempt", socket.EventConnectionAttempt, func(s *socket.Socket, once bool, fn func()) socket.ListenerID {
		f := func(string, int, int) { fn() }
		if once {
			return s.OnceConnectionAttempt(f)
		}
		return s.OnConnectionAttempt(f)
	}},
	{"connect", socket.EventConnect, func(s *socket.Socket, once bool, fn func()) socket.ListenerID {
		if once {
			return s.OnceConnect(fn)
		}
		return s.OnConnect(fn)
	}},
	{"ready", socket.EventReady, func(s *socket.Socket, once bool, fn func()) socket.ListenerID {
		if once {
			return s.OnceReady(fn)
		}
		return s.OnReady(fn)
	}},
	{"data", socket.EventData, func(s *socket.Socket, once bool, fn func()) socket.ListenerID {
		f := func([]byte) { fn() }
		if once {
			return s.OnceData(f)
		}
		return s.OnData(f)
	}},
	{"end", socket.EventEnd, func(s *socket.Socket, once bool, fn func()) socket.ListenerID {
		if once {
			return s.OnceEnd(fn)
		}
		return s.OnEnd(fn)
	}},
	{"finish", socket.EventFinish, func(s *socket.Socket, once bool, fn func()) socket.ListenerID {
		if once {
			return s.OnceFinish(fn)
		}
		return s.OnFinish(fn)
	}},
	{"timeout", socket.EventTimeout, func(s *socket.Socket, once bool, fn func()) socket.ListenerID {
		if once {
			return s.OnceTimeout(fn)
		}
		return s.OnTimeout(fn)
	}},
	{"close", socket.EventClose, func(s *socket.Socket, once bool, fn func()) socket.ListenerID {
		f := func(bool) { fn() }
		if once {
			return s.OnceClose(f)
		}
		return s.OnClose(f)
	}},
}

// TestSocketRemoveDuringEmit: for each Socket event, the first listener
// removes the second (On) and the fourth (Once) by id. Node's emit walks a
// copy of the listener array, so all four still run in that emit (the
// once-listener too: its wrapper has not fired); afterwards two are left.
// Until the emitter followed Node here, only the first and the third ran.
func TestSocketRemoveDuringEmit(t *testing.T) {
	for _, c := range socketEventCases {
		t.Run(c.name, func(t *testing.T) {
			l := newLoop(t)
			var ran []string
			// ListenerCount in the first listener before and after its
			// removals, and in the fourth.
			var before, after, inFourth int
			start(t, l, func() {
				// The server answers "x" and ends once it hears from the
				// client; the timeout case writes nothing, so it stays
				// idle until its listeners destroy it.
				listen(t, l, server.Options{}, func(s *socket.Socket) {
					s.OnData(func([]byte) { s.End([]byte("x"), nil) })
					s.OnClose(func(bool) {})
				}, func(srv *server.Server, port int) {
					o := socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}
					if c.ev == socket.EventLookup || c.ev == socket.EventConnectionAttempt {
						o.Host = "localhost"
						o.Lookup = func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
							return []socket.LookupAddress{{Address: "127.0.0.1", Family: 4}}, nil
						}
					}
					cl, err := socket.Connect(o, nil)
					if err != nil {
						t.Error(err)
						srv.Close(nil)
						return
					}
					if c.ev != socket.EventData {
						// Read, or the server's FIN is never seen (no
						// data listener is backpressure here).
						cl.OnData(func([]byte) {})
					}
					if c.ev == socket.EventTimeout {
						cl.SetTimeout(10*time.Millisecond, nil)
					} else {
						cl.Send([]byte("go"), nil)
					}
					cl.OnClose(func(bool) { srv.Close(nil) })
					var second, fourth socket.ListenerID
					c.add(cl, false, func() {
						ran = append(ran, "first")
						before = cl.ListenerCount(c.ev)
						cl.RemoveListener(second)
						cl.RemoveListener(fourth)
						after = cl.ListenerCount(c.ev)
					})
					second = c.add(cl, false, func() { ran = append(ran, "second") })
					c.add(cl, false, func() {
						ran = append(ran, "third")
						if c.ev == socket.EventTimeout {
							cl.Destroy(nil)
						}
					})
					fourth = c.add(cl, true, func() {
						ran = append(ran, "fourth")
						inFourth = cl.ListenerCount(c.ev)
					})
				})
			})
			if got, want := strings.Join(ran, " "), "first second third fourth"; got != want {
				t.Errorf("ran %q, want %q", got, want)
			}
			// The removals count at once, and running the removed
			// once-listener changes nothing.
			if before-after != 2 || inFourth != after {
				t.Errorf("ListenerCount %d before the removals, %d after, %d in the fourth; want after = before-2 = fourth", before, after, inFourth)
			}
		})
	}
}
