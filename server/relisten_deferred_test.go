//go:build linux || windows

package server_test

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// TestNS054_RelistenBeforeCloseRan: Listen, Close and Listen on the same
// port, then Close, off the loop before it ran any of them (Node's
// listen(0); close(cb1); listen(port); close(cb2) in one tick). The second
// bind meets the first listen's descriptor, which only the loop closes, so
// it is retried there; meanwhile the server answers as Node's, which bound
// at the call: Listening is true and Address the port, and the Close after
// it gets no error. It used to report not listening, no address, and
// ERR_SERVER_NOT_RUNNING to cb2. Node v26, all in one tick, prints
// close,cb1 nil,cb2 nil,close; here each call off the loop is a loop task
// of its own, so the first close's tick runs before the second Close's
// task added cb2: the same events and errors, cb2 one 'close' later. The
// port is free afterwards (the void retry bound nothing).
func TestNS054_RelistenBeforeCloseRan(t *testing.T) {
	l := newLoop(t)
	srv := newServer(t, server.Options{Loop: l}, nil)
	var order []string
	log := func(s string) { order = append(order, s) }
	errCode := func(err error) string {
		if err == nil {
			return "nil"
		}
		return nodenet.ErrnoCode(err)
	}
	srv.OnListening(func() { log("listening") })
	srv.OnClose(func() { log("close") })
	srv.OnError(func(err error) { log("error " + errCode(err)) })
	if err := srv.Listen(server.ListenOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	p := port(t, srv)
	srv.Close(func(err error) { log("cb1 " + errCode(err)) })
	if err := srv.Listen(server.ListenOptions{Port: p}, nil); err != nil {
		t.Fatal(err)
	}
	if !srv.Listening() || srv.Address() == nil || port(t, srv) != p {
		t.Errorf("right after the second Listen: Listening %v, Address %v; want true and port %d", srv.Listening(), srv.Address(), p)
	}
	if a, ok := srv.AddressInfo(); !ok || (a.Family != "IPv6" && a.Family != "IPv4") {
		t.Errorf("AddressInfo %+v, %v", a, ok)
	}
	srv.Close(func(err error) { log("cb2 " + errCode(err)) })
	run(t, l)
	if got, want := strings.Join(order, ","), "close,cb1 nil,close,cb2 nil"; got != want {
		t.Errorf("events %s, want %s", got, want)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(p)))
	if err != nil {
		t.Fatalf("port %d after both closes: %v", p, err)
	}
	ln.Close()
}

// TestRelistenBeforeCloseRanThenBinds: the retried bind of a listen that
// met a pending Close's descriptor binds once the loop closed it:
// 'listening' with the same port, and a connection is accepted.
func TestRelistenBeforeCloseRanThenBinds(t *testing.T) {
	l := newLoop(t)
	conns := make(chan struct{}, 1)
	var srv *server.Server
	srv = newServer(t, server.Options{Loop: l}, nil)
	srv.OnConnection(func(c *socket.Socket) { c.Destroy(nil); conns <- struct{}{} })
	srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
	if err := srv.Listen(server.ListenOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	p := port(t, srv)
	srv.Close(nil)
	listening := make(chan int, 1)
	if err := srv.Listen(server.ListenOptions{Port: p}, func() { listening <- port(t, srv) }); err != nil {
		t.Fatal(err)
	}
	wait := goRun(t, l)
	if got := recv(t, listening, "listening"); got != p {
		t.Errorf("listening on port %d, want %d", got, p)
	}
	dial(t, "tcp", loopback(p)).Close()
	recv(t, conns, "the connection")
	srv.Close(nil)
	wait()
}
