//go:build linux

package socket_test

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/socket"
	"golang.org/x/sys/unix"
)

// A socket's first pipe is served inline (no listener entries) when it is
// added before any 'data' or 'end' listener, through listeners otherwise.
// These tests pin what both forms must keep of Node's pipe.

// pipePair wraps one end of each of two socketpairs as src and dst; the
// test holds the other ends (in, out) as files.
func pipePair(t *testing.T) (srcFD, dstFD int, in, out *os.File) {
	t.Helper()
	a, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	in, out = os.NewFile(uintptr(a[1]), "in"), os.NewFile(uintptr(b[1]), "out")
	t.Cleanup(func() { in.Close(); out.Close() })
	return a[0], b[0], in, out
}

func newFDSocket(t *testing.T, o socket.Options) *socket.Socket {
	s, err := socket.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPipeListenerOrder: the pipe's 'data' listener runs where it was
// added — before the listeners added after it, after those added before —
// and counts as a listener of 'data' and 'end'.
func TestPipeListenerOrder(t *testing.T) { eachMode(t, testPipeListenerOrder) }

func testPipeListenerOrder(t *testing.T) {
	for _, listenerFirst := range []bool{false, true} {
		name := "pipe first (inline)"
		if listenerFirst {
			name = "listener first"
		}
		t.Run(name, func(t *testing.T) {
			srcFD, dstFD, in, out := pipePair(t)
			l := newLoop(t)
			var sentBefore int64 = -1
			var counts [2]int
			if _, err := in.Write([]byte("hello")); err != nil {
				t.Fatal(err)
			}
			in.Close() // EOF after the data: 'end' ends dst through the pipe
			start(t, l, func() {
				src := newFDSocket(t, socket.Options{Loop: l, FD: srcFD})
				dst := newFDSocket(t, socket.Options{Loop: l, FD: dstFD})
				listener := func([]byte) {
					if sentBefore < 0 {
						sentBefore = dst.BytesWritten()
					}
				}
				if listenerFirst {
					src.OnData(listener)
				}
				src.Pipe(dst, nil)
				if !listenerFirst {
					src.OnData(listener)
				}
				counts = [2]int{src.ListenerCount(socket.EventData), src.ListenerCount(socket.EventEnd)}
				dst.OnFinish(func() { dst.Destroy(nil) })
			})
			if counts != [2]int{2, 1} {
				t.Errorf("listener counts (data, end) = %v, want [2 1]", counts)
			}
			want := int64(5)
			if listenerFirst {
				want = 0
			}
			if sentBefore != want {
				t.Errorf("dst had %d bytes written when the data listener ran; want %d", sentBefore, want)
			}
			got, err := io.ReadAll(out)
			if err != nil || string(got) != "hello" {
				t.Fatalf("dst's peer read %q, %v; want \"hello\" then EOF (the pipe ended dst)", got, err)
			}
		})
	}
}

// TestPipeNoEndUnpipeRemoveAll: {end: false} leaves dst open; Unpipe stops
// both data and end; removing the 'data' listeners stops the data but not
// the end, as in Node (the pipe's listeners are ordinary listeners there).
func TestPipeNoEndUnpipeRemoveAll(t *testing.T) { eachMode(t, testPipeNoEndUnpipeRemoveAll) }

func testPipeNoEndUnpipeRemoveAll(t *testing.T) {
	cases := []struct {
		name             string
		setup            func(src, dst *socket.Socket)
		wantData, wantFN bool // dst got the data; dst finished (was ended)
	}{
		{"noEnd", func(src, dst *socket.Socket) { src.Pipe(dst, &socket.PipeOptions{NoEnd: true}) }, true, false},
		// Unpipe of the last destination pauses the source, as in Node;
		// Resume lets it read (and discard) the rest so the loop can end.
		{"unpipe", func(src, dst *socket.Socket) {
			src.Pipe(dst, nil)
			src.Unpipe(dst)
			src.Resume()
		}, false, false},
		{"unpipe all", func(src, dst *socket.Socket) { src.Pipe(dst, nil); src.Unpipe(nil); src.Resume() }, false, false},
		{"remove data listeners", func(src, dst *socket.Socket) {
			src.Pipe(dst, nil)
			src.RemoveAllListeners(socket.EventData)
			src.Resume() // still flowing in Node: the stream is not paused by removing listeners
		}, false, true},
		{"remove data listeners, pipe through listeners", func(src, dst *socket.Socket) {
			src.OnData(func([]byte) {})
			src.Pipe(dst, nil)
			src.RemoveAllListeners(socket.EventData) // two of them: regression, this panicked
			src.Resume()
		}, false, true},
		{"remove end listeners", func(src, dst *socket.Socket) {
			src.Pipe(dst, nil)
			src.RemoveAllListeners(socket.EventEnd)
		}, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srcFD, dstFD, in, out := pipePair(t)
			l := newLoop(t)
			var written int64
			var finished bool
			if _, err := in.Write([]byte("data")); err != nil {
				t.Fatal(err)
			}
			in.Close()
			start(t, l, func() {
				src := newFDSocket(t, socket.Options{Loop: l, FD: srcFD})
				dst := newFDSocket(t, socket.Options{Loop: l, FD: dstFD})
				dst.OnFinish(func() { finished = true })
				tc.setup(src, dst)
				src.OnClose(func(bool) {
					written = dst.BytesWritten()
					dst.Destroy(nil)
				})
			})
			if gotData := written > 0; gotData != tc.wantData {
				t.Errorf("dst was written %d bytes; want data: %v", written, tc.wantData)
			}
			if finished != tc.wantFN {
				t.Errorf("dst finished: %v, want %v", finished, tc.wantFN)
			}
			_ = out
		})
	}
}

// TestPipeBackpressureAcrossSockets: a destination whose peer does not read
// pauses the source (Send returned false), and its 'drain' resumes it; every
// byte arrives. The reader starts only once the pause was seen, so the
// test does not depend on timing.
func TestPipeBackpressureAcrossSockets(t *testing.T) { eachMode(t, testPipeBackpressureAcrossSockets) }

func testPipeBackpressureAcrossSockets(t *testing.T) {
	const total = 1 << 20
	srcFD, dstFD, in, out := pipePair(t)
	if err := unix.SetsockoptInt(dstFD, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096); err != nil {
		t.Fatal(err)
	}
	l := newLoop(t)
	paused := make(chan struct{})
	sawPause := false
	got := make(chan int, 1)
	go func() {
		_, _ = in.Write(make([]byte, total))
		in.Close()
	}()
	go func() {
		<-paused
		n, _ := io.Copy(io.Discard, out)
		got <- int(n)
	}()
	start(t, l, func() {
		src := newFDSocket(t, socket.Options{Loop: l, FD: srcFD})
		dst := newFDSocket(t, socket.Options{Loop: l, FD: dstFD})
		src.Pipe(dst, nil)
		src.OnData(func([]byte) {
			if !sawPause && src.IsPaused() {
				sawPause = true
				close(paused)
				// The pipe's own pause waits for 'drain' without watching
				// for a FIN: read interest is off (no peek per blocked chunk).
				if l.Interest(srcFD)&nodenet.EventRead != 0 {
					t.Error("a source paused by its pipe still asks for readability")
				}
			}
		})
		dst.OnFinish(func() { dst.Destroy(nil) })
		src.OnClose(func(bool) {
			if !sawPause {
				close(paused) // let the reader finish; the test fails below
			}
		})
	})
	if !sawPause {
		t.Error("the source was never paused by the destination's backpressure")
	}
	if n := <-got; n != total {
		t.Fatalf("the destination's peer read %d bytes; want %d", n, total)
	}
}

// Unpipe pauses the source once its last destination is gone, as Node's
// readable.unpipe (isPaused true, readableFlowing false), even with a data
// listener; unpiping a socket it does not pipe to changes nothing.
func TestUnpipePausesSource(t *testing.T) { eachMode(t, testUnpipePausesSource) }

func testUnpipePausesSource(t *testing.T) {
	srcFD, dstFD, in, _ := pipePair(t)
	in.Close()
	l := newLoop(t)
	var got []string
	start(t, l, func() {
		src := newFDSocket(t, socket.Options{Loop: l, FD: srcFD})
		dst := newFDSocket(t, socket.Options{Loop: l, FD: dstFD})
		other, _ := socket.New(socket.Options{Loop: l})
		src.OnData(func([]byte) {})
		src.Pipe(dst, nil)
		src.Unpipe(other)
		got = append(got, src.ReadableFlowing().String())
		src.Unpipe(dst)
		got = append(got, src.ReadableFlowing().String()+" "+strconv.FormatBool(src.IsPaused()))
		src.Destroy(nil)
		dst.Destroy(nil)
	})
	if want := "true,false true"; strings.Join(got, ",") != want {
		t.Errorf("flowing after Unpipe(other), Unpipe(dst): %s; want %s", strings.Join(got, ","), want)
	}
}

// TestUnpipeWaitingDestinationResumesSource: a source piped to two
// destinations waits for the 'drain' of the one that is full; unpiping that
// one lets the source flow to the other again, as Node's unpipe runs the
// pipe's ondrain (it stayed paused for ever, and the copy hung). Both pipe
// forms: the first pipe is served inline, the second through listeners, and
// either may be the full one. Under each splice setting (the test's
// 'data' listener keeps the bytes in user space: the setting changes nothing).
func TestUnpipeWaitingDestinationResumesSource(t *testing.T) {
	eachMode(t, testUnpipeWaitingDestinationResumesSource)
}

func testUnpipeWaitingDestinationResumesSource(t *testing.T) {
	for _, full := range []string{"inline", "listener"} {
		t.Run("full="+full, func(t *testing.T) {
			const total = 4 << 20
			srcFD, in := connPair(t, "unix")
			fastFD, fastPeer := connPair(t, "unix")
			slowFD, slowPeer := connPair(t, "unix") // never read until the end
			defer slowPeer.Close()
			data := randomBytes(21, total)
			go writeChunks(in, data, 22, 64<<10)
			got := make(chan []byte, 1)
			go func() { b, _ := io.ReadAll(fastPeer); got <- b }()
			l := newLoop(t)
			unpiped := false
			start(t, l, func() {
				src := newFDSocket(t, socket.Options{Loop: l, FD: srcFD})
				fast := newFDSocket(t, socket.Options{Loop: l, FD: fastFD})
				slow := newFDSocket(t, socket.Options{Loop: l, FD: slowFD})
				if full == "inline" {
					src.Pipe(slow, nil)
					src.Pipe(fast, nil)
				} else {
					src.Pipe(fast, nil)
					src.Pipe(slow, nil)
				}
				// Runs after both pipes' listeners: once the slow side asks
				// for 'drain', it is unpiped and never drains.
				src.OnData(func([]byte) {
					if !unpiped && slow.WritableNeedDrain() {
						unpiped = true
						src.Unpipe(slow)
					}
				})
				fast.OnFinish(func() { slow.Destroy(nil); fast.Destroy(nil) })
			})
			if !unpiped {
				t.Fatal("the slow destination never filled: the test proves nothing")
			}
			if b := <-got; !bytes.Equal(b, data) {
				t.Fatalf("fast destination got %d bytes, differing from the %d sent", len(b), len(data))
			}
		})
	}
}
