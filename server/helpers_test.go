//go:build linux || windows

package server_test

import (
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// hangGuard bounds every wait in these tests. It is only a guard against a
// hang: nothing is synchronised on time.
const hangGuard = 20 * time.Second

func newLoop(t testing.TB) *reactor.Loop { return looptest.New(t) }

func newServer(t testing.TB, o server.Options, onConn func(*socket.Socket)) *server.Server {
	t.Helper()
	s, err := server.New(o, onConn)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// run runs l until nothing refed is left (Node's "the process exits"); a
// loop that does not finish in time is stopped and the test fails.
func run(t *testing.T, l *reactor.Loop) { t.Helper(); looptest.Run(t, l, hangGuard) }

// goRun runs l on its own goroutine; the returned wait blocks until Run
// returned (failing the test if it does not in time).
func goRun(t *testing.T, l *reactor.Loop) (wait func()) { return looptest.GoRun(t, l, hangGuard) }

// recv waits for one value from ch, failing the test after the hang guard.
func recv[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(hangGuard):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

// onLoop runs fn on l's goroutine and waits for it (l must be running).
func onLoop(t testing.TB, l *reactor.Loop, fn func()) {
	t.Helper()
	done := make(chan struct{})
	if err := l.Post(func() { fn(); close(done) }); err != nil {
		t.Fatal(err)
	}
	recv(t, done, "a task on the loop")
}

func nodeErr(t testing.TB, err error) *nodenet.Error {
	t.Helper()
	var ne *nodenet.Error
	if !errors.As(err, &ne) {
		t.Fatalf("error %v (%T) is not a *nodenet.Error", err, err)
	}
	return ne
}

func wantCode(t testing.TB, err error, code string) *nodenet.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	ne := nodeErr(t, err)
	if ne.Code != code {
		t.Fatalf("error code %q (%v), want %q", ne.Code, err, code)
	}
	return ne
}

func port(t testing.TB, s *server.Server) int {
	t.Helper()
	a, ok := s.Address().(*net.TCPAddr)
	if !ok {
		t.Fatalf("Address() = %#v, want *net.TCPAddr", s.Address())
	}
	return a.Port
}

func dial(t testing.TB, network, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout(network, addr, hangGuard)
	if err != nil {
		t.Fatalf("dial %s %s: %v", network, addr, err)
	}
	_ = c.SetDeadline(time.Now().Add(hangGuard))
	return c
}

func loopback(p int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(p)) }

// readAllNoData reads c to its end and fails if any byte arrives; EOF and
// ECONNRESET both count as "closed without data" (Node accepts either).
func readAllNoData(t testing.TB, c net.Conn) {
	t.Helper()
	b, err := io.ReadAll(c)
	if len(b) != 0 {
		t.Errorf("rejected connection received %q", b)
	}
	if err != nil && !isReset(err) {
		t.Errorf("rejected connection: %v, want EOF or ECONNRESET", err)
	}
}

func isReset(err error) bool {
	return err != nil && (strings.Contains(strings.ToLower(err.Error()), "connection reset") || errors.Is(err, io.ErrUnexpectedEOF))
}

// sockPath is a short Unix socket path in a fresh temporary directory.
func sockPath(t testing.TB, name string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "nn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, name)
}

// listenLoopback starts srv on 127.0.0.1 (an OS-chosen port), fails the test
// on any error event, runs l on its own goroutine and returns once the server
// is listening, with the function that waits for Run to return.
func listenLoopback(t *testing.T, l *reactor.Loop, srv *server.Server) (wait func()) {
	t.Helper()
	srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
	listening := make(chan struct{})
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { close(listening) }); err != nil {
		t.Fatal(err)
	}
	wait = goRun(t, l)
	recv(t, listening, "listening")
	return wait
}
