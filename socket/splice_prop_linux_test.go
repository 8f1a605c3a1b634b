//go:build linux

package socket_test

import (
	"bytes"

	"math/rand/v2"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/nodenet/nodenet/socket"
)

// TestPipeProperty: random data in random chunks through src.Pipe(dst) while
// a seeded scenario pauses and resumes the source, unpipes and re-pipes it
// (at once, or after a while), adds and removes a 'data' listener, corks and
// uncorks the destination, and sends bytes of the destination's own in
// between, against a peer reading in random sizes; the source's end ends the
// destination (or, with End: false, the test does). Every byte must arrive
// in order, the destination's own bytes exactly where its bytesWritten said
// they would go, the counters must be exact and the descriptors must return
// to their count — on the copy path, the splice path and SpliceAuto. On
// the splice path the scenario starts once a read has spliced, so that
// the path is tested whatever the scheduling.
// NODENET_PIPE_SEEDS=N runs N seeds per combination (default 3); a failure
// prints its seed.
func TestPipeProperty(t *testing.T) {
	seeds := 3
	if v, err := strconv.Atoi(os.Getenv("NODENET_PIPE_SEEDS")); err == nil && v > 0 {
		seeds = v
	}
	paths := append(append([]pipePath(nil), pipePaths...), pipePath{"auto", socket.SpliceAuto})
	for _, p := range paths {
		for _, kind := range []string{"tcp", "unix"} {
			for seed := uint64(1); seed <= uint64(seeds); seed++ {
				t.Run(p.name+"/"+kind+"/seed="+strconv.FormatUint(seed, 10), func(t *testing.T) {
					prev := socket.DefaultPipeSplice()
					socket.SetDefaultPipeSplice(p.mode)
					t.Cleanup(func() { socket.SetDefaultPipeSplice(prev) })
					pipeProperty(t, p.mode, kind, seed)
				})
			}
		}
	}
}

type marker struct {
	at   int64
	data []byte
}

func pipeProperty(t *testing.T, mode socket.PipeSplice, kind string, seed uint64) {
	r := rand.New(rand.NewPCG(seed, uint64(mode)*7+uint64(len(kind))))
	total := 256<<10 + r.IntN(2<<20)
	maxChunk := []int{512, 8 << 10, 128 << 10}[r.IntN(3)]
	noEnd := r.IntN(3) == 0
	f := newPipeFixture(t, mode == socket.SpliceAlways, kind)
	if r.IntN(2) == 0 {
		f.out.(interface{ SetReadBuffer(int) error }).SetReadBuffer(32<<10 + r.IntN(64<<10))
	}
	data := randomBytes(seed*31, total)
	go writeChunks(f.in, data, seed*37, maxChunk)
	readSeed := seed * 41
	// The scenario can make the peer stop reading for a while (stalled), so
	// that piped bytes pile up in the destination: wake is its signal to
	// look again.
	var stalled atomic.Bool
	wake := make(chan struct{}, 1)
	got := make(chan []byte, 1)
	go func() {
		rr := rand.New(rand.NewPCG(readSeed, 1))
		var b []byte
		buf := make([]byte, 64<<10)
		for {
			for stalled.Load() {
				<-wake
			}
			n, err := f.out.Read(buf[:1+rr.IntN(len(buf))])
			b = append(b, buf[:n]...)
			if err != nil {
				got <- b
				return
			}
		}
	}()

	var markers []marker
	var read, written int64
	var ops [7]int
	start(t, f.l, func() {
		src, dst := f.sockets()
		opts := &socket.PipeOptions{NoEnd: noEnd}
		src.Pipe(dst, opts)
		// The scenario steps once per loop iteration (an immediate that
		// queues itself), so that its operations land between reads and
		// writes however fast the bytes flow; one operation at a time, each
		// undone some iterations later.
		busy := false
		var countdown int
		var undo func()
		done := func() { busy = false }
		later := func(fn func()) { countdown, undo = 1+r.IntN(40), fn }
		stopped, spliced := false, false
		var step func()
		step = func() {
			if stopped {
				return
			}
			f.l.SetImmediate(step)
			if undo != nil {
				if countdown--; countdown <= 0 {
					fn := undo
					undo = nil
					fn()
					done()
				}
				return
			}
			if mode == socket.SpliceAlways && !spliced {
				// No operation until a read has spliced: 'data'
				// listeners, corks and pauses make reads copy, and a
				// source whose every byte was in the kernel before the
				// loop first read it could be read whole, a read per
				// iteration, within one operation's span (it was: "the
				// splice path spliced nothing", 13 reads under a 'data'
				// listener), leaving the splice path untested.
				if _, _, moved := socket.SpliceStats(f.l); moved == 0 {
					return
				}
				spliced = true
			}
			if busy || src.Destroyed() || dst.Destroyed() || r.IntN(8) != 0 {
				return
			}
			busy = true
			op := r.IntN(len(ops))
			ops[op]++
			switch op {
			case 0: // pause for a while
				src.Pause()
				later(func() { src.Resume() })
			case 1: // unpipe and pipe again at once
				src.Unpipe(dst)
				src.Pipe(dst, opts)
				done()
			case 2: // the destination's own bytes, between piped ones
				if dst.Writable() {
					m := randomBytes(r.Uint64(), 1+r.IntN(64))
					markers = append(markers, marker{dst.BytesWritten(), m})
					dst.Send(m, nil)
				}
				done()
			case 3: // user space wants the bytes for a while
				id := src.OnData(func([]byte) {})
				later(func() { src.RemoveListener(id) })
			case 4: // cork the destination for a while
				dst.Cork()
				later(dst.Uncork)
			case 6: // the peer stops reading for a while
				stalled.Store(true)
				countdown, undo = 20+r.IntN(200), func() {
					stalled.Store(false)
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			case 5: // unpipe (which pauses) for a while
				src.Unpipe(dst)
				later(func() {
					if src.Readable() {
						src.Pipe(dst, opts)
					} else if dst.Writable() {
						dst.End(nil, nil) // the source ended meanwhile
					}
				})
			}
		}
		f.l.SetImmediate(step)
		src.OnClose(func(bool) {
			read = src.BytesRead()
			if dst.Writable() {
				dst.End(nil, nil) // End: false, or the source ended unpiped
			}
		})
		dst.OnFinish(func() {
			written = dst.BytesWritten()
			dst.Destroy(nil)
		})
		dst.OnClose(func(bool) {
			stopped = true
			if undo != nil {
				undo() // an uncork or a resume still owed
			}
			src.Destroy(nil)
		})
	})
	b := <-got
	want := make([]byte, 0, total+len(markers)*64)
	in := 0
	var extra int64
	for _, m := range markers {
		k := int(m.at) - len(want)
		want = append(want, data[in:in+k]...)
		in += k
		want = append(want, m.data...)
		extra += int64(len(m.data))
	}
	want = append(want, data[in:]...)
	if !bytes.Equal(b, want) {
		i := 0
		for i < len(b) && i < len(want) && b[i] == want[i] {
			i++
		}
		t.Fatalf("seed %d: the peer read %d bytes, want %d (%d piped, %d markers); first difference at %d; ops %v",
			seed, len(b), len(want), total, len(markers), i, ops)
	}
	if read != int64(total) || written != int64(total)+extra {
		t.Errorf("seed %d: bytesRead %d (want %d), bytesWritten %d (want %d)", seed, read, total, written, int64(total)+extra)
	}
	wantMoved := int64(-1)
	if mode == socket.SpliceAuto {
		wantMoved = -2 // either way
	}
	if wantMoved == -1 {
		f.checkPath(-1)
	} else {
		open, spare, _ := socket.SpliceStats(f.l)
		if open != spare {
			t.Errorf("%d pipes open, %d spare", open, spare)
		}
	}
	f.checkFDs()

}
