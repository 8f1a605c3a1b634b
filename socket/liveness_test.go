//go:build linux || windows

package socket_test

import (
	"io"
	"net"
	"testing"

	"github.com/nodenet/nodenet/socket"
)

// peer is a plain Go TCP listener on 127.0.0.1 that accepts one connection
// and hands it to serve on its own goroutine, so that the loop under test
// holds nothing but the client socket.
func peer(t *testing.T, serve func(c net.Conn)) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		ln.Close()
		if err != nil {
			return
		}
		defer c.Close()
		serve(c)
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().(*net.TCPAddr).Port
}

// destroyAndRun destroys s (which Run left open) and runs its loop until
// 'close' has been emitted.
func destroyAndRun(t *testing.T, s *socket.Socket) {
	t.Helper()
	closed := false
	start(t, s.Loop(), func() {
		s.OnClose(func(bool) { closed = true })
		s.Destroy(nil)
	})
	if !closed {
		t.Fatal("no close after Destroy")
	}
}

// NS-049: a connected socket that never started reading — paused before
// 'connect' or inside its 'connect' listener — and has nothing to write does
// not keep Run going, although it is refed (Node's
// test-net-connect-paused-connection; verified with Node 20: the process
// exits right after 'connect').
func TestNS049_PausedBeforeReadingLetsRunReturn(t *testing.T) {
	for _, mode := range []string{"pause-before-connect", "pause-in-connect", "pause-then-data-listener"} {
		t.Run(mode, func(t *testing.T) {
			release := make(chan struct{})
			port := peer(t, func(c net.Conn) { <-release })
			defer close(release)
			l := newLoop(t)
			var s *socket.Socket
			connected := false
			start(t, l, func() {
				var err error
				s, err = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() {
					connected = true
					if mode == "pause-in-connect" {
						s.Pause()
					}
				})
				if err != nil {
					t.Error(err)
					return
				}
				switch mode {
				case "pause-before-connect":
					s.Pause()
				case "pause-then-data-listener":
					// An explicit pause wins over a later data listener
					// (Node: pause(); on('data') never reads).
					s.Pause()
					s.OnData(func([]byte) { t.Error("data while paused") })
				}
			})
			if !connected || s.Destroyed() || s.Pending() {
				t.Fatalf("Run returned with connected=%v destroyed=%v pending=%v", connected, s.Destroyed(), s.Pending())
			}
			destroyAndRun(t, s)
		})
	}
}

// NS-049: a reading socket keeps Run going — with a data listener, with no
// listener at all (Node reads at once), and after a data listener or
// Resume() followed by Pause() before 'connect' or after reading started
// (Node's pause() leaves the handle reading; verified with Node 20). The
// peer sends its FIN only once the client is connected and paused, so a
// loop that did not hold would return before 'end'.
func TestNS049_ReadingSocketKeepsRunGoing(t *testing.T) {
	for _, mode := range []string{"data-listener", "no-listener", "data-listener-then-pause", "resume-then-pause", "pause-after-reading"} {
		t.Run(mode, func(t *testing.T) {
			ready := make(chan struct{})
			port := peer(t, func(c net.Conn) {
				<-ready
				c.(*net.TCPConn).CloseWrite()
				_, _ = io.Copy(io.Discard, c)
			})
			l := newLoop(t)
			var ev events
			start(t, l, func() {
				var s *socket.Socket
				s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() {
					ev.add("connect")
					if mode == "pause-after-reading" {
						l.SetImmediate(func() { s.Pause(); close(ready) })
						return
					}
					close(ready)
				})
				switch mode {
				case "data-listener":
					s.OnData(func([]byte) {})
				case "data-listener-then-pause":
					s.OnData(func([]byte) {})
					s.Pause()
				case "resume-then-pause":
					s.Resume()
					s.Pause()
				case "pause-after-reading":
					s.OnData(func([]byte) {})
				}
				s.OnEnd(func() {
					paused := s.IsPaused()
					ev.add("end")
					if paused != (mode != "data-listener" && mode != "no-listener") {
						t.Errorf("paused at end: %v", paused)
					}
				})
				s.OnClose(func(hadError bool) { ev.add("close") })
			})
			if got := ev.String(); got != "connect,end,close" {
				t.Fatalf("events %s, want connect,end,close", got)
			}
		})
	}
}

// NS-049: bytes queued for the kernel keep Run going until they are flushed,
// even on a socket that never reads; then Run returns with the socket open.
func TestNS049_QueuedWritesKeepRunGoingUntilFlushed(t *testing.T) {
	const total = 8 << 20
	ready := make(chan struct{})
	got := make(chan int64, 1)
	port := peer(t, func(c net.Conn) {
		<-ready // read nothing until the client's queue is full
		n, _ := io.CopyN(io.Discard, c, total)
		got <- n
		_, _ = io.Copy(io.Discard, c)
	})
	l := newLoop(t)
	var s *socket.Socket
	var ok, queuedAtConnect bool
	var writeErr error = io.ErrNoProgress
	start(t, l, func() {
		s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() {
			ok = s.Send(make([]byte, total), func(err error) { writeErr = err })
			queuedAtConnect = s.BufferSize() > 0
			close(ready)
		})
		s.Pause()
	})
	if ok || !queuedAtConnect {
		t.Fatalf("the kernel took all %d bytes at once (Send %v); the test needs a queue", total, ok)
	}
	if writeErr != nil {
		t.Fatalf("Run returned before the write completed: %v", writeErr)
	}
	if n := <-got; n != total {
		t.Fatalf("peer read %d bytes, want %d", n, total)
	}
	if s.Destroyed() || s.BufferSize() != 0 {
		t.Fatalf("destroyed %v, bufferSize %d", s.Destroyed(), s.BufferSize())
	}
	destroyAndRun(t, s)
}

// NS-049: Unref takes a reading socket out of the count.
func TestNS049_UnrefReadingSocket(t *testing.T) {
	release := make(chan struct{})
	port := peer(t, func(c net.Conn) { <-release })
	defer close(release)
	l := newLoop(t)
	var s *socket.Socket
	connected := false
	start(t, l, func() {
		s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() {
			connected = true
			s.Unref()
		})
		s.OnData(func([]byte) {})
	})
	if !connected || s.Destroyed() {
		t.Fatalf("connected %v, destroyed %v", connected, s.Destroyed())
	}
	destroyAndRun(t, s)
}
