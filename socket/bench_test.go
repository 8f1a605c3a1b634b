//go:build linux

package socket_test

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	"golang.org/x/sys/unix"
)

const msgSize = 64

// pingPong is a client and an echo server (c.Pipe(c)) on one loop that bounce
// a 64-byte message; roundTrip is called on the loop after each echo.
type pingPong struct {
	l      *reactor.Loop
	srv    *server.Server
	client *socket.Socket
	msg    []byte
	got    int
	// onEcho runs on the loop each time a whole message came back.
	onEcho func()
	send   func()
}

// newPingPong sets the pair up on a running loop and returns once the
// client is connected.
func newPingPong(tb testing.TB) *pingPong {
	tb.Helper()
	l, err := reactor.New()
	if err != nil {
		tb.Fatal(err)
	}
	p := &pingPong{l: l, msg: make([]byte, msgSize)}
	p.send = func() { p.client.Send(p.msg, nil) }
	ready := make(chan struct{})
	done := make(chan struct{})
	// Post before Run: a loop started with nothing to do returns at once,
	// and the setup task would then never run.
	err = l.Post(func() {
		p.srv = listen(tb, l, server.Options{}, func(c *socket.Socket) { c.Pipe(c, nil) }, func(_ *server.Server, port int) {
			p.client, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() { close(ready) })
			p.client.OnData(func(b []byte) {
				p.got += len(b)
				if p.got >= msgSize {
					p.got -= msgSize
					p.onEcho()
				}
			})
		})
	})
	if err != nil {
		tb.Fatal(err)
	}
	go func() { defer close(done); _ = l.Run() }()
	tb.Cleanup(func() {
		l.Stop()
		<-done
	})
	select {
	case <-ready:
	case <-time.After(hangGuard):
		tb.Fatal("ping-pong pair never connected")
	}
	return p
}

// BenchmarkEchoPingPong: one 64-byte message echoed per op, client and
// server on the same loop. Steady state allocates nothing.
func BenchmarkEchoPingPong(b *testing.B) {
	p := newPingPong(b)
	finished := make(chan struct{})
	n := 0
	b.ReportAllocs()
	b.SetBytes(msgSize)
	err := p.l.Post(func() {
		p.onEcho = func() {
			if n++; n < b.N {
				p.send()
				return
			}
			b.StopTimer()
			close(finished)
		}
		b.ResetTimer()
		p.send()
	})
	if err != nil {
		b.Fatal(err)
	}
	<-finished
}

// TestEchoZeroAllocsPerMessage proves the steady state of an echoed message
// allocates nothing: the test goroutine posts a prebuilt Send to the loop and
// waits for the echo on a channel (neither allocates), so AllocsPerRun
// counts the loop's work: wakeup, client write, server read + Pipe write,
// client read + data event.
func TestEchoZeroAllocsPerMessage(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	p := newPingPong(t)
	echoed := make(chan struct{}, 1)
	p.onEcho = func() { echoed <- struct{}{} }
	roundTrip := func() {
		if err := p.l.Post(p.send); err != nil {
			t.Fatal(err)
		}
		<-echoed
	}
	for i := 0; i < 100; i++ { // warm up pools and buffers
		roundTrip()
	}
	if avg := testing.AllocsPerRun(2000, roundTrip); avg != 0 {
		t.Fatalf("%.2f allocations per echoed message; want 0", avg)
	}
}

// BenchmarkSendKernelFirst: Send of 64 bytes that the kernel takes at once
// (a stdlib peer drains concurrently); the cost of the fast path, in
// batches run inside loop callbacks.
func BenchmarkSendKernelFirst(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	peerDone := make(chan struct{})
	go func() {
		defer close(peerDone)
		c, err := ln.Accept()
		ln.Close()
		if err == nil {
			_, _ = io.Copy(io.Discard, c)
			c.Close()
		}
	}()
	l, err := reactor.New()
	if err != nil {
		b.Fatal(err)
	}
	msg := make([]byte, msgSize)
	finished := make(chan struct{})
	queued := 0
	b.ReportAllocs()
	b.SetBytes(msgSize)
	var s *socket.Socket
	n := 0
	var batch func()
	batch = func() {
		for i := 0; i < 256 && n < b.N; i++ {
			n++
			if s.BufferSize() > 0 {
				queued++
			}
			if !s.Send(msg, nil) {
				s.OnceDrain(batch)
				return
			}
		}
		if n < b.N {
			l.SetImmediate(batch) // let the loop breathe between batches
			return
		}
		b.StopTimer()
		s.End(nil, nil)
	}
	_ = l.Post(func() {
		s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: ln.Addr().(*net.TCPAddr).Port, Host: "127.0.0.1"}, func() {
			b.ResetTimer()
			batch()
		})
		s.OnClose(func(bool) { close(finished) })
	})
	go func() { _ = l.Run() }()
	<-finished
	<-peerDone
	l.Stop()
	<-l.Done()
	b.ReportMetric(float64(queued)/float64(b.N), "queued/op")
}

// BenchmarkReadDispatch: one 64-byte read dispatched to a data listener per
// op. The socket wraps one end of a socketpair; the data listener writes
// the next message into the other end with a raw write.
func BenchmarkReadDispatch(b *testing.B) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer unix.Close(fds[1])
	l, err := reactor.New()
	if err != nil {
		b.Fatal(err)
	}
	msg := make([]byte, msgSize)
	finished := make(chan struct{})
	b.ReportAllocs()
	b.SetBytes(msgSize)
	n := 0
	_ = l.Post(func() {
		s, err := socket.New(socket.Options{Loop: l, FD: fds[0]})
		if err != nil {
			b.Error(err)
			close(finished)
			return
		}
		got := 0
		s.OnData(func(p []byte) {
			got += len(p)
			for got >= msgSize {
				got -= msgSize
				if n++; n >= b.N {
					b.StopTimer()
					s.Destroy(nil)
					return
				}
				_, _ = unix.Write(fds[1], msg)
			}
		})
		s.OnClose(func(bool) { close(finished) })
		b.ResetTimer()
		_, _ = unix.Write(fds[1], msg)
	})
	go func() { _ = l.Run() }()
	<-finished
	l.Stop()
	<-l.Done()
}
