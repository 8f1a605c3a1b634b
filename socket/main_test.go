//go:build linux || windows

package socket_test

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	"go.uber.org/goleak"
)

// The resolver pool's workers exit as soon as their queue is empty, and
// every loop these tests start is run to completion or stopped, so nothing
// may be left running when the package's tests are done.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newLoop makes a loop that is stopped when the test ends.
func newLoop(t testing.TB) *reactor.Loop { return looptest.New(t) }

// hangGuard bounds how long a test's loop may run: it is a guard against a
// hang, never a synchroniser.
var hangGuard = 60 * time.Second

// run runs l until it returns (nothing refed is left), failing the test if
// that takes longer than the hang guard.
func run(t testing.TB, l *reactor.Loop) { t.Helper(); looptest.Run(t, l, hangGuard) }

// start posts setup onto l and runs l to completion.
func start(t testing.TB, l *reactor.Loop, setup func()) {
	t.Helper()
	if err := l.Post(setup); err != nil {
		t.Fatal(err)
	}
	run(t, l)
}

// listen starts a nodenet server on 127.0.0.1 (must be called on l) and
// calls ready with its port once it listens.
func listen(t testing.TB, l *reactor.Loop, o server.Options, onConn func(*socket.Socket), ready func(srv *server.Server, port int)) *server.Server {
	t.Helper()
	o.Loop = l
	srv, err := server.New(o, onConn)
	if err != nil {
		t.Error(err)
		return nil
	}
	srv.OnError(func(err error) { t.Errorf("server error: %v", err) })
	var lerr error
	lerr = srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
		a, ok := srv.AddressInfo()
		if !ok {
			t.Errorf("listening but no address")
			return
		}
		ready(srv, a.Port)
	})
	if lerr != nil {
		t.Error(lerr)
	}
	return srv
}

// freePort returns a loopback port that nothing listens on (bound, then
// released).
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return p
}

// refusedPort returns a port on ip that refuses connections for the rest of
// the test: a socket is bound to it and never listens. Unlike a port that
// was free a moment ago (freePort), nobody else can take it meanwhile —
// neither another listener nor the kernel's ephemeral pick for some
// connect — so a connect to it is refused every time.
func refusedPort(t testing.TB, ip string) int {
	t.Helper()
	addr := netip.MustParseAddr(ip)
	fd, err := sysnet.Socket(addr.Is6())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sysnet.Close(fd) })
	if err := sysnet.Bind(fd, netip.AddrPortFrom(addr, 0)); err != nil {
		t.Fatal(err)
	}
	la, err := sysnet.LocalAddr(fd)
	if err != nil {
		t.Fatal(err)
	}
	return int(la.IP.Port())
}

// refusedPortDual is refusedPort held on both 127.0.0.1 and ::1 (when
// there is an IPv6 loopback), for a name that resolves to both.
func refusedPortDual(t testing.TB) int {
	t.Helper()
	if !hasIPv6() {
		return refusedPort(t, "127.0.0.1")
	}
	for try := 0; try < 100; try++ {
		fd4, err := sysnet.Socket(false)
		if err != nil {
			t.Fatal(err)
		}
		if err := sysnet.Bind(fd4, netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 0)); err != nil {
			t.Fatal(err)
		}
		la, err := sysnet.LocalAddr(fd4)
		if err != nil {
			t.Fatal(err)
		}
		fd6, err := sysnet.Socket(true)
		if err != nil {
			t.Fatal(err)
		}
		if err := sysnet.Bind(fd6, netip.AddrPortFrom(netip.IPv6Loopback(), la.IP.Port())); err != nil {
			// Taken on ::1 by somebody else: try another number.
			sysnet.Close(fd4)
			sysnet.Close(fd6)
			continue
		}
		t.Cleanup(func() { sysnet.Close(fd4); sysnet.Close(fd6) })
		return int(la.IP.Port())
	}
	t.Fatal("no port free on both 127.0.0.1 and ::1 in 100 tries")
	return 0
}

// freePortOn is freePort on the given IP (the family the test binds).
func freePortOn(t testing.TB, ip string) int {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	p := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return p
}

// hasIPv6 reports whether ::1 can be bound here.
func hasIPv6() bool {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

func code(err error) string {
	var e *nodenet.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func nerr(t testing.TB, err error) *nodenet.Error {
	t.Helper()
	var e *nodenet.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not a *nodenet.Error", err, err)
	}
	return e
}

func itoa(i int) string { return strconv.Itoa(i) }

func boolp(b bool) *bool { return &b }

// events records an ordered event log (loop goroutine only).
type events []string

func (e *events) add(s string) { *e = append(*e, s) }

func (e events) String() string {
	s := ""
	for i, x := range e {
		if i > 0 {
			s += ","
		}
		s += x
	}
	return s
}
