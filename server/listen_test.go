//go:build linux || windows

package server_test

import (
	"errors"
	"math"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// NC-001: Listening is false on a fresh server, true inside the listen
// callback and false inside the close callback.
func TestNC001_ListeningReflectsState(t *testing.T) {
	l := newLoop(t)
	srv := newServer(t, server.Options{Loop: l}, nil)
	if srv.Listening() {
		t.Fatal("fresh server: Listening() = true")
	}
	var inListen, inClose, closed bool
	err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
		inListen = srv.Listening()
		srv.Close(func(err error) {
			if err != nil {
				t.Errorf("close callback: %v", err)
			}
			closed = true
			inClose = srv.Listening()
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	run(t, l)
	if !inListen {
		t.Error("Listening() = false inside the listen callback")
	}
	if !closed || inClose {
		t.Errorf("close callback ran: %v, Listening() inside it: %v; want true, false", closed, inClose)
	}
}

// NC-004: Close right after a hostname Listen discards the lookup answer:
// nothing is bound, the listen callback never runs, and Run returns.
func TestNC004_CloseBeforeHostnameLookup(t *testing.T) {
	t.Run("CustomLookupAnswersAfterClose", func(t *testing.T) {
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
		srv.OnListening(func() { t.Error("listening emitted") })
		release := make(chan struct{})
		var lookups atomic.Int32
		lookup := func(host string, o socket.LookupOptions) ([]socket.LookupAddress, error) {
			lookups.Add(1)
			<-release // answer only once the server was closed
			return []socket.LookupAddress{{Address: "127.0.0.1", Family: 4}}, nil
		}
		if err := srv.Listen(server.ListenOptions{Host: "localhost", Lookup: lookup}, func() { t.Error("listen callback ran") }); err != nil {
			t.Fatal(err)
		}
		var closeErr error
		closes := 0
		srv.Close(func(err error) {
			closes++
			closeErr = err
			close(release)
		})
		run(t, l)
		if lookups.Load() != 1 || closes != 1 {
			t.Fatalf("lookups %d, close callbacks %d; want 1, 1", lookups.Load(), closes)
		}
		// Node: no handle existed yet (it is created after the lookup), so
		// close(cb) reports ERR_SERVER_NOT_RUNNING, and 'close' still fires.
		if !errors.Is(closeErr, nodenet.ErrServerNotRunning) {
			t.Errorf("close callback error %v, want ERR_SERVER_NOT_RUNNING", closeErr)
		}
		if srv.Listening() || srv.Address() != nil {
			t.Errorf("after the discarded lookup: Listening %v, Address %v", srv.Listening(), srv.Address())
		}
	})
	t.Run("DefaultLookupSameTick", func(t *testing.T) {
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
		if err := l.Post(func() {
			if err := srv.Listen(server.ListenOptions{Host: "localhost"}, func() { t.Error("listen callback ran") }); err != nil {
				t.Error(err)
			}
			srv.Close(nil)
		}); err != nil {
			t.Fatal(err)
		}
		run(t, l)
		if srv.Listening() || srv.Address() != nil {
			t.Errorf("Listening %v, Address %v", srv.Listening(), srv.Address())
		}
	})
	t.Run("IPLiteralSameTick", func(t *testing.T) {
		// Node resolves even an IP literal, so close() in the same tick
		// cancels it too.
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
		if err := l.Post(func() {
			if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { t.Error("listen callback ran") }); err != nil {
				t.Error(err)
			}
			if srv.Address() != nil {
				t.Error("Address() is set before the (async) host listen")
			}
			srv.Close(nil)
		}); err != nil {
			t.Fatal(err)
		}
		run(t, l)
		if srv.Listening() || srv.Address() != nil {
			t.Errorf("Listening %v, Address %v", srv.Listening(), srv.Address())
		}
	})
}

// NC-005: the Listen callback is a one-time 'listening' listener: after it
// fired, no 'listening' listener is left, listen after listen.
func TestNC005_ListenCallbackIsOnce(t *testing.T) {
	l := newLoop(t)
	srv := newServer(t, server.Options{Loop: l}, nil)
	closes := 0
	srv.OnClose(func() {
		closes++
		if n := srv.ListenerCount(server.EventListening); n != 0 {
			t.Errorf("close #%d: %d 'listening' listeners left, want 0", closes, n)
		}
	})
	cb2 := 0
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
		srv.Close(func(error) { // a one-time 'close' listener
			if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
				cb2++
				srv.Close(nil)
			}); err != nil {
				t.Error(err)
			}
		})
	}); err != nil {
		t.Fatal(err)
	}
	run(t, l)
	if closes != 2 || cb2 != 1 {
		t.Errorf("close events %d, second listen callbacks %d; want 2, 1", closes, cb2)
	}
}

const alreadyListenMsg = "Listen method has been called more than once without closing."

func wantAlreadyListen(t testing.TB, err error) {
	t.Helper()
	ne := wantCode(t, err, nodenet.CodeServerAlreadyListen)
	if ne.Message != alreadyListenMsg {
		t.Errorf("message %q, want %q", ne.Message, alreadyListenMsg)
	}
	if !errors.Is(err, nodenet.ErrServerAlreadyListen) {
		t.Error("errors.Is(err, ErrServerAlreadyListen) = false")
	}
}

// NC-006: a second Listen while the server holds a handle is refused
// synchronously (in every state, from any goroutine); a failed listen can be
// retried from the error handler; Close then Listen inside 'listening' works.
func TestNC006_RelistenRules(t *testing.T) {
	t.Run("OffLoopBeforeRun", func(t *testing.T) {
		// The home loop is not running: Listen only posts its work, yet the
		// second call must still be refused at once.
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
		listened := 0
		if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { listened++; srv.Close(nil) }); err != nil {
			t.Fatal(err)
		}
		wantAlreadyListen(t, srv.Listen(server.ListenOptions{}, func() { t.Error("refused listen's callback ran") }))
		wantAlreadyListen(t, srv.ListenUnix(sockPath(t, "s"), nil))
		run(t, l)
		if listened != 1 {
			t.Errorf("listen callbacks %d, want 1", listened)
		}
	})
	t.Run("OffLoopCloseThenListenBeforeRun", func(t *testing.T) {
		// Close releases the handle synchronously too, so Close + Listen
		// from one goroutine is accepted even before the loop runs.
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
		if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, nil); err != nil {
			t.Fatal(err)
		}
		srv.Close(nil)
		second := 0
		if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { second++; srv.Close(nil) }); err != nil {
			t.Fatalf("Listen after Close: %v", err)
		}
		wantAlreadyListen(t, srv.Listen(server.ListenOptions{}, nil))
		run(t, l)
		if second != 1 {
			t.Errorf("second listen callback ran %d times, want 1", second)
		}
	})
	t.Run("OnLoopBeforeListening", func(t *testing.T) {
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
		if err := l.Post(func() {
			if err := srv.Listen(server.ListenOptions{}, func() {
				wantAlreadyListen(t, srv.Listen(server.ListenOptions{}, nil))
				srv.Close(nil)
			}); err != nil {
				t.Error(err)
			}
			// Same tick, before 'listening' fired.
			err := srv.Listen(server.ListenOptions{Port: 0}, nil)
			if err == nil {
				t.Error("second Listen in the same tick was accepted")
			} else if !errors.Is(err, nodenet.ErrServerAlreadyListen) {
				t.Errorf("second Listen: %v", err)
			}
		}); err != nil {
			t.Fatal(err)
		}
		run(t, l)
	})
	t.Run("OffLoopWhileRunning", func(t *testing.T) {
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		wait := listenLoopback(t, l, srv)
		wantAlreadyListen(t, srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, nil))
		srv.Close(nil)
		wait()
	})
	t.Run("DuringHostnameLookup", func(t *testing.T) {
		// Stricter than Node (which has no handle until the lookup answers
		// and would let a second listen replace the first): refused.
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
		release := make(chan struct{})
		lookup := func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
			<-release
			return []socket.LookupAddress{{Address: "127.0.0.1", Family: 4}}, nil
		}
		if err := srv.Listen(server.ListenOptions{Host: "localhost", Lookup: lookup}, func() { srv.Close(nil) }); err != nil {
			t.Fatal(err)
		}
		wantAlreadyListen(t, srv.Listen(server.ListenOptions{}, nil))
		close(release)
		run(t, l)
	})
	t.Run("ConcurrentListens", func(t *testing.T) {
		// Many goroutines race to Listen on a loop that is not running:
		// exactly one is accepted.
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
		var ok, refused atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { srv.Close(nil) })
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, nodenet.ErrServerAlreadyListen):
					refused.Add(1)
				default:
					t.Errorf("Listen: %v", err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if ok.Load() != 1 || refused.Load() != 15 {
			t.Fatalf("accepted %d, refused %d; want 1, 15", ok.Load(), refused.Load())
		}
		run(t, l)
	})
	t.Run("RetryAfterEADDRINUSE", func(t *testing.T) {
		busy, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer busy.Close()
		busyPort := busy.Addr().(*net.TCPAddr).Port
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		var errs []error
		cb1, cb2 := 0, 0
		srv.OnError(func(err error) {
			errs = append(errs, err)
			if len(errs) == 1 {
				// Node's listen(cb) from the error handler: any port.
				if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { cb2++ }); err != nil {
					t.Errorf("Listen from the error handler: %v", err)
				}
			}
		})
		srv.OnListening(func() {
			if p := port(t, srv); p == busyPort || p == 0 {
				t.Errorf("relisten port %d", p)
			}
			srv.Close(nil)
		})
		if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1", Port: busyPort}, func() { cb1++ }); err != nil {
			t.Fatal(err)
		}
		run(t, l)
		if len(errs) != 1 {
			t.Fatalf("error events %v, want one EADDRINUSE", errs)
		}
		wantCode(t, errs[0], "EADDRINUSE")
		// Node keeps the failed attempt's once('listening') callback: it
		// fires on the later success, alongside the new one.
		if cb1 != 1 || cb2 != 1 {
			t.Errorf("listen callbacks: first %d, retry %d; want 1, 1", cb1, cb2)
		}
	})
	t.Run("CloseThenListenInListening", func(t *testing.T) {
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
		cb2 := 0
		if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
			srv.Close(nil)
			if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
				cb2++
				srv.Close(nil)
			}); err != nil {
				t.Errorf("Listen right after Close: %v", err)
			}
		}); err != nil {
			t.Fatal(err)
		}
		run(t, l)
		if cb2 != 1 {
			t.Errorf("second listen callback ran %d times, want 1", cb2)
		}
	})
}

// NC-009: the Go forms of listen() all listen on an OS-chosen port; a
// port given is bound; Backlog is accepted with or without a host; bad
// ports and bad options are refused synchronously without an event.
func TestNC009_ListenForms(t *testing.T) {
	forms := []struct {
		name   string
		listen func(s *server.Server, cb func()) error
	}{
		{"Listen(zero options, nil)", func(s *server.Server, _ func()) error { return s.Listen(server.ListenOptions{}, nil) }},
		{"Listen(zero options, cb)", func(s *server.Server, cb func()) error { return s.Listen(server.ListenOptions{}, cb) }},
		{"Listen({Port:0}, cb)", func(s *server.Server, cb func()) error { return s.Listen(server.ListenOptions{Port: 0}, cb) }},
		{"ListenTCP(0, \"\", cb)", func(s *server.Server, cb func()) error { return s.ListenTCP(0, "", cb) }},
		{"ListenTCP(0, \"\", nil)", func(s *server.Server, _ func()) error { return s.ListenTCP(0, "", nil) }},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			l := newLoop(t)
			srv := newServer(t, server.Options{Loop: l}, nil)
			srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
			events := 0
			srv.OnListening(func() {
				events++
				if p := port(t, srv); p <= 100 {
					t.Errorf("OS-chosen port %d, want > 100", p)
				}
				srv.Close(nil)
			})
			if err := f.listen(srv, func() {}); err != nil {
				t.Fatal(err)
			}
			run(t, l)
			if events != 1 {
				t.Errorf("listening events %d, want 1", events)
			}
		})
	}

	t.Run("GivenPortAndBacklog", func(t *testing.T) {
		// A free port: bound by a first server, then released.
		l := newLoop(t)
		probe := newServer(t, server.Options{Loop: l}, nil)
		var p int
		if err := probe.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { p = port(t, probe); probe.Close(nil) }); err != nil {
			t.Fatal(err)
		}
		run(t, l)
		for _, o := range []server.ListenOptions{
			{Port: p}, // listen(PORT)
			{Port: p, Host: "127.0.0.1", Backlog: 127}, // listen(port, '127.0.0.1', 127, cb)
			{Port: p, Backlog: 127},                    // listen(port, 127, cb)
		} {
			srv := newServer(t, server.Options{Loop: l}, nil)
			srv.OnError(func(err error) { t.Errorf("%+v: error event: %v", o, err) })
			srv.OnListening(func() {
				if got := port(t, srv); got != p {
					t.Errorf("%+v: bound port %d, want %d", o, got, p)
				}
				srv.Close(nil)
			})
			if err := srv.Listen(o, nil); err != nil {
				t.Fatal(err)
			}
			run(t, l)
		}
	})

	t.Run("BadPorts", func(t *testing.T) {
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
		refusedOnly := true
		srv.OnListening(func() {
			if refusedOnly {
				t.Error("listening after a refused listen")
			}
		})
		ports := []int{-1, 65536, -65536, math.MaxInt, math.MinInt}
		if strconv.IntSize == 64 {
			big := int64(4294967295) // Node's listen(4294967295)
			ports = append(ports, int(big))
		}
		for _, p := range ports {
			for name, listen := range map[string]func() error{
				"Listen":         func() error { return srv.Listen(server.ListenOptions{Port: p}, nil) },
				"Listen+Host":    func() error { return srv.Listen(server.ListenOptions{Port: p, Host: "127.0.0.1"}, nil) },
				"ListenTCP":      func() error { return srv.ListenTCP(p, "127.0.0.1", nil) },
				"PortBeatsPath":  func() error { return srv.Listen(server.ListenOptions{Port: p, Path: "/tmp/nodenet-never"}, nil) },
				"PortBeatsFD":    func() error { return srv.Listen(server.ListenOptions{Port: p, Handle: 3}, nil) },
				"WithCallbackCb": func() error { return srv.Listen(server.ListenOptions{Port: p}, func() { t.Error("cb") }) },
			} {
				ne := wantCode(t, listen(), nodenet.CodeSocketBadPort)
				want := "options.port should be >= 0 and < 65536. Received type number (" + strconv.Itoa(p) + ")."
				if !strings.HasPrefix(ne.Message, want) {
					t.Errorf("%s(%d): message %q, want prefix %q", name, p, ne.Message, want)
				}
				if !errors.Is(ne, nodenet.ErrSocketBadPort) {
					t.Errorf("%s(%d): errors.Is(ErrSocketBadPort) false", name, p)
				}
			}
		}
		// Refused calls took no handle: a valid Listen is still accepted.
		refusedOnly = false
		if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, nil); err != nil {
			t.Fatalf("valid Listen after refused ones: %v", err)
		}
		srv.Close(nil)
		run(t, l)
	})

	t.Run("BadOptions", func(t *testing.T) {
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
		for name, o := range map[string]server.ListenOptions{
			"negative fd":          {Handle: -1},
			"handle of wrong type": {Handle: "3"},
			"handle with port":     {Handle: 3, Port: 80},
			"handle with path":     {Handle: 3, Path: "/tmp/x"},
		} {
			if err := srv.Listen(o, nil); err == nil || !errors.Is(err, nodenet.ErrInvalidArgValue) {
				t.Errorf("%s: %v, want ERR_INVALID_ARG_VALUE", name, err)
			}
		}
		if err := srv.Listen(server.ListenOptions{Handle: -1}, nil); err != nil {
			ne := wantCode(t, err, nodenet.CodeInvalidArgValue)
			if !strings.HasPrefix(ne.Message, "The argument 'options' is invalid.") {
				t.Errorf("message %q", ne.Message)
			}
		}
		if _, err := server.New(server.Options{}, nil); err == nil || !errors.Is(err, nodenet.ErrInvalidArgValue) {
			t.Errorf("New without Loop or Group: %v, want ERR_INVALID_ARG_VALUE", err)
		}
		run(t, l)
	})
}

// NC-010: a host-less listen binds dual-stack "::" (IPv4 clients too);
// IPv6Only refuses IPv4; explicit hosts report their family.
func TestNC010_DefaultDualStackAndIPv6Only(t *testing.T) {
	t.Run("ExplicitHosts", func(t *testing.T) {
		for _, c := range []struct{ host, family string }{{"127.0.0.1", "IPv4"}, {"::1", "IPv6"}} {
			l := newLoop(t)
			srv := newServer(t, server.Options{Loop: l}, nil)
			srv.OnError(func(err error) { t.Errorf("%s: %v", c.host, err) })
			if err := srv.Listen(server.ListenOptions{Host: c.host}, func() {
				a, ok := srv.AddressInfo()
				if !ok || a.Address != c.host || a.Family != c.family || a.Port <= 0 {
					t.Errorf("%s: AddressInfo %+v, want {%s %s port}", c.host, a, c.host, c.family)
				}
				if ta := srv.Address().(*net.TCPAddr); !ta.IP.Equal(net.ParseIP(c.host)) || ta.Port != a.Port {
					t.Errorf("%s: Address %v", c.host, ta)
				}
				srv.Close(nil)
			}); err != nil {
				t.Fatal(err)
			}
			run(t, l)
		}
	})
	t.Run("NoHostIsDualStack", func(t *testing.T) {
		for name, listen := range map[string]func(*server.Server, func()) error{
			"Listen({})":      func(s *server.Server, cb func()) error { return s.Listen(server.ListenOptions{}, cb) },
			"ListenTCP(0,'')": func(s *server.Server, cb func()) error { return s.ListenTCP(0, "", cb) },
		} {
			l := newLoop(t)
			// Resume: read (and discard) so the client's FIN is seen. Without
			// it the accepted socket never reads and stays open (see the
			// report: Node's accepted sockets start reading at once).
			srv := newServer(t, server.Options{Loop: l}, func(c *socket.Socket) { c.Resume(); c.End(nil, nil) })
			srv.OnError(func(err error) { t.Errorf("%s: %v", name, err) })
			listening := make(chan struct{})
			if err := listen(srv, func() { close(listening) }); err != nil {
				t.Fatal(err)
			}
			wait := goRun(t, l)
			recv(t, listening, "listening")
			a, _ := srv.AddressInfo()
			if a.Address != "::" || a.Family != "IPv6" {
				t.Errorf("%s: AddressInfo %+v, want :: IPv6", name, a)
			}
			// Dual stack: an IPv4 client reaches it.
			c4 := dial(t, "tcp4", loopback(a.Port))
			readAllNoData(t, c4)
			c4.Close()
			c6 := dial(t, "tcp6", net.JoinHostPort("::1", strconv.Itoa(a.Port)))
			readAllNoData(t, c6)
			c6.Close()
			srv.Close(nil)
			wait()
		}
	})
	t.Run("IPv6Only", func(t *testing.T) {
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, func(c *socket.Socket) { c.Resume() })
		srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
		listening := make(chan struct{})
		if err := srv.Listen(server.ListenOptions{Host: "::", IPv6Only: true}, func() { close(listening) }); err != nil {
			t.Fatal(err)
		}
		wait := goRun(t, l)
		recv(t, listening, "listening")
		p := port(t, srv)
		_, err := net.Dial("tcp4", loopback(p))
		if !errors.Is(err, errConnRefused) {
			t.Errorf("IPv4 connect to an IPv6-only server: %v, want ECONNREFUSED", err)
		}
		// The IPv4 side of the port is free: an IPv4 server can bind it.
		if v4, err := net.Listen("tcp4", loopback(p)); err != nil {
			t.Errorf("binding 127.0.0.1:%d next to an IPv6-only server: %v", p, err)
		} else {
			v4.Close()
		}
		c6 := dial(t, "tcp6", net.JoinHostPort("::1", strconv.Itoa(p)))
		c6.Close()
		srv.Close(nil)
		wait()
	})
}

// NC-011: ReusePort lets two servers listen on one port.
func TestNC011_ReusePort(t *testing.T) {
	if !haveReusePort {
		t.Skip("no SO_REUSEPORT on " + runtime.GOOS)
	}
	for _, host := range []string{"127.0.0.1", "::"} {
		t.Run(host, func(t *testing.T) {
			l := newLoop(t)
			s1 := newServer(t, server.Options{Loop: l}, nil)
			s2 := newServer(t, server.Options{Loop: l}, nil)
			s1.OnError(func(err error) { t.Errorf("server 1: %v", err) })
			s2.OnError(func(err error) { t.Errorf("server 2: %v", err) })
			both := 0
			if err := s1.Listen(server.ListenOptions{Host: host, ReusePort: true}, func() {
				both++
				if err := s2.Listen(server.ListenOptions{Host: host, Port: port(t, s1), ReusePort: true}, func() {
					both++
					if port(t, s2) != port(t, s1) {
						t.Errorf("ports %d and %d differ", port(t, s1), port(t, s2))
					}
					s1.Close(nil)
					s2.Close(nil)
				}); err != nil {
					t.Error(err)
				}
			}); err != nil {
				t.Fatal(err)
			}
			run(t, l)
			if both != 2 {
				t.Errorf("listening events %d, want 2", both)
			}
		})
	}
	t.Run("WithoutReusePortIsInUse", func(t *testing.T) {
		l := newLoop(t)
		s1 := newServer(t, server.Options{Loop: l}, nil)
		s2 := newServer(t, server.Options{Loop: l}, nil)
		var got error
		s2.OnError(func(err error) { got = err; s1.Close(nil) })
		if err := s1.Listen(server.ListenOptions{Host: "127.0.0.1", ReusePort: true}, func() {
			_ = s2.Listen(server.ListenOptions{Host: "127.0.0.1", Port: port(t, s1)}, func() { t.Error("second server listening") })
		}); err != nil {
			t.Fatal(err)
		}
		run(t, l)
		wantCode(t, got, "EADDRINUSE")
	})
}

// NC-013: address in use is an asynchronous error event (code EADDRINUSE,
// the listen callback never runs), for TCP with and without host and for a
// Unix path.
func TestNC013_ListenAddrInUse(t *testing.T) {
	cases := []struct {
		name    string
		first   server.ListenOptions
		second  func(p int) server.ListenOptions
		msgTail func(p int) string
	}{
		{"Host", server.ListenOptions{Host: "127.0.0.1"},
			func(p int) server.ListenOptions { return server.ListenOptions{Host: "127.0.0.1", Port: p} },
			func(p int) string { return " 127.0.0.1:" + strconv.Itoa(p) }},
		{"NoHost", server.ListenOptions{},
			func(p int) server.ListenOptions { return server.ListenOptions{Port: p} },
			func(p int) string { return " :::" + strconv.Itoa(p) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := newLoop(t)
			s1 := newServer(t, server.Options{Loop: l}, nil)
			s2 := newServer(t, server.Options{Loop: l}, nil)
			s1.OnError(func(err error) { t.Errorf("first server: %v", err) })
			var got []error
			var p int
			s2.OnError(func(err error) { got = append(got, err); s1.Close(nil) })
			if err := s1.Listen(c.first, func() {
				p = port(t, s1)
				if err := s2.Listen(c.second(p), func() { t.Error("second listen callback ran") }); err != nil {
					t.Errorf("second Listen returned %v; want an event", err)
				}
			}); err != nil {
				t.Fatal(err)
			}
			run(t, l)
			if len(got) != 1 {
				t.Fatalf("error events %v, want 1", got)
			}
			ne := wantCode(t, got[0], "EADDRINUSE")
			if !errors.Is(got[0], errAddrInUse) {
				t.Error("errors.Is(err, unix.EADDRINUSE) = false")
			}
			want := "listen EADDRINUSE: address already in use" + c.msgTail(p)
			if ne.Message != want || ne.Syscall != "listen" || ne.Port != p {
				t.Errorf("error %q syscall %q port %d; want %q listen %d", ne.Message, ne.Syscall, ne.Port, want, p)
			}
			if s2.Listening() {
				t.Error("second server Listening() = true")
			}
		})
	}
	t.Run("UnixPath", func(t *testing.T) {
		if !haveUnixSockets {
			t.Skip("no Unix domain sockets on " + runtime.GOOS)
		}
		path := sockPath(t, "in-use.sock")
		l := newLoop(t)
		s1 := newServer(t, server.Options{Loop: l}, nil)
		s2 := newServer(t, server.Options{Loop: l}, nil)
		var got error
		s2.OnError(func(err error) { got = err; s1.Close(nil) })
		if err := s1.ListenUnix(path, func() {
			_ = s2.ListenUnix(path, func() { t.Error("second listen callback ran") })
		}); err != nil {
			t.Fatal(err)
		}
		run(t, l)
		ne := wantCode(t, got, "EADDRINUSE")
		if !strings.HasPrefix(ne.Message, "listen EADDRINUSE: address already in use") || ne.Address != path || ne.Port != -1 {
			t.Errorf("error %q address %q port %d", ne.Message, ne.Address, ne.Port)
		}
	})
}

// NC-014: listen errors carry address, port and syscall; a resolver
// failure is emitted as is; a link-local-only answer fails on that address.
func TestNC014_ListenErrorFields(t *testing.T) {
	listenErr := func(t *testing.T, o server.ListenOptions) error {
		t.Helper()
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		var got []error
		srv.OnError(func(err error) { got = append(got, err) })
		if err := srv.Listen(o, func() { t.Error("listen callback ran") }); err != nil {
			t.Fatalf("Listen returned %v; want an event", err)
		}
		run(t, l)
		if len(got) != 1 {
			t.Fatalf("error events %v, want 1", got)
		}
		return got[0]
	}
	t.Run("NonLocalAddress", func(t *testing.T) {
		// TEST-NET-1 is on no interface here: bind fails locally
		// (EADDRNOTAVAIL, or EACCES for port 1) and no packet is sent.
		err := listenErr(t, server.ListenOptions{Host: "192.0.2.1", Port: 1})
		ne := nodeErr(t, err)
		if ne.Code != "EADDRNOTAVAIL" && ne.Code != "EACCES" {
			t.Errorf("code %s, want EADDRNOTAVAIL or EACCES", ne.Code)
		}
		if ne.Address != "192.0.2.1" || ne.Port != 1 || ne.Syscall != "listen" {
			t.Errorf("address %q port %d syscall %q", ne.Address, ne.Port, ne.Syscall)
		}
	})
	t.Run("MissingDirectory", func(t *testing.T) {
		if !haveUnixSockets {
			t.Skip("no Unix domain sockets on " + runtime.GOOS)
		}
		path := sockPath(t, "x") + "/no-such-dir/fadfa"
		ne := nodeErr(t, listenErr(t, server.ListenOptions{Path: path}))
		if ne.Address != path || ne.Code != "ENOENT" || ne.Port != -1 {
			t.Errorf("error %+v, want address %q ENOENT port -1", ne, path)
		}
	})
	t.Run("LookupFailure", func(t *testing.T) {
		want := nodenet.NewDNSError("ENOTFOUND", "no.such.host.invalid", nil)
		got := listenErr(t, server.ListenOptions{Host: "no.such.host.invalid",
			Lookup: func(string, socket.LookupOptions) ([]socket.LookupAddress, error) { return nil, want }})
		if got != error(want) {
			t.Errorf("error %v, want the resolver's error itself", got)
		}
	})
	t.Run("LinkLocalOnly", func(t *testing.T) {
		err := listenErr(t, server.ListenOptions{Host: "ll.example",
			Lookup: func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
				return []socket.LookupAddress{{Address: "fe80::1", Family: 6}}, nil
			}})
		ne := nodeErr(t, err)
		if ne.Address != "fe80::1" || ne.Syscall != "listen" {
			t.Errorf("error %+v, want address fe80::1 syscall listen", ne)
		}
	})
}

// NC-015: a hostname listen binds the first address that is not IPv6
// link-local.
func TestNC015_HostnameListenSkipsLinkLocal(t *testing.T) {
	var many []socket.LookupAddress
	for i := 1; i <= 23; i++ {
		many = append(many, socket.LookupAddress{Address: "fe80::" + strconv.FormatInt(int64(i), 16), Family: 6})
	}
	many = append(many, socket.LookupAddress{Address: "127.0.0.1", Family: 4})
	for _, c := range []struct {
		name           string
		answer         []socket.LookupAddress
		address, famly string
	}{
		{"23LinkLocalThenIPv4", many, "127.0.0.1", "IPv4"},
		{"LinkLocalThenIPv6Loopback", []socket.LookupAddress{{Address: "fe80::1", Family: 6}, {Address: "::1", Family: 6}}, "::1", "IPv6"},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := newLoop(t)
			srv := newServer(t, server.Options{Loop: l}, nil)
			srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
			lookup := func(host string, o socket.LookupOptions) ([]socket.LookupAddress, error) {
				if host != "multi.example" {
					t.Errorf("lookup of %q", host)
				}
				return c.answer, nil
			}
			if err := srv.Listen(server.ListenOptions{Host: "multi.example", Lookup: lookup}, func() {
				a, _ := srv.AddressInfo()
				if a.Address != c.address || a.Family != c.famly {
					t.Errorf("bound %+v, want %s %s", a, c.address, c.famly)
				}
				srv.Close(nil)
			}); err != nil {
				t.Fatal(err)
			}
			run(t, l)
		})
	}
}

// NC-085: Address shapes — TCP {address, family, port}, Unix the path
// string, nil when not listening; a host-less listen has its address in the
// same tick, a host listen only once resolved (NS-054).
func TestNC085_AddressShapes(t *testing.T) {
	if !haveUnixSockets {
		t.Skip("walks TCP and Unix listens in one chain; no Unix domain sockets on " + runtime.GOOS)
	}
	l := newLoop(t)
	srv := newServer(t, server.Options{Loop: l}, nil)
	srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
	if srv.Address() != nil {
		t.Fatalf("never listened: Address() = %v, want nil", srv.Address())
	}
	if _, ok := srv.AddressInfo(); ok {
		t.Fatal("never listened: AddressInfo ok")
	}
	path := sockPath(t, "shape.sock")
	step := 0
	if err := l.Post(func() {
		if err := srv.Listen(server.ListenOptions{}, func() {
			step++
			srv.Close(nil)
			if srv.Address() != nil {
				t.Errorf("closed TCP server: Address() = %v, want nil", srv.Address())
			}
			if err := srv.Listen(server.ListenOptions{Host: "::1"}, func() {
				step++
				a, _ := srv.AddressInfo()
				if a.Address != "::1" || a.Family != "IPv6" || a.Port <= 0 {
					t.Errorf("::1 listen: %+v", a)
				}
				srv.Close(nil)
				if err := srv.Listen(server.ListenOptions{Path: path}, func() {
					step++
					ua, ok := srv.Address().(*net.UnixAddr)
					if !ok || ua.Name != path {
						t.Errorf("Unix Address() = %#v, want the path", srv.Address())
					}
					a, _ := srv.AddressInfo()
					if a.Address != path || a.Family != "unix" {
						t.Errorf("Unix AddressInfo %+v", a)
					}
					srv.Close(nil)
				}); err != nil {
					t.Error(err)
				}
			}); err != nil {
				t.Error(err)
			}
			if srv.Address() != nil {
				t.Errorf("host listen pending: Address() = %v, want nil until resolved", srv.Address())
			}
		}); err != nil {
			t.Error(err)
		}
		// Host-less listen binds synchronously: the address is there now.
		a, ok := srv.AddressInfo()
		if !ok || a.Address != "::" || a.Family != "IPv6" || a.Port <= 0 {
			t.Errorf("same tick after Listen: AddressInfo %+v %v, want :: IPv6 port", a, ok)
		}
		if _, ok := srv.Address().(*net.TCPAddr); !ok {
			t.Errorf("Address() = %#v, want *net.TCPAddr", srv.Address())
		}
	}); err != nil {
		t.Fatal(err)
	}
	run(t, l)
	if step != 3 {
		t.Fatalf("reached step %d of 3", step)
	}
	// Node keeps the pipe name after close.
	if ua, ok := srv.Address().(*net.UnixAddr); !ok || ua.Name != path {
		t.Errorf("after Close: Address() = %#v, want the path", srv.Address())
	}
}

// NS-054 seen from another goroutine: an off-loop host-less Listen binds
// on the caller's goroutine, so Address is valid at once, as after Node's
// synchronous listen(0).
func TestNC085_AddressAfterOffLoopListen(t *testing.T) {
	l := newLoop(t)
	keep := newServer(t, server.Options{Loop: l}, nil) // keeps Run going
	listening := make(chan struct{})
	if err := keep.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { close(listening) }); err != nil {
		t.Fatal(err)
	}
	wait := goRun(t, l)
	recv(t, listening, "listening")
	srv := newServer(t, server.Options{Loop: l}, nil)
	srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
	if err := srv.Listen(server.ListenOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	if a, ok := srv.AddressInfo(); !ok || a.Port <= 0 {
		t.Errorf("right after an off-loop Listen: AddressInfo %+v, %v", a, ok)
	}
	srv.Close(nil)
	keep.Close(nil)
	wait()
}
