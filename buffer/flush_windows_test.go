package buffer

// Flush on Windows (sysnet.Writev: a synchronous WSASend of up to
// sysnet.MaxIovecs WSABUFs on a nonblocking SOCKET), run under Wine by
// `make test-windows`. Windows has no socketpair, so the writer is one end of
// a loopback TCP connection made with the net package, switched to
// nonblocking mode and written with Flush only; the other end is read
// through the net package by a slow reader. Nothing is timed.

import (
	"crypto/sha256"
	"errors"
	"math/rand/v2"
	"net"
	"testing"
	"time"
	"unsafe"

	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/internal/testnet"
	"golang.org/x/sys/windows"
)

// tcpPair returns a loopback TCP connection: w, the raw nonblocking SOCKET
// of one end with the given send buffer (0 = system default), its
// *net.TCPConn (which keeps it open, and closes it at cleanup; never read or
// write through it), and r, the other end for ordinary blocking reads.
func tcpPair(tb testing.TB, sndbuf int) (w sysnet.FD, wc, r *net.TCPConn) {
	tb.Helper()
	wc, r = testnet.TCPPair(tb)
	w = sysnet.FD(testnet.Handle(tb, wc))
	testnet.SetNonblock(tb, uintptr(w))
	if sndbuf > 0 {
		if err := windows.SetsockoptInt(windows.Handle(w), windows.SOL_SOCKET, windows.SO_SNDBUF, sndbuf); err != nil {
			tb.Fatal(err)
		}
	}
	return w, wc, r
}

var procWSAPoll = windows.NewLazySystemDLL("ws2_32.dll").NewProc("WSAPoll")

// waitWritable blocks in WSAPoll until w can take more bytes.
func waitWritable(tb testing.TB, w sysnet.FD) {
	tb.Helper()
	const pollwrnorm = 0x0010
	pfd := struct {
		fd      sysnet.FD
		events  int16
		revents int16
	}{fd: w, events: pollwrnorm}
	r, _, err := procWSAPoll.Call(uintptr(unsafe.Pointer(&pfd)), 1, 10000)
	if int32(r) <= 0 {
		tb.Fatalf("WSAPoll for writability: %d, %v (revents %#x)", int32(r), err, pfd.revents)
	}
}

type readResult struct {
	sum [32]byte
	n   int
	err error
}

// slowReader drains r until EOF, pausing now and then so the writer's send
// buffer fills, and reports the SHA-256 and count of what it read.
func slowReader(r *net.TCPConn, pause time.Duration) <-chan readResult {
	done := make(chan readResult, 1)
	go func() {
		h := sha256.New()
		size := 3000
		if pause == 0 {
			size = 256 << 10
		}
		buf := make([]byte, size)
		var res readResult
		for i := 0; ; i++ {
			n, err := r.Read(buf)
			h.Write(buf[:n])
			res.n += n
			if err != nil {
				if err.Error() != "EOF" {
					res.err = err
				}
				break
			}
			if pause > 0 && i%8 == 0 {
				time.Sleep(pause)
			}
		}
		copy(res.sum[:], h.Sum(nil))
		done <- res
	}()
	return done
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// checkReader waits for the reader and compares what it got with data.
func checkReader(t *testing.T, done <-chan readResult, data []byte) {
	t.Helper()
	select {
	case res := <-done:
		if res.err != nil || res.n != len(data) || res.sum != sha256.Sum256(data) {
			t.Fatalf("reader got %d of %d bytes, err %v, sha256 match %v",
				res.n, len(data), res.err, res.sum == sha256.Sum256(data))
		}
	case <-time.After(60 * time.Second):
		t.Fatal("reader never saw EOF")
	}
}

// TestFlushSlowReaderWindows flushes into a small send buffer that a slow
// reader drains: Flush must stop on WSAEWOULDBLOCK without error, account for
// partial sends exactly, and deliver every byte in order.
func TestFlushSlowReaderWindows(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	data := randomBytes(rng, 2<<20)

	w, wc, r := tcpPair(t, 4096)
	done := slowReader(r, 200*time.Microsecond)
	p := NewPool(1000) // chunk boundaries that do not line up with the kernel's
	q := NewQueue(p)
	blocked, flushes := 0, 0
	for rest := data; len(rest) > 0 || q.Len() > 0; {
		if len(rest) > 0 {
			n := min(len(rest), rng.IntN(64<<10))
			q.Write(rest[:n])
			rest = rest[n:]
		}
		before, flushed := q.Len(), q.Flushed()
		n, err := q.Flush(w)
		flushes++
		if err != nil {
			t.Fatalf("Flush: %v", err)
		}
		if n != before-q.Len() || q.Flushed()-flushed != uint64(n) {
			t.Fatalf("Flush wrote %d but Len went %d -> %d, Flushed +%d", n, before, q.Len(), q.Flushed()-flushed)
		}
		if q.Len() > 0 {
			blocked++
			if len(rest) == 0 || rng.IntN(2) == 0 {
				waitWritable(t, w)
			}
		}
	}
	if err := wc.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	checkReader(t, done, data)
	if blocked == 0 {
		t.Fatal("the send buffer never filled: WSAEWOULDBLOCK path not exercised")
	}
	if st := p.Stats(); st.InUse != 0 {
		t.Fatalf("%d chunks still in use after the queue emptied", st.InUse)
	}
	t.Logf("%d of %d flushes stopped on a full send buffer", blocked, flushes)
}

// TestFlushManyChunksWindows queues far more than sysnet.MaxIovecs 64-byte chunks, so
// one Flush needs several WSASends, none of them past the cap.
func TestFlushManyChunksWindows(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	data := randomBytes(rng, 5*sysnet.MaxIovecs*64+17)
	w, wc, r := tcpPair(t, 0)
	done := slowReader(r, 0)
	p := NewPool(64)
	q := NewQueue(p)
	q.Write(data)
	if q.n <= 4*sysnet.MaxIovecs {
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
	if err := wc.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	checkReader(t, done, data)
}

// TestWSABufCap documents why sysnet.MaxIovecs is 1,024: Wine refuses a WSASend of
// more WSABUFs (Windows itself takes more). One at the cap goes through.
func TestWSABufCap(t *testing.T) {
	if sysnet.MaxIovecs != 1024 {
		t.Fatalf("sysnet.MaxIovecs = %d, want 1024", sysnet.MaxIovecs)
	}
	w, wc, r := tcpPair(t, 0)
	done := slowReader(r, 0)
	b := []byte{'x'}
	iov := make([]sysnet.Iovec, sysnet.MaxIovecs+1)
	for i := range iov {
		sysnet.SetIovec(&iov[i], b)
	}
	sent := 0
	n, err := sysnet.Writev(w, iov)
	if n > 0 {
		sent += n // Windows itself may take it; -1 with the error otherwise
	}
	if isWine() {
		if err == nil {
			t.Errorf("Wine took a WSASend of %d WSABUFs (%d bytes); the 1,024 cap may be gone", len(iov), n)
		} else {
			t.Logf("WSASend of %d WSABUFs under Wine: %v", len(iov), err)
		}
	} else {
		t.Logf("WSASend of %d WSABUFs: %d, %v", len(iov), n, err)
	}
	n, err = sysnet.Writev(w, iov[:sysnet.MaxIovecs])
	if err != nil || n != sysnet.MaxIovecs {
		t.Fatalf("WSASend of %d WSABUFs: %d, %v", sysnet.MaxIovecs, n, err)
	}
	sent += n
	if err := wc.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	select {
	case res := <-done:
		if res.err != nil || res.n != sent {
			t.Fatalf("reader got %d bytes (%v), want %d", res.n, res.err, sent)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("reader never saw EOF")
	}
}

func isWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// TestFlushErrorKeepsBytes: a send the system refuses (here: after
// shutdown(SD_SEND)) comes back as the windows.Errno, and the bytes stay
// queued.
func TestFlushErrorKeepsBytes(t *testing.T) {
	w, _, _ := tcpPair(t, 0)
	if err := windows.Shutdown(w, windows.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	q := NewQueue(NewPool(0))
	q.Write(make([]byte, 100))
	n, err := q.Flush(w)
	var errno windows.Errno
	if !errors.As(err, &errno) {
		t.Fatalf("Flush after shutdown: n=%d err=%v (%T), want a windows.Errno", n, err, err)
	}
	if !errors.Is(err, windows.WSAESHUTDOWN) {
		t.Logf("Flush after shutdown: %v (errno %d), not WSAESHUTDOWN", err, uintptr(errno))
	}
	if n != 0 || q.Len() != 100 {
		t.Fatalf("after %v: n=%d Len=%d", err, n, q.Len())
	}
}

func TestFlushEmptyWindows(t *testing.T) {
	w, _, _ := tcpPair(t, 0)
	var q Queue
	if n, err := q.Flush(w); n != 0 || err != nil {
		t.Fatalf("Flush of an empty queue: %d, %v", n, err)
	}
}
