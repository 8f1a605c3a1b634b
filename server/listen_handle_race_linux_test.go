package server_test

import (
	"sync"
	"testing"

	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	"golang.org/x/sys/unix"
)

// boundTCP is a TCP socket bound to an ephemeral port of 127.0.0.1, not
// listening, and its port.
func boundTCP(t *testing.T) (int, int) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	return fd, sa.(*unix.SockaddrInet4).Port
}

// churnDescriptors keeps two goroutines taking and freeing the lowest free
// descriptor numbers (bound sockets), so that a number freed by a close is
// soon another socket's; the returned func stops them and waits.
func churnDescriptors(t *testing.T) (stop func()) {
	done := make(chan struct{})
	var churn sync.WaitGroup
	for range 2 {
		churn.Add(1)
		go func() {
			defer churn.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				fd, _ := boundTCP(t)
				unix.Close(fd)
			}
		}()
	}
	return func() { close(done); churn.Wait() }
}

// TestListenSocketHandleRacesDestroy: Listen{Handle: sock} on a goroutine
// while the socket is destroyed on its loop, and other goroutines keep
// taking the lowest free descriptor numbers (bound sockets of their own).
// The listen either fails (the socket had no descriptor left) or listens on
// the socket's own port: it used to read FD() and then dup the number, so
// a destroy in between let it duplicate, and listen on, whichever socket
// had taken the number meanwhile.
func TestListenSocketHandleRacesDestroy(t *testing.T) {
	const rounds = 300
	l := newLoop(t)
	keep := newServer(t, server.Options{Loop: l}, nil)
	wait := listenLoopback(t, l, keep)
	stopChurn := churnDescriptors(t)
	for i := range rounds {
		fd, want := boundTCP(t)
		var sock *socket.Socket
		onLoop(t, l, func() {
			var err error
			if sock, err = socket.New(socket.Options{Loop: l, FD: fd}); err != nil {
				t.Fatal(err)
			}
		})
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnError(func(error) {}) // EBADF when the destroy came first
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); sock.Destroy(nil) }()
		if err := srv.Listen(server.ListenOptions{Handle: sock}, nil); err != nil {
			t.Fatal(err)
		}
		if a, ok := srv.AddressInfo(); ok && a.Port != want {
			t.Fatalf("round %d: listening on port %d, not the socket's %d: another descriptor was duplicated", i, a.Port, want)
		}
		wg.Wait()
		closed := make(chan struct{})
		srv.Close(func(error) { close(closed) })
		recv(t, closed, "close")
	}
	stopChurn()
	keep.Close(nil)
	wait()
}

// TestListenSocketHandleDestroyedBeforeDup: the socket is destroyed on its
// loop just as Listen{Handle: sock} is about to duplicate its descriptor,
// and another socket takes the freed number. The listen must not
// duplicate that number (it fails with EBADF: the socket has no descriptor
// left), and the other socket must not be listening. With the number read
// before the dup's lock, as FD() then Dup did, it listened on the other
// socket.
func TestListenSocketHandleDestroyedBeforeDup(t *testing.T) {
	l := newLoop(t)
	keep := newServer(t, server.Options{Loop: l}, nil)
	wait := listenLoopback(t, l, keep)
	defer func() { keep.Close(nil); wait() }()
	fd, _ := boundTCP(t)
	var sock *socket.Socket
	onLoop(t, l, func() {
		var err error
		if sock, err = socket.New(socket.Options{Loop: l, FD: fd}); err != nil {
			t.Fatal(err)
		}
	})
	other, reused := -1, false
	server.SetDupHandleHook(func() {
		onLoop(t, l, func() { sock.Destroy(nil) })
		other, _ = boundTCP(t)
		reused = other == fd
	})
	t.Cleanup(func() { server.SetDupHandleHook(nil) })
	srv := newServer(t, server.Options{Loop: l}, nil)
	errs := make(chan error, 1)
	srv.OnError(func(err error) { errs <- err })
	if err := srv.Listen(server.ListenOptions{Handle: sock}, nil); err != nil {
		t.Fatal(err)
	}
	server.SetDupHandleHook(nil)
	defer unix.Close(other)
	if !reused {
		t.Skipf("the freed descriptor %d went elsewhere (the other socket is %d): nothing to check", fd, other)
	}
	if v, err := unix.GetsockoptInt(other, unix.SOL_SOCKET, unix.SO_ACCEPTCONN); err != nil || v != 0 {
		t.Errorf("the socket that took the number is listening (SO_ACCEPTCONN %d, %v)", v, err)
	}
	listening := srv.Listening()
	closed := make(chan struct{})
	srv.Close(func(error) { close(closed) })
	recv(t, closed, "close")
	if listening {
		t.Fatal("Listen listened on the destroyed socket's old descriptor number")
	}
	wantCode(t, recv(t, errs, "the listen's error"), "EBADF")
}

// TestListenServerHandleClosedBeforeDup: the other server is closed just
// as Listen{Handle: other} has read its descriptor number and is about to
// duplicate it, and a new socket would take the freed number. The number
// must still be the other server's socket when it is duplicated: the
// close waits for the dup (the hook sees it reach the dup's lock), and
// the listen is on the other server's port. Read through firstFD and
// duplicated with no lock, as before, the close went through, the new
// socket took the number, and the listen was on that socket.
func TestListenServerHandleClosedBeforeDup(t *testing.T) {
	la, lb := newLoop(t), newLoop(t)
	keep := newServer(t, server.Options{Loop: la}, nil)
	waitA := listenLoopback(t, la, keep)
	defer func() { keep.Close(nil); waitA() }()
	other := newServer(t, server.Options{Loop: lb}, nil)
	waitB := listenLoopback(t, lb, other)
	defer waitB()
	a, ok := other.AddressInfo()
	if !ok {
		t.Fatal("the other server has no address")
	}
	closing := make(chan struct{}, 1)
	otherClosed := make(chan struct{})
	took, reused := -1, false
	server.SetDupServerHooks(func(fd int) {
		other.Close(func(error) { close(otherClosed) })
		select {
		case <-closing: // the close waits on the dup's lock
		case <-otherClosed: // the close went through: the number is free
			took, _ = boundTCP(t)
			reused = took == fd
		}
	}, func() {
		select {
		case closing <- struct{}{}:
		default:
		}
	})
	t.Cleanup(func() { server.SetDupServerHooks(nil, nil) })
	srv := newServer(t, server.Options{Loop: la}, nil)
	errs := make(chan error, 1)
	srv.OnError(func(err error) { errs <- err })
	listening := make(chan struct{})
	if err := srv.Listen(server.ListenOptions{Handle: other}, func() { close(listening) }); err != nil {
		t.Fatal(err)
	}
	server.SetDupServerHooks(nil, nil)
	if took >= 0 {
		defer unix.Close(took)
	}
	select {
	case <-listening:
	case err := <-errs:
		t.Fatalf("listen on the other server's handle: %v", err)
	}
	if got, ok := srv.AddressInfo(); !ok || got.Port != a.Port {
		t.Errorf("listening on %v, not the other server's port %d (the freed number reused: %v)", got, a.Port, reused)
	}
	if took >= 0 {
		if v, err := unix.GetsockoptInt(took, unix.SOL_SOCKET, unix.SO_ACCEPTCONN); err != nil || v != 0 {
			t.Errorf("the socket that took the number is listening (SO_ACCEPTCONN %d, %v)", v, err)
		}
	}
	recv(t, otherClosed, "the other server's close")
	closed := make(chan struct{})
	srv.Close(func(error) { close(closed) })
	recv(t, closed, "close")
}

// TestListenServerHandleRacesClose: Listen{Handle: other} on one goroutine
// while the other server closes on its loop and other goroutines keep
// taking the lowest free descriptor numbers. The listen is on the other
// server's port or fails (EBADF: it had closed), never on a socket that
// took the freed number.
func TestListenServerHandleRacesClose(t *testing.T) {
	const rounds = 200
	la, lb := newLoop(t), newLoop(t)
	keepA := newServer(t, server.Options{Loop: la}, nil)
	waitA := listenLoopback(t, la, keepA)
	keepB := newServer(t, server.Options{Loop: lb}, nil)
	waitB := listenLoopback(t, lb, keepB)
	stopChurn := churnDescriptors(t)
	for i := range rounds {
		other := newServer(t, server.Options{Loop: lb}, nil)
		up := make(chan struct{})
		if err := other.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { close(up) }); err != nil {
			t.Fatal(err)
		}
		recv(t, up, "listening")
		want, _ := other.AddressInfo()
		srv := newServer(t, server.Options{Loop: la}, nil)
		srv.OnError(func(error) {}) // EBADF when the close came first
		otherClosed := make(chan struct{})
		go other.Close(func(error) { close(otherClosed) })
		if err := srv.Listen(server.ListenOptions{Handle: other}, nil); err != nil {
			t.Fatal(err)
		}
		if a, ok := srv.AddressInfo(); ok && a.Port != want.Port {
			t.Fatalf("round %d: listening on port %d, not the other server's %d: another descriptor was duplicated", i, a.Port, want.Port)
		}
		recv(t, otherClosed, "the other server's close")
		closed := make(chan struct{})
		srv.Close(func(error) { close(closed) })
		recv(t, closed, "close")
	}
	stopChurn()
	keepA.Close(nil)
	keepB.Close(nil)
	waitA()
	waitB()
}
