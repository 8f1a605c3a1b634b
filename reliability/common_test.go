//go:build linux

package reliability

import (
	"testing"
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// env is a server loop and a client loop, each on its own goroutine, kept
// alive until the test ends.
type env struct {
	t     *testing.T
	srvL  *reactor.Loop
	cliL  *reactor.Loop
	group *reactor.Group
	srv   *server.Server
	addr  string
	port  int
}

func newEnv(t *testing.T, opts server.Options, onConn func(*socket.Socket)) *env {
	t.Helper()
	g, err := reactor.NewGroup(2, reactor.RoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	g.Start()
	e := &env{t: t, group: g, srvL: g.Loops()[0], cliL: g.Loops()[1]}
	opts.Loop = e.srvL
	e.srv, err = server.New(opts, onConn)
	if err != nil {
		t.Fatal(err)
	}
	up := make(chan struct{})
	if err := e.srv.Listen(server.ListenOptions{Host: "127.0.0.1", Backlog: 4096}, func() { close(up) }); err != nil {
		t.Fatal(err)
	}
	wait(t, up, "listening")
	e.addr = e.srv.Address().String()
	info, _ := e.srv.AddressInfo()
	e.port = info.Port
	t.Cleanup(func() {
		done := make(chan struct{})
		e.srv.Close(func(error) { close(done) })
		// Close waits for connections; the group stop below tears the rest down.
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
		g.Stop()
	})
	return e
}

// connect makes a client socket on the client loop.
func (e *env) connect(cb func()) *socket.Socket {
	s, err := socket.Connect(socket.ConnectOptions{Loop: e.cliL, Host: "127.0.0.1", Port: e.port}, cb)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// wait blocks on ch with a hang guard.
func wait(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(60 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}
