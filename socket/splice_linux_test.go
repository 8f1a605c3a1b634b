//go:build linux

package socket_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/testnet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	"golang.org/x/sys/unix"
)

// Every test here runs on both of Pipe's paths — the kernel splice and the
// copy through user space — and on both kinds of stream socket the kernel
// splices (TCP and Unix), and checks that the path it meant to test is the
// one taken: on the splice path bytes went through the loop's kernel pipes,
// on the copy path none did.

type pipePath struct {
	name string
	mode socket.PipeSplice
}

var pipePaths = []pipePath{{"copy", socket.SpliceNever}, {"splice", socket.SpliceAlways}}

// eachPath runs fn once per path and socket kind with the process-wide
// splice setting switched accordingly.
func eachPath(t *testing.T, fn func(t *testing.T, splice bool, kind string)) {
	for _, p := range pipePaths {
		for _, kind := range []string{"tcp", "unix"} {
			t.Run(p.name+"/"+kind, func(t *testing.T) {
				prev := socket.DefaultPipeSplice()
				socket.SetDefaultPipeSplice(p.mode)
				t.Cleanup(func() { socket.SetDefaultPipeSplice(prev) })
				fn(t, p.mode == socket.SpliceAlways, kind)
			})
		}
	}
}

// eachMode runs fn once per path, the socket kinds left to fn.
func eachMode(t *testing.T, fn func(t *testing.T)) {
	for _, p := range pipePaths {
		t.Run(p.name, func(t *testing.T) {
			prev := socket.DefaultPipeSplice()
			socket.SetDefaultPipeSplice(p.mode)
			t.Cleanup(func() { socket.SetDefaultPipeSplice(prev) })
			fn(t)
		})
	}
}

// connPair returns one end of a connected stream socket of kind as a raw
// descriptor for the library, and the other end for the test.
func connPair(t *testing.T, kind string) (int, net.Conn) {
	t.Helper()
	switch kind {
	case "tcp":
		c, s := testnet.TCPPair(t)
		fd, err := unix.Dup(int(testnet.Handle(t, s)))
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		return fd, c
	case "unix":
		p, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		f := os.NewFile(uintptr(p[1]), "peer")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return p[0], c
	}
	t.Fatalf("kind %q", kind)
	return -1, nil
}

// readAllMarks reads c to EOF and calls at(i) (on the reading goroutine)
// once it has read marks[i] bytes: the tests act on the loop when the far
// end has seen a given amount, an event, not a guess.
func readAllMarks(c net.Conn, marks []int, at func(i int)) []byte {
	var b []byte
	buf := make([]byte, 64<<10)
	next := 0
	for {
		n, err := c.Read(buf)
		b = append(b, buf[:n]...)
		for next < len(marks) && len(b) >= marks[next] {
			at(next)
			next++
		}
		if err != nil {
			return b
		}
	}
}

// openFDs counts this process's open descriptors. Go's own poller keeps
// two (its epoll and its wakeup eventfd) from the first net.Conn on: made
// before the first count, or a test that runs first in its process (-run
// with one test) counted them as two left open.
func openFDs(t *testing.T) int {
	t.Helper()
	netpollOnce.Do(func() {
		if ln, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
			ln.Close()
		}
	})
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

var netpollOnce sync.Once

// pipeFixture is a source and a destination socket on one loop, each with
// its peer held by the test: in feeds src, out reads what dst sends.
type pipeFixture struct {
	t        *testing.T
	splice   bool
	l        *reactor.Loop
	srcFD    int
	dstFD    int
	in, out  net.Conn
	baseline int
}

func newPipeFixture(t *testing.T, splice bool, kind string) *pipeFixture {
	f := &pipeFixture{t: t, splice: splice, baseline: openFDs(t)}
	f.l = newLoop(t)
	f.srcFD, f.in = connPair(t, kind)
	f.dstFD, f.out = connPair(t, kind)
	return f
}

func (f *pipeFixture) sockets() (src, dst *socket.Socket) {
	return newFDSocket(f.t, socket.Options{Loop: f.l, FD: f.srcFD}), newFDSocket(f.t, socket.Options{Loop: f.l, FD: f.dstFD})
}

// checkPath fails unless the bytes went the way the path says (call after
// the loop returned).
func (f *pipeFixture) checkPath(wantMoved int64) {
	f.t.Helper()
	open, spare, moved := socket.SpliceStats(f.l)
	switch {
	case f.splice && wantMoved >= 0 && int64(moved) != wantMoved:
		f.t.Errorf("spliced %d bytes; want %d", moved, wantMoved)
	case f.splice && wantMoved < 0 && moved == 0:
		f.t.Error("the splice path spliced nothing")
	case !f.splice && moved != 0:
		f.t.Errorf("the copy path spliced %d bytes", moved)
	}
	if open != spare {
		f.t.Errorf("%d pipes open, %d of them spare: a pipe is still lent after the sockets closed", open, spare)
	}
}

// checkFDs stops the loop and fails unless the descriptor count is back to
// what it was before the fixture (the peers closed too).
func (f *pipeFixture) checkFDs() {
	f.t.Helper()
	f.in.Close()
	f.out.Close()
	f.l.Stop()
	<-f.l.Done()
	if n := openFDs(f.t); n != f.baseline {
		f.t.Errorf("%d descriptors open after the loop stopped; %d before", n, f.baseline)
	}
}

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 3))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// writeChunks writes data to c in random-sized chunks, then half-closes it.
func writeChunks(c net.Conn, data []byte, seed uint64, maxChunk int) error {
	r := rand.New(rand.NewPCG(seed, 5))
	for len(data) > 0 {
		n := min(len(data), 1+r.IntN(maxChunk))
		if _, err := c.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return closeWrite(c)
}

func closeWrite(c net.Conn) error {
	return c.(interface{ CloseWrite() error }).CloseWrite()
}

// TestSplicePipeEveryByte: random data in random chunks through src.Pipe(dst)
// arrives whole and in order, the source's 'end' ends dst, the byte counters
// are exact, and nothing stays open.
func TestSplicePipeEveryByte(t *testing.T) {
	eachPath(t, func(t *testing.T, splice bool, kind string) {
		const total = 3 << 20
		f := newPipeFixture(t, splice, kind)
		data := randomBytes(1, total)
		werr := make(chan error, 1)
		go func() { werr <- writeChunks(f.in, data, 2, 150<<10) }()
		got := make(chan []byte, 1)
		go func() { b, _ := io.ReadAll(f.out); got <- b }()
		var read, written int64
		var evs events
		start(t, f.l, func() {
			src, dst := f.sockets()
			src.Pipe(dst, nil)
			src.OnEnd(func() { evs.add("src end") })
			dst.OnFinish(func() { evs.add("dst finish"); dst.Destroy(nil) })
			dst.OnClose(func(bool) {
				read, written = src.BytesRead(), dst.BytesWritten()
				src.Destroy(nil)
			})
		})
		if err := <-werr; err != nil {
			t.Fatal(err)
		}
		if b := <-got; !bytes.Equal(b, data) {
			t.Fatalf("dst's peer read %d bytes, differing from the %d sent", len(b), len(data))
		}
		if read != total || written != total {
			t.Errorf("bytesRead %d, bytesWritten %d; want %d each", read, written, total)
		}
		if evs.String() != "src end,dst finish" {
			t.Errorf("events %v", evs)
		}
		f.checkPath(total)
		f.checkFDs()
	})
}

// TestSplicePipeBackpressure: with a destination whose peer does not read,
// the destination's buffered bytes (spliced ones parked in the kernel pipe
// included) pile up and the source is paused; it then stops
// reading (no read interest, bytesRead stands still); 'drain' resumes it and
// every byte arrives. (The copy path also pauses after a chunk of
// highWaterMark or more that the kernel took whole or nearly — its return
// rule counts the chunk — so the reader waits for a pause with bytes
// waiting in the destination, which only its reading can end.)
func TestSplicePipeBackpressure(t *testing.T) {
	eachPath(t, func(t *testing.T, splice bool, kind string) {
		const total = 4 << 20
		f := newPipeFixture(t, splice, kind)
		// Bound what the kernel holds between the destination and its
		// idle peer: with autotuning up to tcp_rmem's maximum (32 MB on
		// some hosts) a loopback peer's receive buffer alone took all
		// 4 MiB, and the source was never paused.
		setBufSizes(f.dstFD, 64<<10)
		if tc, ok := f.out.(*net.TCPConn); ok {
			tc.SetReadBuffer(64 << 10)
		}
		data := randomBytes(3, total)
		go writeChunks(f.in, data, 4, 64<<10)
		paused := make(chan struct{})
		got := make(chan []byte, 1)
		go func() {
			<-paused
			b, _ := io.ReadAll(f.out)
			got <- b
		}()
		var pauses, drains int
		var parked int
		var src, dst *socket.Socket
		socket.SetPipeWaitHook(func(s *socket.Socket) {
			if s != src {
				return
			}
			if f.l.Interest(f.srcFD)&nodenet.EventRead != 0 {
				t.Error("a source paused by its pipe still asks for readability")
			}
			if splice && dst.BufferSize() < dst.WritableHighWaterMark() && socket.SplicedLen(dst) == 0 {
				t.Errorf("the splice path paused with bufferSize %d < highWaterMark %d and no parked byte", dst.BufferSize(), dst.WritableHighWaterMark())
			}
			if dst.BufferSize() == 0 {
				return // the copy path's pause for a tick (see above)
			}
			pauses++
			if pauses == 1 {
				parked = socket.SplicedLen(dst)
				n := src.BytesRead()
				// Nothing more is read while paused: look again after the
				// loop's next turn (the reader has not started yet).
				f.l.SetImmediate(func() {
					f.l.SetImmediate(func() {
						if src.BytesRead() != n {
							t.Errorf("bytesRead moved from %d to %d while paused", n, src.BytesRead())
						}
						close(paused)
					})
				})
			}
		})
		t.Cleanup(func() { socket.SetPipeWaitHook(nil) })
		start(t, f.l, func() {
			src, dst = f.sockets()
			src.Pipe(dst, nil)
			dst.OnDrain(func() { drains++ })
			dst.OnClose(func(bool) { src.Destroy(nil) })
			dst.OnFinish(func() { dst.Destroy(nil) })
			src.OnClose(func(bool) {
				if pauses == 0 {
					close(paused)
				}
			})
		})
		if pauses == 0 {
			t.Fatal("the source was never paused")
		}
		if drains == 0 {
			t.Error("no 'drain' on the destination")
		}
		if splice && parked == 0 {
			t.Error("at the first pause no spliced byte was parked in the destination's pipe")
		}
		if b := <-got; !bytes.Equal(b, data) {
			t.Fatalf("read %d bytes, differing from the %d sent", len(b), len(data))
		}
		f.checkPath(total)
		f.checkFDs()
	})
}

// TestSplicePipeSendWhileParked: the destination's own Send while piped
// bytes wait for its peer (parked in the kernel pipe on the splice path,
// queued on the copy path) goes after them, exactly at the offset its
// bytesWritten gave; with End: false the destination stays open after the
// source's 'end', and what it sends then follows every piped byte.
func TestSplicePipeSendWhileParked(t *testing.T) {
	eachPath(t, func(t *testing.T, splice bool, kind string) {
		const total = 2 << 20
		f := newPipeFixture(t, splice, kind)
		// Small buffers between the destination and its peer, so that the
		// piped bytes pile up on our side whatever the loopback tuning.
		if err := unix.SetsockoptInt(f.dstFD, unix.SOL_SOCKET, unix.SO_SNDBUF, 16<<10); err != nil {
			t.Fatal(err)
		}
		f.out.(interface{ SetReadBuffer(int) error }).SetReadBuffer(64 << 10)
		data := randomBytes(5, total)
		go writeChunks(f.in, data, 6, 64<<10)
		paused := make(chan struct{})
		got := make(chan []byte, 1)
		go func() {
			<-paused
			b, _ := io.ReadAll(f.out)
			got <- b
		}()
		mid := []byte("-- sent while piped bytes wait --")
		tail := []byte("-- the destination's own tail --")
		var midAt int64 = -1
		var parked, bufAt int
		var src, dst *socket.Socket
		socket.SetPipeWaitHook(func(s *socket.Socket) {
			if s != src || midAt >= 0 || dst.BufferSize() == 0 {
				return
			}
			parked, bufAt = socket.SplicedLen(dst), dst.BufferSize()
			midAt = dst.BytesWritten()
			dst.Send(mid, nil)
			close(paused)
		})
		t.Cleanup(func() { socket.SetPipeWaitHook(nil) })
		start(t, f.l, func() {
			src, dst = f.sockets()
			src.Pipe(dst, &socket.PipeOptions{NoEnd: true})
			src.OnEnd(func() {
				if !dst.Writable() {
					t.Error("End: false ended the destination")
				}
				dst.Send(tail, nil)
				dst.End(nil, nil)
			})
			dst.OnFinish(func() { dst.Destroy(nil) })
		})
		if midAt < 0 {
			t.Fatal("the source never paused with bytes waiting in the destination")
		}
		want := append(append(append(append([]byte(nil), data[:midAt]...), mid...), data[midAt:]...), tail...)
		if b := <-got; !bytes.Equal(b, want) {
			i := 0
			for i < len(b) && i < len(want) && b[i] == want[i] {
				i++
			}
			t.Fatalf("read %d bytes, want %d: the piped bytes with the destination's own at %d and at the end; first difference at %d", len(b), len(want), midAt, i)
		}
		if splice && parked == 0 {
			t.Error("no spliced byte was parked when the destination sent its own")
		}
		if bufAt < parked {
			t.Errorf("bufferSize %d does not count the %d parked bytes", bufAt, parked)
		}
		f.checkPath(-1) // not all: the source copies while dst has its own queued
		f.checkFDs()
	})
}

// TestSplicePipeUnpipe: after Unpipe nothing more reaches the destination and
// its 'end' is not propagated; what was piped before arrives.
func TestSplicePipeUnpipe(t *testing.T) {
	eachPath(t, func(t *testing.T, splice bool, kind string) {
		f := newPipeFixture(t, splice, kind)
		first := randomBytes(7, 200<<10)
		second := []byte("after unpipe")
		var src, dst *socket.Socket
		var extra []byte
		var finished bool
		got := make(chan []byte, 1)
		go func() {
			got <- readAllMarks(f.out, []int{len(first)}, func(int) {
				// Everything piped so far has reached the far end: unpipe,
				// then send more.
				f.l.Post(func() {
					src.Unpipe(dst)
					src.OnData(func(b []byte) { extra = append(extra, b...) })
					src.Resume() // Unpipe paused it, as in Node
					src.OnEnd(func() {
						dst.End(nil, nil)
						src.Destroy(nil)
					})
					go func() { f.in.Write(second); closeWrite(f.in) }()
				})
			})
		}()
		go f.in.Write(first)
		start(t, f.l, func() {
			src, dst = f.sockets()
			src.Pipe(dst, nil)
			dst.OnFinish(func() { finished = true; dst.Destroy(nil) })
		})
		if b := <-got; !bytes.Equal(b, first) {
			t.Fatalf("the destination's peer read %d bytes; want exactly the %d piped before Unpipe", len(b), len(first))
		}
		if !bytes.Equal(extra, second) {
			t.Errorf("the source's own listener read %q; want %q", extra, second)
		}
		if !finished {
			t.Error("the destination did not finish (its End was called)")
		}
		f.checkPath(int64(len(first)))
		f.checkFDs()
	})
}

// TestSplicePipeDestinationFails: the destination's peer goes away with
// bytes parked; the destination reports the write error and closes, and
// the parked bytes and their pipe are released.
func TestSplicePipeDestinationFails(t *testing.T) {
	eachPath(t, func(t *testing.T, splice bool, kind string) {
		f := newPipeFixture(t, splice, kind)
		stop := make(chan struct{})
		go func() {
			chunk := randomBytes(8, 64<<10)
			for {
				select {
				case <-stop:
					closeWrite(f.in)
					return
				default:
				}
				if _, err := f.in.Write(chunk); err != nil {
					return
				}
			}
		}()
		var dstErr error
		var hadError bool
		var src, dst *socket.Socket
		socket.SetPipeWaitHook(func(s *socket.Socket) {
			if s == src && dst.BufferSize() > 0 && f.out != nil {
				out := f.out
				f.out = nopConn{out}
				if tc, ok := out.(*net.TCPConn); ok {
					tc.SetLinger(0) // RST: the destination's next write fails
				}
				out.Close()
			}
		})
		t.Cleanup(func() { socket.SetPipeWaitHook(nil) })
		start(t, f.l, func() {
			src, dst = f.sockets()
			src.Pipe(dst, nil)
			dst.OnError(func(err error) { dstErr = err })
			dst.OnClose(func(h bool) {
				hadError = h
				close(stop)
				src.Destroy(nil)
			})
		})
		if dstErr == nil || !hadError {
			t.Fatalf("destination error %v, close(hadError=%v); want a write error and close(true)", dstErr, hadError)
		}
		if !errors.Is(dstErr, unix.EPIPE) && !errors.Is(dstErr, unix.ECONNRESET) {
			t.Errorf("destination error %v; want EPIPE or ECONNRESET", dstErr)
		}
		f.checkPath(-1)
		f.checkFDs()
	})
}

// nopConn stands for a peer the test already closed.
type nopConn struct{ net.Conn }

func (nopConn) Close() error { return nil }

// TestSplicePipeSourceFails: the source's peer resets the connection; the
// source reports ECONNRESET and closes, the destination is not ended (Node
// does not propagate an error through pipe) and everything spliced before
// the reset still arrives once the destination ends.
func TestSplicePipeSourceFails(t *testing.T) {
	eachPath(t, func(t *testing.T, splice bool, kind string) {
		if kind == "unix" {
			t.Skip("a Unix stream socket cannot be reset")
		}
		f := newPipeFixture(t, splice, kind)
		first := randomBytes(9, 100<<10)
		go f.in.Write(first)
		got := make(chan []byte, 1)
		go func() {
			got <- readAllMarks(f.out, []int{len(first)}, func(int) {
				// All of it went through: now the source's peer resets.
				f.in.(*net.TCPConn).SetLinger(0)
				f.in.Close()
			})
		}()
		var srcErr error
		var dstEndedBySrc bool
		start(t, f.l, func() {
			src, dst := f.sockets()
			src.Pipe(dst, nil)
			src.OnError(func(err error) { srcErr = err })
			src.OnClose(func(bool) {
				dstEndedBySrc = !dst.Writable()
				dst.End(nil, nil)
			})
			dst.OnFinish(func() { dst.Destroy(nil) })
		})
		if srcErr == nil || !errors.Is(srcErr, unix.ECONNRESET) {
			t.Fatalf("source error %v; want ECONNRESET", srcErr)
		}
		if dstEndedBySrc {
			t.Error("the source's error ended the destination")
		}
		if b := <-got; !bytes.Equal(b, first) {
			t.Fatalf("read %d bytes; want the %d read before the reset", len(b), len(first))
		}
		f.checkPath(int64(len(first)))
		f.checkFDs()
	})
}

// TestSplicePipeDestroyMidSplice: destroying either side while spliced bytes
// are parked: a destroyed destination drops them with its pipe (as it drops
// queued bytes); a destroyed source leaves them to the destination, which
// still delivers them.
func TestSplicePipeDestroyMidSplice(t *testing.T) {
	for _, which := range []string{"dst", "src"} {
		t.Run(which, func(t *testing.T) {
			eachPath(t, func(t *testing.T, splice bool, kind string) {
				f := newPipeFixture(t, splice, kind)
				go func() {
					chunk := randomBytes(10, 64<<10)
					for {
						if _, err := f.in.Write(chunk); err != nil {
							return
						}
					}
				}()
				var src, dst *socket.Socket
				var parked, bufAt int
				var writtenAt int64
				destroyed := make(chan struct{})
				got := make(chan int64, 1)
				go func() {
					<-destroyed
					n, _ := io.Copy(io.Discard, f.out)
					got <- n
				}()
				once := false
				socket.SetPipeWaitHook(func(s *socket.Socket) {
					if s != src || once {
						return
					}
					once = true
					parked, bufAt = socket.SplicedLen(dst), dst.BufferSize()
					if which == "dst" {
						dst.Destroy(nil)
						src.Destroy(nil)
					} else {
						src.Destroy(nil)
						writtenAt = dst.BytesWritten()
						dst.End(nil, nil)
					}
					close(destroyed)
				})
				t.Cleanup(func() { socket.SetPipeWaitHook(nil) })
				start(t, f.l, func() {
					src, dst = f.sockets()
					src.Pipe(dst, nil)
					dst.OnFinish(func() { dst.Destroy(nil) })
				})
				if !once {
					t.Fatal("never paused")
				}
				if splice && parked == 0 {
					t.Error("no byte was parked when the pipe paused")
				}
				if bufAt < parked {
					t.Errorf("bufferSize %d < parked %d", bufAt, parked)
				}
				n := <-got
				if which == "src" {
					// The peer also gets what the kernel took before: all of
					// bytesWritten, parked bytes included.
					if n != writtenAt {
						t.Errorf("the destination's peer read %d bytes; bytesWritten was %d", n, writtenAt)
					}
				}
				f.checkPath(-1)
				f.checkFDs()
			})
		})
	}
}

// TestSplicePipeSwitchesToCopy: the splice path stops when user space needs
// the bytes — a 'data' listener added mid-stream, an encoding, a corked
// destination, a second pipe — and every byte still arrives in order at the
// destination, the listener seeing what came after it was added.
func TestSplicePipeSwitchesToCopy(t *testing.T) {
	type change struct {
		name  string
		apply func(l *reactor.Loop, src, dst *socket.Socket, other *socket.Socket) func()
	}
	changes := []change{
		{"data listener", func(_ *reactor.Loop, src, dst, _ *socket.Socket) func() {
			id := src.OnData(func([]byte) {})
			return func() { src.RemoveListener(id) }
		}},
		{"cork", func(l *reactor.Loop, src, dst, _ *socket.Socket) func() {
			// Corked, the destination sends nothing, so the far end cannot
			// be what uncorks it: the scenario uncorks after a while.
			dst.Cork()
			l.SetTimeout(5*time.Millisecond, dst.Uncork)
			return func() {}
		}},
		{"second pipe", func(_ *reactor.Loop, src, dst, other *socket.Socket) func() {
			src.Pipe(other, nil)
			return func() { src.Unpipe(other) }
		}},
	}
	for _, ch := range changes {
		t.Run(ch.name, func(t *testing.T) {
			eachPath(t, func(t *testing.T, splice bool, kind string) {
				const total = 3 << 20
				f := newPipeFixture(t, splice, kind)
				otherFD, otherPeer := connPair(t, kind)
				go io.Copy(io.Discard, otherPeer)
				data := randomBytes(11, total)
				go writeChunks(f.in, data, 12, 64<<10)
				var src, dst, other *socket.Socket
				var undo func()
				got := make(chan []byte, 1)
				go func() {
					got <- readAllMarks(f.out, []int{total / 4, total / 2}, func(i int) {
						f.l.Post(func() {
							if i == 0 {
								undo = ch.apply(f.l, src, dst, other)
							} else {
								undo()
							}
						})
					})
				}()
				start(t, f.l, func() {
					src, dst = f.sockets()
					other = newFDSocket(t, socket.Options{Loop: f.l, FD: otherFD})
					src.Pipe(dst, nil)
					dst.OnFinish(func() { dst.Destroy(nil); other.Destroy(nil) })
				})
				if b := <-got; !bytes.Equal(b, data) {
					t.Fatalf("read %d bytes, differing from the %d sent", len(b), len(data))
				}
				f.checkPath(-1)
				otherPeer.Close()
				f.checkFDs()
			})
		})
	}
}

// TestSplicePipeAcrossLoops: a pipe to a socket of another loop of a Group
// copies (splicing is within one loop), with backpressure across the loops,
// and loses nothing.
func TestSplicePipeAcrossLoops(t *testing.T) {
	eachPath(t, func(t *testing.T, splice bool, kind string) {
		const total = 2 << 20
		g, err := reactor.NewGroup(2, reactor.RoundRobin)
		if err != nil {
			t.Fatal(err)
		}
		srcFD, in := connPair(t, kind)
		dstFD, out := connPair(t, kind)
		data := randomBytes(13, total)
		go writeChunks(in, data, 14, 64<<10)
		got := make(chan []byte, 1)
		go func() { b, _ := io.ReadAll(out); got <- b }()
		la, lb := g.Loops()[0], g.Loops()[1]
		done := make(chan struct{})
		g.Start()
		lb.Post(func() {
			dst := newFDSocket(t, socket.Options{Loop: lb, FD: dstFD})
			dst.OnFinish(func() { dst.Destroy(nil) })
			dst.OnClose(func(bool) { close(done) })
			la.Post(func() {
				src := newFDSocket(t, socket.Options{Loop: la, FD: srcFD})
				src.Pipe(dst, nil)
			})
		})
		select {
		case <-done:
		case <-time.After(hangGuard):
			t.Fatal("hang")
		}
		if b := <-got; !bytes.Equal(b, data) {
			t.Fatalf("read %d bytes, differing from the %d sent", len(b), len(data))
		}
		g.Stop()
		for _, l := range g.Loops() {
			<-l.Done()
			if _, _, moved := socket.SpliceStats(l); moved != 0 {
				t.Errorf("a pipe across loops spliced %d bytes", moved)
			}
		}
	})
}

// TestSpliceEchoServer: the echo server (c.Pipe(c)) over real connections,
// many of them at once, random message sizes, every byte checked; the
// pipes go back to the pool and the descriptors to their count.
func TestSpliceEchoServer(t *testing.T) {
	eachPath(t, func(t *testing.T, splice bool, kind string) {
		if kind == "unix" {
			t.Skip("the server half is TCP")
		}
		base := openFDs(t)
		l := newLoop(t)
		const conns = 20
		errs := make(chan error, conns)
		var srv *server.Server
		closed := 0
		start(t, l, func() {
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
				c.Pipe(c, nil)
				c.OnClose(func(bool) {
					if closed++; closed == conns {
						srv.Close(nil)
					}
				})
			}, func(_ *server.Server, port int) {
				for i := range conns {
					go func() { errs <- spliceEchoClient(port, uint64(i)) }()
				}
			})
		})
		for range conns {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		open, spare, moved := socket.SpliceStats(l)
		if splice && moved == 0 || !splice && moved != 0 {
			t.Errorf("spliced %d bytes on the %v path", moved, map[bool]string{true: "splice", false: "copy"}[splice])
		}
		if open != spare {
			t.Errorf("%d pipes open, %d spare", open, spare)
		}
		l.Stop()
		<-l.Done()
		if n := openFDs(t); n != base {
			t.Errorf("%d descriptors open after the loop stopped; %d before", n, base)
		}
	})
}

func spliceEchoClient(port int, seed uint64) error {
	c, err := net.Dial("tcp", "127.0.0.1:"+itoa(port))
	if err != nil {
		return err
	}
	defer c.Close()
	r := rand.New(rand.NewPCG(seed, 9))
	data := randomBytes(seed+100, 1<<20)
	errc := make(chan error, 1)
	go func() {
		d := data
		for len(d) > 0 {
			n := min(len(d), 1+r.IntN(100<<10))
			if _, err := c.Write(d[:n]); err != nil {
				errc <- err
				return
			}
			d = d[n:]
		}
		errc <- c.(*net.TCPConn).CloseWrite()
	}()
	got, err := io.ReadAll(c)
	if werr := <-errc; werr != nil {
		return werr
	}
	if err != nil {
		return err
	}
	if !bytes.Equal(got, data) {
		return errors.New("echo: bytes differ")
	}
	return nil
}

// TestPipePausesLikeNode: Unpipe of the last pipe pauses the source and
// Pipe resumes it, a paused one too — what Node v26 prints for the same
// program:
//
//	after pipe: paused false / after unpipe: paused true /
//	after re-pipe: paused false / after pause: paused true /
//	pipe while paused: paused false
func TestPipePausesLikeNode(t *testing.T) {
	eachMode(t, func(t *testing.T) {
		f := newPipeFixture(t, false, "unix")
		var got []bool
		start(t, f.l, func() {
			src, dst := f.sockets()
			otherFD, _ := connPair(t, "unix")
			other := newFDSocket(t, socket.Options{Loop: f.l, FD: otherFD})
			src.Pipe(dst, nil)
			got = append(got, src.IsPaused())
			src.Unpipe(dst)
			got = append(got, src.IsPaused())
			src.Pipe(dst, nil)
			got = append(got, src.IsPaused())
			src.Pause()
			got = append(got, src.IsPaused())
			src.Pipe(other, nil)
			got = append(got, src.IsPaused())
			src.Destroy(nil)
			dst.Destroy(nil)
			other.Destroy(nil)
		})
		if want := []bool{false, true, false, true, false}; !slicesEqual(got, want) {
			t.Errorf("IsPaused after pipe, unpipe, pipe, pause, pipe = %v; Node: %v", got, want)
		}
	})
}

func slicesEqual[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSplicePipeMaxBufferSize: StreamOptions.MaxBufferSize caps the destination's
// buffered bytes on both paths — parked spliced bytes count — and passing
// it destroys the destination with ERR_NODENET_BUFFER_FULL.
func TestSplicePipeMaxBufferSize(t *testing.T) {
	eachPath(t, func(t *testing.T, splice bool, kind string) {
		f := newPipeFixture(t, splice, kind)
		if err := unix.SetsockoptInt(f.dstFD, unix.SOL_SOCKET, unix.SO_SNDBUF, 16<<10); err != nil {
			t.Fatal(err)
		}
		f.out.(interface{ SetReadBuffer(int) error }).SetReadBuffer(16 << 10)
		stop := make(chan struct{})
		go func() {
			chunk := randomBytes(15, 64<<10)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := f.in.Write(chunk); err != nil {
					return
				}
			}
		}()
		var dstErr error
		start(t, f.l, func() {
			src := newFDSocket(t, socket.Options{Loop: f.l, FD: f.srcFD})
			dst := newFDSocket(t, socket.Options{Loop: f.l, FD: f.dstFD, StreamOptions: socket.StreamOptions{HighWaterMark: 1 << 20, MaxBufferSize: 80 << 10}})
			src.Pipe(dst, nil)
			dst.OnError(func(err error) { dstErr = err })
			dst.OnClose(func(bool) { close(stop); src.Destroy(nil) })
		})
		if code(dstErr) != nodenet.CodeBufferFull {
			t.Fatalf("destination error %v; want %s", dstErr, nodenet.CodeBufferFull)
		}
		f.checkPath(-1)
		f.checkFDs()
	})
}

// setAppend sets O_APPEND on fd: write(2) to a socket ignores it, but
// splice(2) into a file with O_APPEND fails with EINVAL — a real kernel
// refusal to splice into the destination, after the bytes already left the
// source.
func setAppend(t *testing.T, fd int) {
	t.Helper()
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err == nil {
		_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFL, fl|unix.O_APPEND)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestSpliceRefusedByDestination: when the kernel refuses to splice into the
// destination (EINVAL), the bytes already spliced out of the source are read
// back from the kernel pipe to the head of the destination's queue, ahead of
// what the destination sent of its own meanwhile (whose callback still runs
// once its bytes are out), and the pipe copies from then on: every byte
// arrives, in order. Refused at the first splice, and mid-stream with bytes
// parked and the destination's own queued behind them.
func TestSpliceRefusedByDestination(t *testing.T) {
	for _, when := range []string{"at once", "mid-stream"} {
		t.Run(when, func(t *testing.T) {
			for _, kind := range []string{"tcp", "unix"} {
				t.Run(kind, func(t *testing.T) {
					prev := socket.DefaultPipeSplice()
					socket.SetDefaultPipeSplice(socket.SpliceAlways)
					t.Cleanup(func() { socket.SetDefaultPipeSplice(prev) })
					const total = 2 << 20
					f := newPipeFixture(t, true, kind)
					if err := unix.SetsockoptInt(f.dstFD, unix.SOL_SOCKET, unix.SO_SNDBUF, 16<<10); err != nil {
						t.Fatal(err)
					}
					f.out.(interface{ SetReadBuffer(int) error }).SetReadBuffer(64 << 10)
					if when == "at once" {
						setAppend(t, f.dstFD)
					}
					data := randomBytes(16, total)
					go writeChunks(f.in, data, 17, 64<<10)
					gate := make(chan struct{})
					if when == "at once" {
						close(gate)
					}
					got := make(chan []byte, 1)
					go func() {
						<-gate
						b, _ := io.ReadAll(f.out)
						got <- b
					}()
					mid := []byte("-- queued behind parked bytes --")
					var midAt int64 = -1
					var midErr error = errors.New("callback never ran")
					var src, dst *socket.Socket
					var parked int
					if when == "mid-stream" {
						socket.SetPipeWaitHook(func(s *socket.Socket) {
							if s != src || midAt >= 0 || socket.SplicedLen(dst) == 0 {
								return
							}
							parked = socket.SplicedLen(dst)
							midAt = dst.BytesWritten()
							dst.Send(mid, func(err error) { midErr = err })
							setAppend(t, f.dstFD)
							close(gate)
						})
						t.Cleanup(func() { socket.SetPipeWaitHook(nil) })
					}
					start(t, f.l, func() {
						src, dst = f.sockets()
						src.Pipe(dst, nil)
						dst.OnFinish(func() { dst.Destroy(nil) })
					})
					want := data
					if when == "mid-stream" {
						if midAt < 0 {
							t.Fatal("no byte was ever parked")
						}
						if midErr != nil {
							t.Errorf("the destination's own write called back with %v", midErr)
						}
						want = append(append(append([]byte(nil), data[:midAt]...), mid...), data[midAt:]...)
					}
					if b := <-got; !bytes.Equal(b, want) {
						i := 0
						for i < len(b) && i < len(want) && b[i] == want[i] {
							i++
						}
						t.Fatalf("read %d bytes, want %d (parked %d when refused); first difference at %d", len(b), len(want), parked, i)
					}
					_, _, moved := socket.SpliceStats(f.l)
					if moved == 0 || moved >= total {
						t.Errorf("spliced %d bytes; want some (before the refusal), not all", moved)
					}
					f.checkPath(-1)
					f.checkFDs()
				})
			}
		})
	}
}

// TestSpliceTakesTheWholeQueue: one readable event of a splicing source
// moves everything its receive queue holds, up to the kernel pipe's
// capacity, in one splice — not a read buffer (64 KiB) at a time, which
// streaming through a proxy paid for in splice calls and in the peers'
// wakeups that follow each one. The peer's 256 KiB are all queued in the
// source (a Unix stream write returns once the receiver's queue holds it
// all) before the pipe starts, so the count of splices is the kernel's
// answer, not a race.
func TestSpliceTakesTheWholeQueue(t *testing.T) {
	prev := socket.DefaultPipeSplice()
	socket.SetDefaultPipeSplice(socket.SpliceAlways)
	t.Cleanup(func() { socket.SetDefaultPipeSplice(prev) })
	const total = 256 << 10
	// The capacity this kernel grants a pipe of the size the pool asks for
	// (the user's pipe quota may keep it at the default).
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	_, _ = unix.FcntlInt(uintptr(p[0]), unix.F_SETPIPE_SZ, 1<<20)
	capacity, err := unix.FcntlInt(uintptr(p[0]), unix.F_GETPIPE_SZ, 0)
	unix.Close(p[0])
	unix.Close(p[1])
	if err != nil {
		t.Fatal(err)
	}
	f := newPipeFixture(t, true, "unix")
	if err := f.in.(*net.UnixConn).SetWriteBuffer(2 * total); err != nil {
		t.Fatal(err)
	}
	data := randomBytes(21, total)
	if _, err := f.in.Write(data); err != nil {
		t.Skipf("the peer cannot queue %d bytes at once here: %v", total, err)
	}
	if err := closeWrite(f.in); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() { b, _ := io.ReadAll(f.out); got <- b }()
	start(t, f.l, func() {
		src, dst := f.sockets()
		src.Pipe(dst, nil)
		dst.OnFinish(func() { dst.Destroy(nil) })
		dst.OnClose(func(bool) { src.Destroy(nil) })
	})
	if b := <-got; !bytes.Equal(b, data) {
		t.Fatalf("dst's peer read %d bytes, differing from the %d sent", len(b), len(data))
	}
	want := uint64((total + capacity - 1) / capacity)
	if n := socket.SpliceCalls(f.l); n > want {
		t.Errorf("%d splices moved %d queued bytes; want at most %d (pipe capacity %d)", n, total, want, capacity)
	}
	f.checkPath(total)
	f.checkFDs()
}
