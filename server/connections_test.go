//go:build linux || windows

package server_test

import (
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// clientsUntilEOF dials n clients one after the other (each connected before
// the next is dialed) and reads each to its end on its own goroutine.
func clientsUntilEOF(t *testing.T, addr string, n int) *sync.WaitGroup {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			c, err := net.DialTimeout("tcp", addr, hangGuard)
			if err != nil {
				t.Errorf("dial: %v", err)
				return
			}
			_ = c.SetDeadline(time.Now().Add(hangGuard))
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	return &wg
}

// NC-002: Close stops accepting but leaves the connections alone; 'close'
// fires once, only after the last connection is gone.
func TestNC002_CloseWaitsForConnections(t *testing.T) {
	l := newLoop(t)
	var srv *server.Server
	var socks []*socket.Socket
	sockCloses := []int{0, 0}
	serverCloses := 0
	srv = newServer(t, server.Options{Loop: l}, func(c *socket.Socket) {
		i := len(socks)
		socks = append(socks, c)
		c.OnClose(func(bool) {
			sockCloses[i]++
			if i == 0 {
				// One connection left: the server must still wait.
				if serverCloses != 0 {
					t.Error("server 'close' before its last connection ended")
				}
				if n := srv.Connections(); n != 1 {
					t.Errorf("Connections() = %d after the first close, want 1", n)
				}
				socks[1].Destroy(nil)
			}
		})
		if len(socks) == 2 {
			if got := srv.Close(nil); got != srv {
				t.Error("Close did not return the server")
			}
			if srv.Listening() {
				t.Error("Listening() after Close")
			}
			if socks[0].Destroyed() || socks[1].Destroyed() {
				t.Error("Close destroyed accepted sockets")
			}
			socks[0].Destroy(nil)
		}
	})
	srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
	srv.OnClose(func() {
		serverCloses++
		if n := srv.Connections(); n != 0 {
			t.Errorf("server 'close' with %d connections", n)
		}
	})
	var clients *sync.WaitGroup
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
		clients = clientsUntilEOF(t, loopback(port(t, srv)), 2)
	}); err != nil {
		t.Fatal(err)
	}
	run(t, l)
	clients.Wait()
	if sockCloses[0] != 1 || sockCloses[1] != 1 || serverCloses != 1 {
		t.Errorf("socket close events %v, server close events %d; want [1 1], 1", sockCloses, serverCloses)
	}
}

// NC-007: the accepted socket's Owner is the server; GetConnections returns
// the server and calls back asynchronously with the count, which includes
// the connection being handled.
func TestNC007_SocketServerAndGetConnections(t *testing.T) {
	l := newLoop(t)
	var srv *server.Server
	calls := 0
	srv = newServer(t, server.Options{Loop: l}, func(c *socket.Socket) {
		if c.Owner() != srv {
			t.Errorf("socket.Owner() = %v, want the server", c.Owner())
		}
		returned := false
		if got := srv.GetConnections(func(err error, n int) {
			calls++
			if !returned {
				t.Error("GetConnections called back synchronously")
			}
			if err != nil || n != 1 {
				t.Errorf("GetConnections: (%v, %d), want (nil, 1)", err, n)
			}
			c.Destroy(nil)
			srv.Close(nil)
		}); got != srv {
			t.Error("GetConnections did not return the server")
		}
		returned = true
	})
	srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
	var clients *sync.WaitGroup
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
		clients = clientsUntilEOF(t, loopback(port(t, srv)), 1)
	}); err != nil {
		t.Fatal(err)
	}
	run(t, l)
	clients.Wait()
	if calls != 1 {
		t.Errorf("GetConnections callbacks %d, want 1", calls)
	}
}

// NC-008: maxConnections closes excess connections at once (no
// 'connection', no data; the client sees connect then EOF or reset) and
// emits 'drop' with the addresses; the limit counts live connections.
func TestNC008_MaxConnections(t *testing.T) {
	t.Run("TwentyClientsLimitTen", func(t *testing.T) {
		l := newLoop(t)
		var accepted []*socket.Socket
		srv := newServer(t, server.Options{Loop: l}, func(c *socket.Socket) {
			accepted = append(accepted, c)
			c.Resume()
			c.Send([]byte("hello"), nil)
		})
		srv.SetMaxConnections(10)
		if srv.MaxConnections() != 10 {
			t.Fatalf("MaxConnections() = %d", srv.MaxConnections())
		}
		drops := make(chan server.DropInfo, 20)
		srv.OnDrop(func(d server.DropInfo) { drops <- d })
		wait := listenLoopback(t, l, srv)
		p := port(t, srv)
		conns := make([]net.Conn, 20)
		var closeOrder []int
		for i := range conns {
			conns[i] = dial(t, "tcp", loopback(p)) // 'connect': the handshake completed
			if i < 10 {
				buf := make([]byte, 5)
				if _, err := io.ReadFull(conns[i], buf); err != nil || string(buf) != "hello" {
					t.Fatalf("client %d: read %q, %v; want hello", i, buf, err)
				}
				continue
			}
			readAllNoData(t, conns[i])
			conns[i].Close()
			closeOrder = append(closeOrder, i)
			d := recv(t, drops, "drop")
			if d.LocalAddress == "" || d.LocalPort == 0 || d.RemoteAddress == "" || d.RemotePort == 0 || d.RemoteFamily == "" || d.LocalFamily == "" {
				t.Errorf("drop info %+v has empty fields", d)
			}
		}
		if n := srv.Connections(); n != 10 {
			t.Errorf("Connections() = %d, want 10", n)
		}
		// Only now (10 rejected clients closed) end the accepted ones.
		onLoop(t, l, func() {
			if len(accepted) != 10 {
				t.Errorf("%d connection events, want 10", len(accepted))
			}
			for _, c := range accepted {
				c.End(nil, nil)
			}
		})
		for i := 0; i < 10; i++ {
			readAllNoData(t, conns[i]) // 'hello' was read already
			conns[i].Close()
			closeOrder = append(closeOrder, i)
		}
		for k, i := range closeOrder[:9] {
			if i < 10 {
				t.Errorf("close event #%d is client %d, want a rejected one (>= 10)", k, i)
			}
		}
		select {
		case d := <-drops:
			t.Errorf("extra drop %+v", d)
		default:
		}
		srv.Close(nil)
		wait()
	})

	t.Run("LimitCountsLiveConnections", func(t *testing.T) {
		l := newLoop(t)
		got := make(chan string, 8)
		closed := make(chan struct{}, 8)
		srv := newServer(t, server.Options{Loop: l}, func(c *socket.Socket) {
			c.OnData(func(b []byte) { got <- string(b) })
			c.OnClose(func(bool) { closed <- struct{}{} })
		})
		srv.SetMaxConnections(1)
		drops := make(chan server.DropInfo, 8)
		srv.OnDrop(func(d server.DropInfo) { drops <- d })
		wait := listenLoopback(t, l, srv)
		addr := loopback(port(t, srv))
		send := func(c net.Conn, msg string) { _, _ = c.Write([]byte(msg)) } // a rejected one may fail
		c0 := dial(t, "tcp", addr)
		send(c0, "0")
		if m := recv(t, got, "message 0"); m != "0" {
			t.Fatalf("server got %q, want 0", m)
		}
		c1 := dial(t, "tcp", addr)
		send(c1, "1")
		readAllNoData(t, c1)
		recv(t, drops, "drop of client 1")
		c0.Close()
		recv(t, closed, "close of connection 0") // the live count is 0 now
		c2 := dial(t, "tcp", addr)
		send(c2, "2")
		if m := recv(t, got, "message 2"); m != "2" {
			t.Fatalf("server got %q, want 2", m)
		}
		c3 := dial(t, "tcp", addr)
		send(c3, "3")
		readAllNoData(t, c3)
		recv(t, drops, "drop of client 3")
		c2.Close()
		recv(t, closed, "close of connection 2")
		c1.Close()
		c3.Close()
		select {
		case m := <-got:
			t.Errorf("server received %q from a rejected client", m)
		default:
		}
		srv.Close(nil)
		wait()
	})

	t.Run("ZeroRejectsAll", func(t *testing.T) {
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, func(*socket.Socket) { t.Error("connection event with maxConnections 0") })
		srv.SetMaxConnections(0)
		var drop server.DropInfo
		var clientLocal *net.TCPAddr
		done := make(chan struct{})
		srv.OnDrop(func(d server.DropInfo) { drop = d; srv.Close(nil) })
		if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
			go func() {
				defer close(done)
				c := dial(t, "tcp", loopback(port(t, srv)))
				clientLocal = c.LocalAddr().(*net.TCPAddr)
				readAllNoData(t, c)
				c.Close()
			}()
		}); err != nil {
			t.Fatal(err)
		}
		run(t, l)
		<-done
		want := server.DropInfo{LocalAddress: "127.0.0.1", LocalFamily: "IPv4", LocalPort: drop.LocalPort,
			RemoteAddress: "127.0.0.1", RemoteFamily: "IPv4", RemotePort: clientLocal.Port}
		if drop != want || drop.LocalPort == 0 {
			t.Errorf("drop %+v, want %+v", drop, want)
		}
	})

	t.Run("UnixDropHasNoNames", func(t *testing.T) {
		if !haveUnixSockets {
			t.Skip("no Unix domain sockets on " + runtime.GOOS)
		}
		path := sockPath(t, "drop.sock")
		l := newLoop(t)
		srv := newServer(t, server.Options{Loop: l}, func(*socket.Socket) { t.Error("connection event") })
		srv.SetMaxConnections(0)
		drops := 0
		var drop server.DropInfo
		done := make(chan struct{})
		srv.OnDrop(func(d server.DropInfo) { drops++; drop = d; srv.Close(nil) })
		if err := srv.ListenUnix(path, func() {
			go func() {
				defer close(done)
				c := dial(t, "unix", path)
				readAllNoData(t, c)
				c.Close()
			}()
		}); err != nil {
			t.Fatal(err)
		}
		run(t, l)
		<-done
		if drops != 1 || drop != (server.DropInfo{}) {
			t.Errorf("drops %d, info %+v; want 1 with no names", drops, drop)
		}
	})
}

// NC-037: PauseOnConnect delivers sockets that do not read (BytesRead stays
// 0, no data event) until Resume; without it data flows at once.
func TestNC037_PauseOnConnect(t *testing.T) {
	for _, paused := range []bool{true, false} {
		name := map[bool]string{true: "Paused", false: "Flowing"}[paused]
		t.Run(name, func(t *testing.T) {
			l := newLoop(t)
			var srv *server.Server
			var data []byte
			resumed := false
			srv = newServer(t, server.Options{Loop: l, PauseOnConnect: paused}, func(c *socket.Socket) {
				c.OnData(func(b []byte) {
					if paused && !resumed {
						t.Errorf("data %q before Resume", b)
					}
					data = append(data, b...)
					if len(data) >= 4 {
						c.Destroy(nil)
						srv.Close(nil)
					}
				})
				if !paused {
					return
				}
				if !c.IsPaused() {
					t.Error("IsPaused() = false on a PauseOnConnect socket")
				}
				// Wait until the 4 bytes sit in the kernel's receive queue,
				// then let the loop poll once more: a socket that read would
				// have been handed them by now.
				var tm *reactor.Timer
				tm = l.SetInterval(time.Millisecond, func() {
					n, err := bytesWaiting(c.FD())
					if err != nil {
						t.Errorf("SIOCINQ: %v", err)
					}
					if n < 4 {
						return
					}
					tm.Stop()
					l.SetImmediate(func() {
						if len(data) != 0 || c.BytesRead() != 0 {
							t.Errorf("paused socket read: data %q, BytesRead %d", data, c.BytesRead())
						}
						resumed = true
						c.Resume()
					})
				})
			})
			srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
			done := make(chan struct{})
			if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
				go func() {
					defer close(done)
					c := dial(t, "tcp", loopback(port(t, srv)))
					defer c.Close()
					if _, err := c.Write([]byte("test")); err != nil {
						t.Error(err)
					}
					_, _ = io.Copy(io.Discard, c)
				}()
			}); err != nil {
				t.Fatal(err)
			}
			run(t, l)
			<-done
			if string(data) != "test" {
				t.Errorf("server received %q, want test", data)
			}
		})
	}
}

// NC-066: an unref'd server does not keep Run going, whether Unref came
// before or after Listen, for TCP and Unix servers; Ref undoes it.
func TestNC066_Unref(t *testing.T) {
	cases := []struct {
		name        string
		unrefBefore bool
		opts        func(t *testing.T) server.ListenOptions
	}{
		{"ListenThenUnref", false, func(*testing.T) server.ListenOptions { return server.ListenOptions{Host: "127.0.0.1"} }},
		{"UnrefThenListen", true, func(*testing.T) server.ListenOptions { return server.ListenOptions{} }},
		{"UnixListenThenUnref", false, func(t *testing.T) server.ListenOptions { return server.ListenOptions{Path: sockPath(t, "u.sock")} }},
		{"UnixUnrefThenListen", true, func(t *testing.T) server.ListenOptions { return server.ListenOptions{Path: sockPath(t, "u.sock")} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if strings.HasPrefix(c.name, "Unix") && !haveUnixSockets {
				t.Skip("no Unix domain sockets on " + runtime.GOOS)
			}
			l := newLoop(t)
			srv := newServer(t, server.Options{Loop: l}, nil)
			srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
			listened := false
			if c.unrefBefore {
				srv.Unref()
			}
			if err := srv.Listen(c.opts(t), func() { listened = true }); err != nil {
				t.Fatal(err)
			}
			if !c.unrefBefore {
				srv.Unref()
			}
			run(t, l) // returns although the server listens
			if !listened || !srv.Listening() {
				t.Fatalf("listened %v, Listening() %v", listened, srv.Listening())
			}
			// The unref survives Close and a new Listen.
			srv.Close(nil)
			relistened := false
			if err := srv.Listen(c.opts(t), func() { relistened = true }); err != nil {
				t.Fatal(err)
			}
			run(t, l)
			if !relistened || !srv.Listening() {
				t.Fatalf("second listen: listened %v, Listening() %v", relistened, srv.Listening())
			}
			srv.Close(nil)
			run(t, l)
		})
	}
	t.Run("RefUndoesUnref", func(t *testing.T) {
		// After Unref then Ref the server holds Run until a client arrives
		// and the connection handler closes it.
		l := newLoop(t)
		var srv *server.Server
		connected := false
		srv = newServer(t, server.Options{Loop: l}, func(c *socket.Socket) {
			connected = true
			c.Destroy(nil)
			srv.Close(nil)
		})
		srv.Unref()
		srv.Ref()
		var clients *sync.WaitGroup
		if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
			clients = clientsUntilEOF(t, loopback(port(t, srv)), 1)
		}); err != nil {
			t.Fatal(err)
		}
		run(t, l)
		clients.Wait()
		if !connected {
			t.Error("Run returned before the client connected: Ref did not hold it")
		}
	})
}
