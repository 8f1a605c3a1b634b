//go:build linux

package socket_test

import (
	"testing"

	"github.com/nodenet/nodenet/socket"
	"golang.org/x/sys/unix"
)

// TestSendWithCallbackAllocatesNothing: write callbacks complete through a
// reused slice. Regression test: draining it by re-slicing from the front
// shrank its capacity until append reallocated, one allocation every few
// callbacks.
func TestSendWithCallbackAllocatesNothing(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	p := newPingPong(t)
	echoed := make(chan struct{}, 1)
	p.onEcho = func() { echoed <- struct{}{} }
	calls := 0
	cb := func(err error) {
		if err == nil {
			calls++
		}
	}
	send := func() { p.client.Send(p.msg, cb) }
	roundTrip := func() {
		if err := p.l.Post(send); err != nil {
			t.Fatal(err)
		}
		<-echoed
	}
	for i := 0; i < 100; i++ {
		roundTrip()
	}
	if avg := testing.AllocsPerRun(2000, roundTrip); avg != 0 {
		t.Fatalf("%.2f allocations per message with a write callback; want 0", avg)
	}
}

// TestSendReturnCountsWholeChunk: Node's write() returns length <
// highWaterMark with the whole chunk counted, even when the kernel took part
// of it at once. Regression test: only the part left in the queue was
// counted, so a chunk of exactly highWaterMark returned true after a
// partial write.
func TestSendReturnCountsWholeChunk(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[1])
	// A small send buffer and a peer that never reads: the kernel takes
	// only part of the chunk.
	if err := unix.SetsockoptInt(fds[0], unix.SOL_SOCKET, unix.SO_SNDBUF, 4096); err != nil {
		t.Fatal(err)
	}
	l := newLoop(t)
	const hwm = 64 << 10
	var ok bool
	var queued int
	start(t, l, func() {
		s, err := socket.New(socket.Options{Loop: l, FD: fds[0], StreamOptions: socket.StreamOptions{HighWaterMark: hwm}})
		if err != nil {
			t.Error(err)
			return
		}
		ok = s.Send(make([]byte, hwm), nil)
		queued = s.BufferSize()
		s.Destroy(nil)
	})
	if queued == 0 || queued == hwm {
		t.Fatalf("the kernel took %d of %d bytes; the test needs a partial write", hwm-queued, hwm)
	}
	if ok {
		t.Fatalf("Send of a %d-byte chunk with highWaterMark %d returned true after a partial write", hwm, hwm)
	}
}

// TestSlowReaderQueueAllocatesNothing: a write the kernel takes only part of
// borrows a write queue from the loop, and gives it back once the kernel
// took the rest, so an idle socket holds none. Regression test for that
// borrowing: a slow reader's every burst must reuse the loop's spare queue
// (and chunks) rather than allocate.
func TestSlowReaderQueueAllocatesNothing(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[1])
	if err := unix.SetsockoptInt(fds[0], unix.SOL_SOCKET, unix.SO_SNDBUF, 4096); err != nil {
		t.Fatal(err)
	}
	l := newLoop(t)
	var s *socket.Socket
	ready := make(chan struct{})
	if err := l.Post(func() {
		s, err = socket.New(socket.Options{Loop: l, FD: fds[0]})
		close(ready)
	}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = l.Run() }()
	defer func() { l.Stop(); <-done }()
	<-ready
	if err != nil {
		t.Fatal(err)
	}

	big := make([]byte, 64<<10)
	rbuf := make([]byte, 64<<10)
	flushed := make(chan struct{}, 1)
	cb := func(error) { flushed <- struct{}{} }
	partial := 0
	send := func() {
		s.Send(big, cb)
		if s.BufferSize() > 0 {
			partial++
		}
	}
	burst := func() {
		if err := l.Post(send); err != nil {
			t.Fatal(err)
		}
		for got := 0; got < len(big); {
			n, err := unix.Read(fds[1], rbuf)
			if err != nil {
				t.Fatal(err)
			}
			got += n
		}
		<-flushed
	}
	for i := 0; i < 20; i++ {
		burst()
	}
	if avg := testing.AllocsPerRun(200, burst); avg != 0 {
		t.Fatalf("%.2f allocations per slow-reader burst; want 0", avg)
	}
	if partial == 0 {
		t.Fatal("the kernel took every write whole: the test needs partial writes")
	}
}
