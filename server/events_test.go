//go:build linux || windows

package server_test

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// eventCase is one Server event and how a test makes the server emit it:
// add registers fn (which the test's listeners call) as a listener of the
// event's type, setup readies the server, fire makes it emit once.
type eventCase struct {
	name  string
	ev    server.EventName
	add   func(srv *server.Server, once bool, fn func()) server.Added
	setup func(t *testing.T, srv *server.Server)
	fire  func(t *testing.T, srv *server.Server, i int)
}

func listenHere(t *testing.T, srv *server.Server, cb func()) {
	t.Helper()
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, cb); err != nil {
		t.Fatal(err)
	}
}

// listened starts srv and waits for its 'listening'.
func listened(t *testing.T, srv *server.Server) {
	t.Helper()
	up := make(chan struct{})
	listenHere(t, srv, func() { close(up) })
	recv(t, up, "listening")
}

func dialAndClose(t *testing.T, srv *server.Server) {
	t.Helper()
	c := dial(t, "tcp", loopback(port(t, srv)))
	c.Close()
}

var eventCases = []eventCase{
	{
		name: "listening", ev: server.EventListening,
		add: func(srv *server.Server, once bool, fn func()) server.Added {
			if once {
				return srv.OnceListening(fn)
			}
			return srv.OnListening(fn)
		},
		fire: func(t *testing.T, srv *server.Server, i int) {
			if i > 0 {
				srv.Close(nil) // releases the handle at once: Listen may follow
			}
			listenHere(t, srv, nil)
		},
	},
	{
		name: "close", ev: server.EventClose,
		add: func(srv *server.Server, once bool, fn func()) server.Added {
			if once {
				return srv.OnceClose(fn)
			}
			return srv.OnClose(fn)
		},
		fire: func(t *testing.T, srv *server.Server, i int) {
			listenHere(t, srv, func() { srv.Close(nil) })
		},
	},
	{
		name: "error", ev: server.EventError,
		add: func(srv *server.Server, once bool, fn func()) server.Added {
			f := func(error) { fn() }
			if once {
				return srv.OnceError(f)
			}
			return srv.OnError(f)
		},
		fire: func(t *testing.T, srv *server.Server, i int) {
			// EADDRINUSE: the port is held for the test (released at cleanup).
			held, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { held.Close() })
			p := held.Addr().(*net.TCPAddr).Port
			if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1", Port: p}, nil); err != nil {
				t.Fatal(err)
			}
		},
	},
	{
		name: "connection", ev: server.EventConnection,
		add: func(srv *server.Server, once bool, fn func()) server.Added {
			f := func(s *socket.Socket) { s.Destroy(nil); fn() }
			if once {
				return srv.OnceConnection(f)
			}
			return srv.OnConnection(f)
		},
		setup: listened,
		fire:  func(t *testing.T, srv *server.Server, i int) { dialAndClose(t, srv) },
	},
	{
		name: "drop", ev: server.EventDrop,
		add: func(srv *server.Server, once bool, fn func()) server.Added {
			f := func(server.DropInfo) { fn() }
			if once {
				return srv.OnceDrop(f)
			}
			return srv.OnDrop(f)
		},
		setup: func(t *testing.T, srv *server.Server) {
			srv.SetMaxConnections(0)
			listened(t, srv)
		},
		fire: func(t *testing.T, srv *server.Server, i int) { dialAndClose(t, srv) },
	},
}

// runEventCase runs body against a fresh server of one loop, kept running
// by a second listening server until body returned.
func runEventCase(t *testing.T, c eventCase, body func(srv *server.Server)) {
	l := newLoop(t)
	keep := newServer(t, server.Options{Loop: l}, nil)
	up := make(chan struct{})
	if err := keep.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { close(up) }); err != nil {
		t.Fatal(err)
	}
	wait := goRun(t, l)
	recv(t, up, "the keeper's listening")
	srv := newServer(t, server.Options{Loop: l}, nil)
	if c.setup != nil {
		c.setup(t, srv)
	}
	body(srv)
	srv.Close(nil)
	keep.Close(nil)
	wait()
}

// TestServerOnceListeners: a Once listener of each Server event runs for
// the first emit only, is gone from ListenerCount before it runs, and the
// On listener beside it runs for every emit.
func TestServerOnceListeners(t *testing.T) {
	for _, c := range eventCases {
		t.Run(c.name, func(t *testing.T) {
			runEventCase(t, c, func(srv *server.Server) {
				var once atomic.Int32
				countInOnce := make(chan int, 1)
				every := make(chan struct{}, 4)
				c.add(srv, true, func() {
					once.Add(1)
					countInOnce <- srv.ListenerCount(c.ev)
				})
				c.add(srv, false, func() { every <- struct{}{} })
				if n := srv.ListenerCount(c.ev); n != 2 {
					t.Fatalf("ListenerCount = %d right after two adds, want 2", n)
				}
				for i := range 3 {
					c.fire(t, srv, i)
					recv(t, every, fmt.Sprintf("emit %d", i))
				}
				if n := once.Load(); n != 1 {
					t.Errorf("the once-listener ran %d times, want 1", n)
				}
				if n := recv(t, countInOnce, "the once-listener's count"); n != 1 {
					t.Errorf("ListenerCount inside the once-listener = %d, want 1 (itself already removed)", n)
				}
				if n := srv.ListenerCount(c.ev); n != 1 {
					t.Errorf("ListenerCount after the emits = %d, want 1", n)
				}
			})
		})
	}
}

// TestServerRemoveDuringEmit: for each event, the first listener removes
// the second by id and the fourth (a once-listener) by RemoveListener of an
// Added it was handed. As in Node, whose emit walks a copy of the array,
// the removed ones still run in that emit (the once-listener had not
// fired) and in no later one; the third runs in both; then
// RemoveAllListeners leaves none. (Until the emitter followed Node there,
// the removed ones did not run at all.)
func TestServerRemoveDuringEmit(t *testing.T) {
	for _, c := range eventCases {
		t.Run(c.name, func(t *testing.T) {
			runEventCase(t, c, func(srv *server.Server) {
				var mu sync.Mutex
				var ran []string
				log := func(s string) { mu.Lock(); ran = append(ran, s); mu.Unlock() }
				emitted := make(chan struct{}, 4)
				// The ids, under mu: the loop reads them, and a dial is no
				// happens-before edge from this goroutine to it.
				var second, fourth server.Added
				c.add(srv, false, func() {
					log("first")
					mu.Lock()
					s, f := second, fourth
					mu.Unlock()
					srv.RemoveListener(s.ID)
					f.RemoveListener(f.ID) // Added chains to its server
				})
				mu.Lock()
				second = c.add(srv, false, func() { log("second") })
				c.add(srv, false, func() { log("third"); emitted <- struct{}{} })
				fourth = c.add(srv, true, func() { log("fourth") })
				mu.Unlock()
				for i := range 2 {
					c.fire(t, srv, i)
					recv(t, emitted, "the third listener")
				}
				mu.Lock()
				got := strings.Join(ran, " ")
				mu.Unlock()
				if want := "first second third fourth first third"; got != want {
					t.Errorf("ran %q, want %q", got, want)
				}
				if n := srv.ListenerCount(c.ev); n != 2 {
					t.Errorf("ListenerCount = %d, want 2", n)
				}
				srv.RemoveAllListeners(c.ev)
				if n := srv.ListenerCount(c.ev); n != 0 {
					t.Errorf("ListenerCount after RemoveAllListeners = %d, want 0", n)
				}
			})
		})
	}
}

// TestServerListenerCountFromGoroutines: goroutines add and remove
// listeners of every event while the loop emits 'connection'; each
// goroutine's ListenerCount sees its own adds at once, and the counts end
// where they started.
func TestServerListenerCountFromGoroutines(t *testing.T) {
	l := newLoop(t)
	srv := newServer(t, server.Options{Loop: l}, nil)
	conns := make(chan struct{}, 64)
	srv.OnConnection(func(s *socket.Socket) { s.Destroy(nil); conns <- struct{}{} })
	wait := listenLoopback(t, l, srv)
	const goroutines, rounds = 4, 50
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := eventCases[g%len(eventCases)]
			for range rounds {
				a := ev.add(srv, g%2 == 0, func() {})
				if n := srv.ListenerCount(ev.ev); n < 1 {
					t.Errorf("%s: ListenerCount = %d after an add, want at least 1", ev.name, n)
				}
				srv.RemoveListener(a.ID)
			}
		}()
	}
	for range 8 {
		dialAndClose(t, srv)
		recv(t, conns, "connection")
	}
	wg.Wait()
	want := map[server.EventName]int{server.EventConnection: 1, server.EventError: 1} // listenLoopback's
	for _, c := range eventCases {
		if n := srv.ListenerCount(c.ev); n != want[c.ev] {
			t.Errorf("%s: ListenerCount = %d at the end, want %d", c.name, n, want[c.ev])
		}
	}
	srv.Close(nil)
	wait()
}

// TestGroupOnceConnection: a once 'connection' listener of a server spread
// over a Group's loops runs for exactly one connection, though the loops
// emit 'connection' concurrently; the On listener hears every one.
func TestGroupOnceConnection(t *testing.T) {
	g, err := reactor.NewGroup(3, reactor.RoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	g.Start()
	t.Cleanup(g.Stop)
	const n = 12
	var once, every atomic.Int32
	all := make(chan struct{}, n)
	srv := newServer(t, server.Options{Group: g}, nil)
	srv.OnceConnection(func(s *socket.Socket) { once.Add(1) })
	srv.OnConnection(func(s *socket.Socket) {
		s.Destroy(nil)
		every.Add(1)
		all <- struct{}{}
	})
	up := make(chan struct{})
	srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { close(up) }); err != nil {
		t.Fatal(err)
	}
	recv(t, up, "listening")
	// Dialled back to back: the round robin hands consecutive connections
	// to different loops, whose emits overlap.
	for range n {
		dialAndClose(t, srv)
	}
	for range n {
		recv(t, all, "connection")
	}
	if once.Load() != 1 || every.Load() != n {
		t.Errorf("once ran %d times, every %d; want 1, %d", once.Load(), every.Load(), n)
	}
	if c := srv.ListenerCount(server.EventConnection); c != 1 {
		t.Errorf("ListenerCount('connection') = %d, want 1", c)
	}
	closed := make(chan error, 1)
	srv.Close(func(err error) { closed <- err })
	if err := recv(t, closed, "Close's callback"); err != nil {
		t.Fatal(err)
	}
}
