package server_test

import (
	"io"
	"net"
	"testing"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// dialFrom connects to the server from a local address of the loopback
// network, as a client on another host would.
func dialFrom(t *testing.T, local, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: hangGuard, LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s from %s: %v", addr, local, err)
	}
	return c
}

// Node's blockList option of createServer (conformance blocklist; nodenet
// had none): a connection from a blocked address is closed as soon as it is
// accepted — no 'connection', no 'drop', not counted — on a dual-stack
// listener too (the peer is ::ffff:127.0.0.2 there), and a rule removed
// while the server runs lets the next connection in.
func TestBlockListRefusesConnections(t *testing.T) {
	for _, host := range []string{"127.0.0.1", ""} {
		name := host
		if name == "" {
			name = "dual-stack"
		}
		t.Run(name, func(t *testing.T) {
			bl := nodenet.NewBlockList()
			if err := bl.AddAddress("127.0.0.2", ""); err != nil {
				t.Fatal(err)
			}
			l := newLoop(t)
			conns := make(chan string, 4)
			srv := newServer(t, server.Options{Loop: l, BlockList: bl}, func(c *socket.Socket) {
				conns <- c.RemoteAddress()
				c.End([]byte("hi"), nil)
			})
			srv.OnDrop(func(server.DropInfo) { t.Error("'drop' for a blocked connection") })
			srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
			listening := make(chan struct{})
			if err := srv.Listen(server.ListenOptions{Host: host}, func() { close(listening) }); err != nil {
				t.Fatal(err)
			}
			wait := goRun(t, l)
			recv(t, listening, "listening")
			addr := loopback(port(t, srv))

			blocked := dialFrom(t, "127.0.0.2", addr)
			readAllNoData(t, blocked)
			blocked.Close()
			// Closed by the server, so already given back: never counted.
			count := make(chan int, 1)
			onLoop(t, l, func() {
				srv.GetConnections(func(_ error, n int) { count <- n })
			})
			if n := recv(t, count, "GetConnections"); n != 0 {
				t.Errorf("%d connections counted after the blocked one", n)
			}
			allowed := dialFrom(t, "127.0.0.1", addr)
			if b, err := io.ReadAll(allowed); string(b) != "hi" || err != nil {
				t.Errorf("allowed connection read %q, %v", b, err)
			}
			allowed.Close()
			if got := recv(t, conns, "the allowed connection"); got != "127.0.0.1" && got != "::ffff:127.0.0.1" {
				t.Errorf("'connection' from %q", got)
			}

			if err := bl.RemoveAddress("127.0.0.2", ""); err != nil {
				t.Fatal(err)
			}
			again := dialFrom(t, "127.0.0.2", addr)
			if b, _ := io.ReadAll(again); string(b) != "hi" {
				t.Errorf("unblocked connection read %q", b)
			}
			again.Close()
			recv(t, conns, "the unblocked connection")

			onLoop(t, l, func() { srv.Close(nil) })
			wait()
		})
	}
}

// maxConnections is checked before the block list, as Node's onconnection
// does: a blocked connection over the limit is a 'drop'.
func TestBlockListAfterMaxConnections(t *testing.T) {
	bl := nodenet.NewBlockList()
	_ = bl.AddAddress("127.0.0.2", "")
	l := newLoop(t)
	drops := make(chan server.DropInfo, 1)
	srv := newServer(t, server.Options{Loop: l, BlockList: bl}, func(*socket.Socket) { t.Error("'connection'") })
	srv.SetMaxConnections(0)
	srv.OnDrop(func(d server.DropInfo) { drops <- d })
	wait := listenLoopback(t, l, srv)
	c := dialFrom(t, "127.0.0.2", loopback(port(t, srv)))
	readAllNoData(t, c)
	c.Close()
	if d := recv(t, drops, "'drop'"); d.RemoteAddress != "127.0.0.2" {
		t.Errorf("drop %+v", d)
	}
	onLoop(t, l, func() { srv.Close(nil) })
	wait()
}
