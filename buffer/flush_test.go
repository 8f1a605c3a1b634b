//go:build unix

package buffer

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/nodenet/nodenet/internal/sysnet"
	"golang.org/x/sys/unix"
)

// socketpair returns a connected AF_UNIX stream pair: w nonblocking with the
// given send buffer (0 = system default), r blocking. Both are closed at
// cleanup unless closeFD closed them first.
func socketpair(tb testing.TB, sndbuf int) (w, r int) {
	tb.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		tb.Fatal(err)
	}
	w, r = fds[0], fds[1]
	for _, fd := range fds {
		open[fd] = true
		tb.Cleanup(func() { closeFD(tb, fd) })
	}
	if err := unix.SetNonblock(w, true); err != nil {
		tb.Fatal(err)
	}
	if sndbuf > 0 {
		if err := unix.SetsockoptInt(w, unix.SOL_SOCKET, unix.SO_SNDBUF, sndbuf); err != nil {
			tb.Fatal(err)
		}
	}
	return w, r
}

// open tracks the test's descriptors so none is closed twice: a second close
// could hit a descriptor number the runtime has since reused. Tests that use
// it do not run in parallel.
var open = map[int]bool{}

func closeFD(tb testing.TB, fd int) {
	if !open[fd] {
		return
	}
	delete(open, fd)
	if err := unix.Close(fd); err != nil {
		tb.Errorf("close %d: %v", fd, err)
	}
}

// waitWritable blocks until fd can take more bytes.
func waitWritable(tb testing.TB, fd int) {
	tb.Helper()
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
	for {
		n, err := unix.Poll(pfd, 5000)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			tb.Fatalf("waiting for writability: n=%d err=%v", n, err)
		}
		return
	}
}

// reader drains r on its own goroutine, sleeping now and then so the writer
// fills its send buffer, until EOF; it sends the SHA-256 and byte count of
// what it read.
type readResult struct {
	sum [32]byte
	n   int
	err error
}

func slowReader(r int, pause time.Duration) <-chan readResult {
	done := make(chan readResult, 1)
	go func() {
		h := sha256.New()
		size := 3000 // small reads: the writer sees many partial writes
		if pause == 0 {
			size = 256 << 10 // a fast reader, for throughput
		}
		buf := make([]byte, size)
		var res readResult
		for i := 0; ; i++ {
			n, err := unix.Read(r, buf)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				res.err = err
				break
			}
			if n == 0 {
				break
			}
			h.Write(buf[:n])
			res.n += n
			if pause > 0 && i%8 == 0 {
				time.Sleep(pause)
			}
		}
		copy(res.sum[:], h.Sum(nil))
		done <- res
	}()
	return done
}

// flushAll queues data in random pieces and flushes after each, waiting for
// writability whenever the kernel is full, then closes w so the reader sees
// EOF. It returns how many Flush calls stopped on a full send buffer.
func flushAll(t *testing.T, q *Queue, w int, data []byte, rng *rand.Rand) (blocked int) {
	t.Helper()
	for len(data) > 0 || q.Len() > 0 {
		if len(data) > 0 {
			n := min(len(data), rng.IntN(8<<10))
			q.Write(data[:n])
			data = data[n:]
		}
		before, flushed := q.Len(), q.Flushed()
		n, err := q.Flush(w)
		if err != nil {
			t.Fatalf("Flush: %v", err)
		}
		if n != before-q.Len() || q.Flushed()-flushed != uint64(n) {
			t.Fatalf("Flush wrote %d but Len went %d -> %d, Flushed +%d", n, before, q.Len(), q.Flushed()-flushed)
		}
		if q.Len() > 0 {
			blocked++
			if len(data) == 0 || rng.IntN(2) == 0 {
				waitWritable(t, w)
			}
		}
	}
	closeFD(t, w)
	return blocked
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// TestFlushSlowReader flushes into a small send buffer that a slow reader
// drains: Flush must stop on EAGAIN without error, account for partial
// writes exactly, and deliver every byte in order.
func TestFlushSlowReader(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	data := randomBytes(rng, 2<<20)

	w, r := socketpair(t, 4096)
	done := slowReader(r, 200*time.Microsecond)
	p := NewPool(1000) // chunk boundaries that do not line up with the kernel's
	q := NewQueue(p)
	blocked := flushAll(t, q, w, data, rng)
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	if res.n != len(data) || res.sum != sha256.Sum256(data) {
		t.Fatalf("reader got %d bytes (sha256 match %v), want %d", res.n, res.sum == sha256.Sum256(data), len(data))
	}
	if blocked == 0 {
		t.Fatalf("the send buffer never filled: EAGAIN path not exercised")
	}
	if st := p.Stats(); st.InUse != 0 {
		t.Fatalf("%d chunks still in use after the queue emptied", st.InUse)
	}
	t.Logf("%d of the flushes stopped on a full send buffer", blocked)
}

// TestFlushManyChunks queues far more than sysnet.MaxIovecs 64-byte chunks, so one
// Flush needs several gather writes.
func TestFlushManyChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	data := randomBytes(rng, 5*sysnet.MaxIovecs*64+17)
	w, r := socketpair(t, 1<<20)
	done := slowReader(r, 0)
	p := NewPool(64)
	q := NewQueue(p)
	q.Write(data)
	if q.n <= sysnet.MaxIovecs {
		t.Fatalf("only %d chunks queued", q.n)
	}
	for q.Len() > 0 {
		if _, err := q.Flush(w); err != nil {
			t.Fatalf("Flush of %d chunks: %v", q.n, err)
		}
		if cap(p.iov) > sysnet.MaxIovecs {
			t.Fatalf("gather array grew to %d, past sysnet.MaxIovecs", cap(p.iov))
		}
		if q.Len() > 0 {
			waitWritable(t, w)
		}
	}
	closeFD(t, w)
	res := <-done
	if res.err != nil || res.n != len(data) || res.sum != sha256.Sum256(data) {
		t.Fatalf("reader: %d bytes, err %v, sha256 match %v", res.n, res.err, res.sum == sha256.Sum256(data))
	}
}

// TestFlushEPIPE: a peer that has gone makes Flush return EPIPE as the errno,
// keeping the bytes the kernel did not take.
func TestFlushEPIPE(t *testing.T) {
	w, r := socketpair(t, 0)
	closeFD(t, r)
	q := NewQueue(NewPool(0))
	q.Write(bytes.Repeat([]byte("x"), 100))
	n, err := q.Flush(w)
	if !errors.Is(err, unix.EPIPE) {
		t.Fatalf("Flush to a closed peer: n=%d err=%v, want EPIPE", n, err)
	}
	if n != 0 || q.Len() != 100 {
		t.Fatalf("after EPIPE: n=%d Len=%d", n, q.Len())
	}
}

func TestFlushEmpty(t *testing.T) {
	w, _ := socketpair(t, 0)
	var q Queue
	if n, err := q.Flush(w); n != 0 || err != nil {
		t.Fatalf("Flush of an empty queue: %d, %v", n, err)
	}
}

// TestFlushReleasesSlabs: after a Flush empties the queue, the Pool may drop
// slabs, and nothing (the gather array in particular) may keep them alive.
func TestFlushReleasesSlabs(t *testing.T) {
	w, r := socketpair(t, 1<<20)
	done := slowReader(r, 0)
	p := NewPool(64)
	q := NewQueue(p)
	q.Write(make([]byte, 64*slabChunks*4))
	ws := slabsOf([]*Queue{q})
	for q.Len() > 0 {
		if _, err := q.Flush(w); err != nil {
			t.Fatal(err)
		}
		if q.Len() > 0 {
			waitWritable(t, w)
		}
	}
	closeFD(t, w)
	<-done
	if st := p.Stats(); st.Slabs > DefaultMaxFree/slabChunks {
		t.Fatalf("pool retains %+v", st)
	}
	if n := alive(ws); n != p.Stats().Slabs {
		t.Fatalf("%d slabs reachable, pool retains %d", n, p.Stats().Slabs)
	}
}
