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
	stop := make(chan struct{})
	var churn sync.WaitGroup
	for range 2 {
		churn.Add(1)
		go func() {
			defer churn.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				fd, _ := boundTCP(t)
				unix.Close(fd)
			}
		}()
	}
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
	close(stop)
	churn.Wait()
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
