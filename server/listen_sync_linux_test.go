package server_test

import (
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/server"
)

// NS-054, the synchronous listen (issue 13): without a host, on a Unix path and on
// a handle the bind happens inside Listen, on the caller's goroutine, as in
// Node and as Go's listenStream and libuv's uv__tcp_listen do it; only the
// poller registration and 'listening' wait for the home loop.

// openFDs counts this process's open descriptors (no test in this package
// runs in parallel, so a difference is this test's).
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(ents)
}

// syncForms are the listens that bind at the call; each gets a fresh
// path, and a handle server that is already listening on its own loop.
func syncForms(t *testing.T) []struct {
	name string
	opts func() server.ListenOptions
	net  string
} {
	return []struct {
		name string
		opts func() server.ListenOptions
		net  string
	}{
		{"NoHost", func() server.ListenOptions { return server.ListenOptions{} }, "tcp"},
		{"Path", func() server.ListenOptions { return server.ListenOptions{Path: sockPath(t, "s")} }, "unix"},
		{"Handle", func() server.ListenOptions {
			other := newLoop(t)
			h := newServer(t, server.Options{Loop: other}, nil)
			if err := h.Listen(server.ListenOptions{Port: 0}, nil); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { h.Close(nil) })
			return server.ListenOptions{Handle: h}
		}, "tcp"},
	}
}

func dialAddr(t *testing.T, network string, a net.Addr) net.Conn {
	t.Helper()
	if network == "unix" {
		return dial(t, "unix", a.(*net.UnixAddr).Name)
	}
	return dial(t, "tcp", loopback(a.(*net.TCPAddr).Port))
}

// TestNS054_ListenBindsAtTheCall: right after Listen returns — called on the
// loop, off the loop while it runs, and before it ever ran — Address and
// Listening answer, from the caller and from the loop, and the kernel
// already completes a connection to the address, before 'listening'.
func TestNS054_ListenBindsAtTheCall(t *testing.T) {
	for _, f := range syncForms(t) {
		for _, where := range []string{"OnLoop", "OffLoopRunning", "OffLoopBeforeRun"} {
			t.Run(f.name+"/"+where, func(t *testing.T) {
				l := newLoop(t)
				srv := newServer(t, server.Options{Loop: l}, nil)
				srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
				listening := make(chan net.Addr, 1)
				var atListen net.Addr
				listen := func() {
					if err := srv.Listen(f.opts(), func() { listening <- srv.Address() }); err != nil {
						t.Error(err)
						return
					}
					atListen = srv.Address()
					if atListen == nil || !srv.Listening() {
						t.Errorf("right after Listen: Address %v, Listening %v", atListen, srv.Listening())
					}
				}
				var wait func()
				var keep *server.Server
				switch where {
				case "OnLoop":
					keep = newServer(t, server.Options{Loop: l}, nil)
					wait = listenLoopback(t, l, keep) // keeps Run going
					onLoop(t, l, listen)
				case "OffLoopRunning":
					keep = newServer(t, server.Options{Loop: l}, nil)
					wait = listenLoopback(t, l, keep)
					listen()
					// The loop sees the same address, before it ran the
					// listen's task or after.
					onLoop(t, l, func() {
						if a := srv.Address(); a == nil || a.String() != atListen.String() {
							t.Errorf("on the loop: Address %v, want %v", a, atListen)
						}
					})
				case "OffLoopBeforeRun":
					listen()
				}
				if atListen == nil {
					t.FailNow()
				}
				// Bound and listening in the kernel: a connection completes
				// even before the loop registered the descriptor.
				c := dialAddr(t, f.net, atListen)
				c.Close()
				if where == "OffLoopBeforeRun" {
					wait = goRun(t, l)
				}
				if got := recv(t, listening, "listening"); got == nil || got.String() != atListen.String() {
					t.Errorf("in 'listening': Address %v, want %v", got, atListen)
				}
				closed := make(chan error, 1)
				srv.Close(func(err error) { closed <- err })
				if err := recv(t, closed, "close"); err != nil {
					t.Errorf("close callback: %v", err)
				}
				if f.net == "unix" {
					if _, err := os.Stat(atListen.String()); !os.IsNotExist(err) {
						t.Errorf("socket file after close: %v", err)
					}
				}
				if keep != nil {
					keep.Close(nil)
				}
				wait()
			})
		}
	}
}

// TestNS054_LiteralHostStaysNextTick: an IP literal is looked up as in
// Node, so right after Listen, from any goroutine, Address is nil and
// Listening false; 'listening' sees both set.
func TestNS054_LiteralHostStaysNextTick(t *testing.T) {
	l := newLoop(t)
	srv := newServer(t, server.Options{Loop: l}, nil)
	srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
	var inEvent net.Addr
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { inEvent = srv.Address(); srv.Close(nil) }); err != nil {
		t.Fatal(err)
	}
	if srv.Address() != nil || srv.Listening() {
		t.Errorf("right after Listen(127.0.0.1): Address %v, Listening %v; want nil, false", srv.Address(), srv.Listening())
	}
	run(t, l)
	if a, ok := inEvent.(*net.TCPAddr); !ok || a.Port <= 0 {
		t.Errorf("in 'listening': Address %v", inEvent)
	}
}

// TestListenSyncTwiceAndAfterClose: a second Listen while a synchronous
// one is bound is refused at once; Close then Listen on the same port
// (TCP) or path, off the loop while the loop has not run the close yet,
// listens again: the path was removed by Close itself, and a port still
// held by the closing descriptor is bound on the loop after the close.
func TestListenSyncTwiceAndAfterClose(t *testing.T) {
	t.Run("Port", func(t *testing.T) {
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
		keep := newServer(t, server.Options{Loop: l}, nil)
		wait := listenLoopback(t, l, keep)
		if err := srv.Listen(server.ListenOptions{}, nil); err != nil {
			t.Fatal(err)
		}
		p := port(t, srv)
		wantAlreadyListen(t, srv.Listen(server.ListenOptions{}, nil))
		wantAlreadyListen(t, srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, nil))
		listening := make(chan int, 1)
		for i := 0; i < 20; i++ {
			srv.Close(nil)
			if srv.Address() != nil || srv.Listening() {
				t.Fatalf("right after Close: Address %v, Listening %v", srv.Address(), srv.Listening())
			}
			if err := srv.Listen(server.ListenOptions{Port: p}, func() { listening <- port(t, srv) }); err != nil {
				t.Fatal(err)
			}
			if got := recv(t, listening, "listening"); got != p {
				t.Fatalf("relisten %d on port %d", got, p)
			}
		}
		srv.Close(nil)
		keep.Close(nil)
		wait()
	})
	t.Run("Path", func(t *testing.T) {
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
		path := sockPath(t, "s")
		if err := srv.Listen(server.ListenOptions{Path: path}, nil); err != nil {
			t.Fatal(err)
		}
		wantAlreadyListen(t, srv.ListenUnix(path, nil))
		for i := 0; i < 20; i++ {
			srv.Close(nil)
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("socket file right after Close: %v", err)
			}
			if err := srv.ListenUnix(path, nil); err != nil {
				t.Fatal(err)
			}
			if srv.Address() == nil {
				t.Fatal("no Address right after a relisten on the same path")
			}
			dial(t, "unix", path).Close()
		}
		listened := 0
		srv.OnListening(func() { listened++ })
		closed := make(chan error, 1)
		srv.Close(func(err error) { closed <- err })
		run(t, l)
		if err := recv(t, closed, "close"); err != nil {
			t.Errorf("close callback: %v", err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("socket file after the last close: %v", err)
		}
	})
}

// TestListenThenCloseBeforeTheLoop: Node's listen(); close() in one tick —
// no 'listening', the close callback without error, 'close' once; the
// socket file is gone when Close returns and the port is free once the
// callback ran.
func TestListenThenCloseBeforeTheLoop(t *testing.T) {
	for _, f := range syncForms(t)[:2] {
		t.Run(f.name, func(t *testing.T) {
			l := newLoop(t)
			srv := newServer(t, server.Options{Loop: l}, nil)
			srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
			srv.OnListening(func() { t.Error("'listening' after Close") })
			closeEvents := 0
			srv.OnClose(func() { closeEvents++ })
			if err := srv.Listen(f.opts(), nil); err != nil {
				t.Fatal(err)
			}
			a := srv.Address()
			var cbErr error = errors.New("not called")
			srv.Close(func(err error) { cbErr = err })
			if f.net == "unix" {
				if _, err := os.Stat(a.String()); !os.IsNotExist(err) {
					t.Errorf("socket file right after Close: %v", err)
				}
			}
			run(t, l)
			if cbErr != nil || closeEvents != 1 {
				t.Errorf("close callback %v, 'close' %d times; want nil, 1", cbErr, closeEvents)
			}
			if f.net == "tcp" {
				ln, err := net.Listen("tcp", loopback(a.(*net.TCPAddr).Port))
				if err != nil {
					t.Fatalf("port still held after close: %v", err)
				}
				ln.Close()
			}
		})
	}
}

// TestListenRacesClose: Listen and Close from two goroutines while the
// loop runs. Whatever the interleaving, Listen is refused only while
// another listen holds the server, no error event comes, every Close's
// callback runs, and at the end no descriptor and no socket file is left.
func TestListenRacesClose(t *testing.T) {
	for _, form := range []string{"NoHost", "Path"} {
		t.Run(form, func(t *testing.T) {
			before := openFDs(t)
			l := newLoop(t)
			srv := newServer(t, server.Options{Loop: l}, nil)
			srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
			keep := newServer(t, server.Options{Loop: l}, nil)
			wait := listenLoopback(t, l, keep)
			path := sockPath(t, "s")
			const rounds = 200
			var wg sync.WaitGroup
			var cbs sync.WaitGroup
			cbs.Add(rounds)
			wg.Add(2)
			go func() {
				defer wg.Done()
				for i := 0; i < rounds; i++ {
					o := server.ListenOptions{}
					if form == "Path" {
						o.Path = path
					}
					if err := srv.Listen(o, nil); err != nil && !errors.Is(err, nodenet.ErrServerAlreadyListen) {
						t.Errorf("Listen: %v", err)
					}
					_ = srv.Address()
				}
			}()
			go func() {
				defer wg.Done()
				for i := 0; i < rounds; i++ {
					srv.Close(func(error) { cbs.Done() })
					_ = srv.Listening()
				}
			}()
			wg.Wait()
			cbs.Add(1)
			srv.Close(func(error) { cbs.Done() })
			done := make(chan struct{})
			go func() { cbs.Wait(); close(done) }()
			recv(t, done, "every close callback")
			keep.Close(nil)
			wait()
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("socket file left: %v", err)
			}
			l.Stop()
			<-l.Done()
			if after := openFDs(t); after != before {
				t.Errorf("open descriptors %d before, %d after", before, after)
			}
		})
	}
}

// TestLoopStopWhileListeningRemovesPath: a loop stopped under a listening
// Unix socket server closes the descriptor and removes the file (libuv
// unlinks on the pipe handle's close); Listen on a stopped loop fails
// with ErrLoopStopped and leaves neither a file nor an address.
func TestLoopStopWhileListeningRemovesPath(t *testing.T) {
	l := newLoop(t)
	srv := newServer(t, server.Options{Loop: l}, nil)
	path := sockPath(t, "s")
	listening := make(chan struct{})
	if err := srv.ListenUnix(path, func() { close(listening) }); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Run() }()
	recv(t, listening, "listening")
	l.Stop()
	if err := recv(t, done, "Run to return"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("socket file after Stop: %v", err)
	}
	srv2 := newServer(t, server.Options{Loop: l}, nil)
	path2 := sockPath(t, "t")
	if err := srv2.ListenUnix(path2, nil); !errors.Is(err, nodenet.ErrLoopStopped) {
		t.Errorf("Listen on a stopped loop: %v, want ErrLoopStopped", err)
	}
	if _, err := os.Stat(path2); !os.IsNotExist(err) {
		t.Errorf("socket file after a refused Listen: %v", err)
	}
	if srv2.Address() != nil || srv2.Listening() {
		t.Errorf("after a refused Listen: Address %v, Listening %v", srv2.Address(), srv2.Listening())
	}
	if err := srv2.Listen(server.ListenOptions{}, nil); !errors.Is(err, nodenet.ErrLoopStopped) {
		t.Errorf("TCP Listen on a stopped loop: %v, want ErrLoopStopped", err)
	}
}

// TestNS054_SyncBindErrorOrder: a synchronous bind that fails is Node's
// "no handle, error on the next tick": Listen returns nil, Address is nil
// and Listening false at once, a Close right after hears
// ERR_SERVER_NOT_RUNNING, and 'error' (EADDRINUSE) comes before that
// callback, as in Node v26.
func TestNS054_SyncBindErrorOrder(t *testing.T) {
	busy, err := net.Listen("tcp", "[::]:0")
	if err != nil {
		busy, err = net.Listen("tcp", "0.0.0.0:0")
		if err != nil {
			t.Fatal(err)
		}
	}
	defer busy.Close()
	p := busy.Addr().(*net.TCPAddr).Port
	l := newLoop(t)
	srv := newServer(t, server.Options{Loop: l}, nil)
	var order []string
	srv.OnError(func(err error) { wantCode(t, err, "EADDRINUSE"); order = append(order, "error") })
	srv.OnListening(func() { t.Error("listening") })
	if err := srv.Listen(server.ListenOptions{Port: p}, nil); err != nil {
		t.Fatal(err)
	}
	if srv.Address() != nil || srv.Listening() {
		t.Errorf("after a failed bind: Address %v, Listening %v", srv.Address(), srv.Listening())
	}
	srv.Close(func(err error) {
		if !errors.Is(err, nodenet.ErrServerNotRunning) {
			t.Errorf("close callback: %v", err)
		}
		order = append(order, "close-cb")
	})
	// The handle was never taken: Listen is accepted again at once.
	if err := srv.Listen(server.ListenOptions{Port: p}, nil); err != nil {
		t.Errorf("second Listen after a failed bind: %v", err)
	}
	run(t, l)
	if got, want := strings.Join(order, ","), "error,close-cb,error"; got != want {
		t.Errorf("order %s, want %s", got, want)
	}
}
