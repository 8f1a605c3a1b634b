//go:build linux

package reliability

import (
	"bytes"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	"golang.org/x/sys/unix"
)

// checkLeaks records descriptors and goroutines now and checks, when the
// test ends, that both came back.
func checkLeaks(t *testing.T) {
	fds, g := fdCount(t), runtimeGoroutines()
	t.Cleanup(func() {
		if !t.Failed() {
			settle(t, fds, g)
		}
	})
}

func echoServer(c *socket.Socket) { c.Pipe(c, nil) }

// TestConcurrentWriteEndDestroy: Send, Write, End and Destroy from 16
// goroutines at once on one socket — no panic, no race, exactly one close.
func TestConcurrentWriteEndDestroy(t *testing.T) {
	checkLeaks(t)
	for round := 0; round < 20; round++ {
		e := newEnv(t, serverOptions(), echoServer)
		connected := make(chan *socket.Socket, 1)
		var closes atomic.Int64
		closed := make(chan struct{})
		e.cliL.Post(func() {
			var s *socket.Socket
			s = e.connect(func() { connected <- s })
			s.OnData(func([]byte) {})
			s.OnError(func(error) {})
			s.OnClose(func(bool) {
				if closes.Add(1) == 1 {
					close(closed)
				}
			})
		})
		var s *socket.Socket
		select {
		case s = <-connected:
		case <-time.After(30 * time.Second):
			t.Fatal("no connect")
		}
		var wg sync.WaitGroup
		for g := 0; g < 16; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 50; i++ {
					switch (g + i) % 7 {
					case 0, 1, 2:
						s.Send([]byte("hello"), func(error) {})
					case 3, 4:
						s.Write([]byte("world"))
					case 5:
						if i > 40 {
							s.End([]byte("bye"), nil)
						}
					case 6:
						if g == 15 && i > 45 {
							s.Destroy(nil)
						}
					}
				}
			}(g)
		}
		wg.Wait()
		s.Destroy(nil)
		wait(t, closed, "close")
		e.cliL.Post(func() {}) // any second close would be queued before this
		if n := closes.Load(); n != 1 {
			t.Fatalf("round %d: %d close events", round, n)
		}
	}
}

// TestGroupStopWithConnectionsOpen: stopping the loops under open
// connections closes every socket and leaks nothing.
func TestGroupStopWithConnectionsOpen(t *testing.T) {
	checkLeaks(t)
	g, err := reactor.NewGroup(2, reactor.RoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	g.Start()
	const n = 100
	srv, _ := server.New(server.Options{Group: g}, echoServer)
	// 'connection' runs on the accepting loops once each socket is counted:
	// the n-th means the server holds all n.
	var accepted atomic.Int64
	allAccepted := make(chan struct{})
	srv.OnConnection(func(*socket.Socket) {
		if accepted.Add(1) == n {
			close(allAccepted)
		}
	})
	up := make(chan struct{})
	srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { close(up) })
	wait(t, up, "listening")
	info, _ := srv.AddressInfo()
	var connects, closes atomic.Int64
	allUp := make(chan struct{})
	cl, _ := reactor.NewGroup(1, reactor.RoundRobin)
	cl.Start()
	cl.Loops()[0].Post(func() {
		for i := 0; i < n; i++ {
			s, _ := socket.Connect(socket.ConnectOptions{Loop: cl.Loops()[0], Host: "127.0.0.1", Port: info.Port}, func() {
				if connects.Add(1) == n {
					close(allUp)
				}
			})
			s.OnError(func(error) {})
			s.OnClose(func(bool) { closes.Add(1) })
		}
	})
	wait(t, allUp, "connections")
	wait(t, allAccepted, "the server's connections")
	if c := srv.Connections(); c != n {
		t.Fatalf("server counts %d connections, want %d", c, n)
	}
	g.Stop() // server loops go away under open connections
	cl.Stop()
	if c := closes.Load(); c != n {
		t.Fatalf("%d of %d client sockets closed on Stop", c, n)
	}
	if srv.Connections() != 0 {
		t.Fatalf("server still counts %d connections after Stop", srv.Connections())
	}
}

// TestPanickingCallback: a data listener that panics destroys its own socket
// with ERR_NODENET_CALLBACK_PANIC; the server keeps serving the others.
func TestPanickingCallback(t *testing.T) {
	checkLeaks(t)
	e := newEnv(t, serverOptions(), func(c *socket.Socket) {
		c.OnData(func(b []byte) {
			if bytes.Equal(b, []byte("boom")) {
				panic("user bug")
			}
			c.Send(b, nil)
		})
	})
	echoed := make(chan struct{})
	e.cliL.Post(func() {
		var bad *socket.Socket
		bad = e.connect(func() { bad.Send([]byte("boom"), nil) })
		bad.OnClose(func(bool) {
			var good *socket.Socket
			good = e.connect(func() { good.Send([]byte("fine"), nil) })
			good.OnData(func(b []byte) { close(echoed); good.Destroy(nil) })
		})
		bad.OnError(func(error) {})
	})
	wait(t, echoed, "the server to keep serving after a panic")
	// The panic must have become the server socket's error: check via a
	// second server whose socket reports it.
	errCh := make(chan error, 1)
	e2 := newEnv(t, serverOptions(), func(c *socket.Socket) {
		c.OnError(func(err error) { errCh <- err })
		c.OnData(func([]byte) { panic(errors.New("user bug")) })
	})
	e2.cliL.Post(func() {
		var s *socket.Socket
		s = e2.connect(func() { s.Send([]byte("x"), nil) })
		s.OnError(func(error) {})
	})
	select {
	case err := <-errCh:
		var ne *nodenet.Error
		if !errors.As(err, &ne) || ne.Code != nodenet.CodeCallbackPanic {
			t.Fatalf("error %v, want %s", err, nodenet.CodeCallbackPanic)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("panic did not become the socket's error")
	}
}

// TestEndWithMegabytesQueued: End with 8 MiB still queued delivers every
// byte, then FIN, and calls back after finish.
func TestEndWithMegabytesQueued(t *testing.T) {
	checkLeaks(t)
	payload := bytes.Repeat([]byte("0123456789abcdef"), 8<<20/16)
	finished := make(chan error, 1)
	e := newEnv(t, serverOptions(), func(c *socket.Socket) {
		c.End(payload, func(err error) { finished <- err })
	})
	got := make(chan []byte, 1)
	e.cliL.Post(func() {
		var buf bytes.Buffer
		s := e.connect(nil)
		s.OnData(func(b []byte) { buf.Write(b) })
		s.OnEnd(func() { got <- buf.Bytes() })
	})
	var b []byte
	select {
	case b = <-got:
	case <-time.After(60 * time.Second):
		t.Fatal("no end")
	}
	if !bytes.Equal(b, payload) {
		t.Fatalf("received %d bytes, want %d intact", len(b), len(payload))
	}
	select {
	case err := <-finished:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("End callback never ran")
	}
}

// TestDestroyDuringConnectAndLookup: destroying while the connect or the
// lookup is in flight emits close only, and a late lookup answer is ignored.
func TestDestroyDuringConnectAndLookup(t *testing.T) {
	checkLeaks(t)
	e := newEnv(t, serverOptions(), echoServer)
	release := make(chan struct{})
	lookupCalled := make(chan struct{})
	type outcome struct{ connect, errored, closed bool }
	results := make(chan outcome, 2)
	e.cliL.Post(func() {
		// During the lookup: a resolver that answers only after the destroy.
		var o1 outcome
		s1, err := socket.Connect(socket.ConnectOptions{Loop: e.cliL, Host: "slow.test", Port: e.port,
			Lookup: func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
				close(lookupCalled)
				<-release
				return []socket.LookupAddress{{Address: "127.0.0.1", Family: 4}}, nil
			}}, func() { o1.connect = true })
		if err != nil {
			t.Error(err)
			return
		}
		s1.OnError(func(error) { o1.errored = true })
		s1.OnClose(func(bool) {
			o1.closed = true
			results <- o1
		})
		go func() {
			<-lookupCalled
			s1.Destroy(nil)
			// Let the lookup answer after the destroy was processed.
			e.cliL.Post(func() { close(release) })
		}()
		// During the connect: destroy in the same tick as Connect.
		var o2 outcome
		s2 := e.connect(func() { o2.connect = true })
		s2.OnError(func(error) { o2.errored = true })
		s2.OnClose(func(bool) {
			o2.closed = true
			results <- o2
		})
		s2.Destroy(nil)
	})
	for i := 0; i < 2; i++ {
		select {
		case o := <-results:
			if o.connect || o.errored || !o.closed {
				t.Fatalf("destroy in flight: %+v, want close only", o)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("no close")
		}
	}
}

// TestDestroyInsideEveryCallback: destroying from inside each event's
// listener is safe and yields exactly one close.
func TestDestroyInsideEveryCallback(t *testing.T) {
	checkLeaks(t)
	e := newEnv(t, serverOptions(), func(c *socket.Socket) {
		c.OnData(func(b []byte) { c.Send(b, nil) })
		c.OnEnd(func() { c.End(nil, nil) })
	})
	events := []string{"lookup", "connect", "ready", "data", "drain", "end", "finish", "timeout", "error"}
	for _, ev := range events {
		ev := ev
		t.Run(ev, func(t *testing.T) {
			var closes atomic.Int64
			done := make(chan struct{})
			e.cliL.Post(func() {
				opts := socket.ConnectOptions{Loop: e.cliL, Host: "127.0.0.1", Port: e.port, StreamOptions: socket.StreamOptions{HighWaterMark: 1}}
				switch ev {
				case "lookup":
					opts.Host = "localhost"
					opts.Family = 4
				case "error":
					opts.Port = refusedPort(t)
				}
				var s *socket.Socket
				kill := func() { s.Destroy(nil); s.Destroy(errors.New("twice")) }
				s, _ = socket.Connect(opts, nil)
				s.OnError(func(error) {
					if ev == "error" {
						kill()
					}
				})
				s.OnClose(func(bool) {
					if closes.Add(1) == 1 {
						close(done)
					}
				})
				switch ev {
				case "lookup":
					s.OnLookup(func(error, string, int, string) { kill() })
				case "connect":
					s.OnConnect(kill)
				case "ready":
					s.OnReady(kill)
				case "data":
					s.OnConnect(func() { s.Send([]byte("x"), nil) })
					s.OnData(func([]byte) { kill() })
				case "drain":
					// Corked, the write waits in the queue: it returns false
					// (2 bytes > highWaterMark 1) and 'drain' follows the
					// Uncork. (A write the kernel takes whole returns true
					// and is followed by no 'drain', as in Node.)
					s.OnConnect(func() { s.Cork(); s.Send([]byte("xy"), nil); s.Uncork() })
					s.OnDrain(kill)
				case "end":
					s.OnConnect(func() { s.End(nil, nil) })
					s.OnData(func([]byte) {})
					s.OnEnd(kill)
				case "finish":
					s.OnConnect(func() { s.End(nil, nil) })
					s.OnFinish(kill)
				case "timeout":
					s.SetTimeout(20*time.Millisecond, kill)
				}
			})
			wait(t, done, "close after destroy in "+ev)
			e.cliL.Post(func() {})
			if n := closes.Load(); n != 1 {
				t.Fatalf("%d closes", n)
			}
		})
	}
}

// refusedPort returns a loopback port nothing listens on.
func refusedPort(t testing.TB) int {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Held bound (never listening) until the test ends: released at once,
	// the number could be taken by another process's listener or the
	// kernel's ephemeral pick for some connect, and the connect succeed.
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return sa.(*unix.SockaddrInet4).Port
}

// TestConnectRefused: ECONNREFUSED with Node's code, message and fields,
// unwrapping to the errno.
func TestConnectRefused(t *testing.T) {
	checkLeaks(t)
	l, _ := reactor.New()
	port := refusedPort(t)
	var got error
	s, err := socket.Connect(socket.ConnectOptions{Loop: l, Host: "127.0.0.1", Port: port}, func() { t.Error("connected") })
	if err != nil {
		t.Fatal(err)
	}
	s.OnError(func(err error) { got = err })
	l.Run()
	l.Stop()
	var ne *nodenet.Error
	if !errors.As(got, &ne) || ne.Code != "ECONNREFUSED" || ne.Port != port || ne.Address != "127.0.0.1" || ne.Syscall != "connect" {
		t.Fatalf("error %#v", got)
	}
	if !errors.Is(got, unix.ECONNREFUSED) {
		t.Fatal("does not unwrap to ECONNREFUSED")
	}
}

// TestConnectTimeoutFullBacklog: a peer whose accept queue is full drops
// our SYN; ConnectTimeout destroys the socket with ETIMEDOUT.
func TestConnectTimeoutFullBacklog(t *testing.T) {
	checkLeaks(t)
	lfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(lfd)
	unix.Bind(lfd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})
	unix.Listen(lfd, 0) // never accepted
	sa, _ := unix.Getsockname(lfd)
	port := sa.(*unix.SockaddrInet4).Port
	// Fill the accept queue with completed handshakes.
	var fillers []int
	defer func() {
		for _, fd := range fillers {
			unix.Close(fd)
		}
	}()
	for i := 0; i < 4; i++ {
		fd, _ := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		unix.Connect(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: port})
		fillers = append(fillers, fd)
	}
	l, _ := reactor.New()
	var got error
	s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Host: "127.0.0.1", Port: port, ConnectTimeout: 300 * time.Millisecond},
		func() { t.Error("connected to a full backlog") })
	s.OnError(func(err error) { got = err })
	l.Run()
	l.Stop()
	if !errors.Is(got, unix.ETIMEDOUT) {
		t.Fatalf("error %v, want ETIMEDOUT", got)
	}
}
