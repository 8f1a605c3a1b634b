//go:build linux

package server_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	"golang.org/x/sys/unix"
)

// epollWatched maps the inodes of the open files the process's epoll
// instances watch to the events they are watched for (the "ino:" and
// "events:" of each "tfd:" line in /proc/self/fdinfo). A registration that
// outlived its descriptor's close still shows here.
func epollWatched(t testing.TB) map[uint64]uint32 {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	got := map[uint64]uint32{}
	for _, e := range ents {
		if link, _ := os.Readlink("/proc/self/fd/" + e.Name()); link != "anon_inode:[eventpoll]" {
			continue
		}
		info, err := os.ReadFile("/proc/self/fdinfo/" + e.Name())
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(info), "\n") {
			if !strings.HasPrefix(line, "tfd:") {
				continue
			}
			var ino, events uint64
			fs := strings.Fields(line)
			for i, f := range fs {
				if v, ok := strings.CutPrefix(f, "ino:"); ok {
					ino, _ = strconv.ParseUint(v, 16, 64)
				}
				if f == "events:" && i+1 < len(fs) {
					events, _ = strconv.ParseUint(fs[i+1], 16, 32)
				}
			}
			got[ino] = uint32(events)
		}
	}
	return got
}

// TestAcceptedCloseLeavesNoRegistration: an accepted connection that ends
// (peer FIN, echo, close) leaves no epoll registration behind, both when it
// is closed without EPOLL_CTL_DEL (the descriptor was only ever the socket's)
// and when its descriptor was handed out through FD and dup'ed, where the
// close alone would not remove it; and the next connection, under the same
// descriptor number, is served normally.
func TestAcceptedCloseLeavesNoRegistration(t *testing.T) {
	l := newLoop(t)
	const conns = 3
	before := map[uint64]uint32{}
	var srv *server.Server
	served := 0
	srv = newServer(t, server.Options{Loop: l}, func(c *socket.Socket) {
		i := served
		served++
		// The accepted socket is registered by now: it is what is new.
		var mine []uint64
		for ino, events := range epollWatched(t) {
			if _, ok := before[ino]; ok {
				continue
			}
			mine = append(mine, ino)
			// Registered reading from the start (one EPOLL_CTL_ADD), not
			// registered deaf and changed before the next wait.
			if want := uint32(unix.EPOLLIN | unix.EPOLLRDHUP); events&want != want {
				t.Errorf("conn %d: registered for events %#x at 'connection', want %#x", i, events, want)
			}
		}
		if len(mine) != 1 {
			t.Errorf("conn %d: %d new epoll registrations at 'connection', want 1", i, len(mine))
		}
		dup := -1
		if i == 1 {
			var err error
			if dup, err = unix.Dup(c.FD()); err != nil {
				t.Error(err)
			}
		}
		c.OnClose(func(hadError bool) {
			if hadError {
				t.Errorf("conn %d closed with an error", i)
			}
			w := epollWatched(t)
			for _, ino := range mine {
				if _, ok := w[ino]; ok {
					t.Errorf("conn %d (dup'ed: %v): epoll still watches its file after 'close'", i, dup >= 0)
				}
			}
			if dup >= 0 {
				unix.Close(dup)
			}
			if i == conns-1 {
				srv.Close(nil)
			}
		})
		c.Pipe(c, nil)
	})
	srv.OnError(func(err error) { t.Errorf("error event: %v", err) })
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
		before = epollWatched(t)
		p := port(t, srv)
		// A raw blocking client: a net.Conn would sit in the Go runtime's
		// own epoll and show up in epollWatched.
		go func() {
			for i := 0; i < conns; i++ {
				if err := rawEcho(p); err != nil {
					t.Errorf("conn %d: %v", i, err)
				}
			}
		}()
	}); err != nil {
		t.Fatal(err)
	}
	run(t, l)
	if served != conns {
		t.Fatalf("served %d connections, want %d", served, conns)
	}
}

// rawEcho connects to 127.0.0.1:port with a blocking descriptor, sends "hi",
// reads the echo, sends its FIN and waits for the server's before closing.
func rawEcho(port int) error {
	var buf [2]byte
	return rawEchoTo(&unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}, buf[:])
}

// rawEchoTo is rawEcho without allocating (once sa and buf exist) unless it
// fails.
func rawEchoTo(sa *unix.SockaddrInet4, buf []byte) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.Connect(fd, sa); err != nil {
		return err
	}
	buf[0], buf[1] = 'h', 'i'
	if _, err := unix.Write(fd, buf); err != nil {
		return err
	}
	buf[0], buf[1] = 0, 0
	for got := 0; got < 2; {
		n, err := unix.Read(fd, buf[got:])
		if err != nil || n == 0 {
			return fmt.Errorf("echo: read %q, %d, %v", buf[:got], n, err)
		}
		got += n
	}
	if string(buf) != "hi" {
		return fmt.Errorf("echo %q, want \"hi\"", buf)
	}
	if err := unix.Shutdown(fd, unix.SHUT_WR); err != nil {
		return err
	}
	if n, err := unix.Read(fd, buf); n != 0 || err != nil {
		return fmt.Errorf("after our FIN read %d, %v; want the server's FIN", n, err)
	}
	return nil
}

// TestChurnAllocatesOnlyTheSocket: a connection accepted, echoed and closed
// costs the server one allocation, the Socket: end, finish and close are
// queued without closures, and the count dropping to zero does not build
// one either. The client is raw system calls, allocation-free.
func TestChurnAllocatesOnlyTheSocket(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	l := newLoop(t)
	srv := newServer(t, server.Options{Loop: l}, func(c *socket.Socket) { c.Pipe(c, nil) })
	wait := listenLoopback(t, l, srv)
	sa := &unix.SockaddrInet4{Port: port(t, srv), Addr: [4]byte{127, 0, 0, 1}}
	var buf [2]byte
	var failed error
	cycle := func() {
		if err := rawEchoTo(sa, buf[:]); err != nil && failed == nil {
			failed = err
		}
	}
	for i := 0; i < 20; i++ {
		cycle()
	}
	allocs := testing.AllocsPerRun(500, cycle)
	onLoop(t, l, func() { srv.Close(nil) })
	wait()
	if failed != nil {
		t.Fatal(failed)
	}
	if allocs > 1 {
		t.Fatalf("%v allocations per connection; want 1 (the Socket)", allocs)
	}
}
