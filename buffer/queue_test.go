package buffer

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"
)

// contents is everything the Queue holds, in order, as one slice.
func contents(q *Queue) []byte {
	return bytes.Join(q.Peek(nil), nil)
}

// TestQueueProperty drives random writes (mostly tiny, some up to 100 KiB) and
// random partial drains against a bytes.Buffer: no byte may be lost,
// duplicated or reordered, and Len, Pushed, Flushed and the Pool's chunk count
// must agree with the reference at every step.
func TestQueueProperty(t *testing.T) {
	for _, size := range []int{1, 7, 64, 1000, DefaultChunkSize} {
		seed := uint64(time.Now().UnixNano())
		t.Logf("chunk size %d: seed %d", size, seed)
		rng := rand.New(rand.NewPCG(seed, uint64(size)))
		src := make([]byte, 100<<10)
		for i := range src {
			src[i] = byte(rng.Uint32())
		}
		maxWrite := min(len(src), 4000*size) // keep chunk counts sane at size 1

		p := NewPool(size)
		var q Queue
		q.Init(p)
		var ref bytes.Buffer
		var pushed, flushed uint64
		for step := range 3000 {
			switch r := rng.IntN(10); {
			case r < 6:
				n := rng.IntN(17) // many tiny writes, zero included
				if rng.IntN(8) == 0 {
					n = rng.IntN(maxWrite + 1)
				}
				off := rng.IntN(len(src) - n + 1)
				if rng.IntN(2) == 0 {
					q.Write(src[off : off+n])
				} else {
					q.WriteString(string(src[off : off+n]))
				}
				ref.Write(src[off : off+n])
				pushed += uint64(n)
			case r < 9:
				n := rng.IntN(q.Len() + 1)
				if rng.IntN(4) == 0 {
					n = q.Len() // drain completely now and then
				}
				q.Consume(n)
				ref.Next(n)
				flushed += uint64(n)
			default:
				if got := contents(&q); !bytes.Equal(got, ref.Bytes()) {
					t.Fatalf("step %d: queue holds %d bytes that differ from the reference's %d", step, len(got), ref.Len())
				}
			}
			if q.Len() != ref.Len() || q.Pushed() != pushed || q.Flushed() != flushed {
				t.Fatalf("step %d: Len %d Pushed %d Flushed %d, want %d %d %d",
					step, q.Len(), q.Pushed(), q.Flushed(), ref.Len(), pushed, flushed)
			}
			if uint64(q.Len()) != q.Pushed()-q.Flushed() {
				t.Fatalf("step %d: Len %d != Pushed-Flushed %d", step, q.Len(), q.Pushed()-q.Flushed())
			}
			// Chunks held: those covering [off, off+Len) and never more.
			if st := p.Stats(); st.InUse != q.n || (q.Len() == 0) != (st.InUse == 0) || st.InUse > q.Len()/size+2 {
				t.Fatalf("step %d: %d chunks in use for %d bytes of %d-byte chunks", step, st.InUse, q.Len(), size)
			}
		}
		if !bytes.Equal(contents(&q), ref.Bytes()) {
			t.Fatalf("final contents differ")
		}
		q.Reset()
		if q.Len() != 0 || q.Pushed() != 0 || q.Flushed() != 0 || p.Stats().InUse != 0 {
			t.Fatalf("after Reset: Len %d Pushed %d Flushed %d, %d chunks in use", q.Len(), q.Pushed(), q.Flushed(), p.Stats().InUse)
		}
	}
}

func TestQueueSmallWritesShareAChunk(t *testing.T) {
	p := NewPool(64)
	q := NewQueue(p)
	for range 16 {
		q.Write([]byte("abcd"))
	}
	if got := p.Stats().InUse; got != 1 {
		t.Fatalf("16 writes of 4 bytes into 64-byte chunks use %d chunks, want 1", got)
	}
	q.Write([]byte("e"))
	if got := p.Stats().InUse; got != 2 {
		t.Fatalf("a 65th byte uses %d chunks, want 2", got)
	}
	q.Consume(q.Len())
	if st := p.Stats(); st.InUse != 0 || q.n != 0 {
		t.Fatalf("drained queue holds %d chunks", st.InUse)
	}
}

func TestQueueZeroValue(t *testing.T) {
	var q Queue
	q.Write([]byte("hello"))
	if q.Len() != 5 || string(contents(&q)) != "hello" {
		t.Fatalf("zero Queue: Len %d contents %q", q.Len(), contents(&q))
	}
	if q.pool.ChunkSize() != DefaultChunkSize {
		t.Fatalf("private pool chunk size %d", q.pool.ChunkSize())
	}
	// Init with a new pool hands the old chunks back to the old pool.
	old := q.pool
	q.Init(NewPool(8))
	if q.Len() != 0 || old.Stats().InUse != 0 {
		t.Fatalf("Init on a non-empty queue: Len %d, old pool in use %d", q.Len(), old.Stats().InUse)
	}
}

func TestQueueConsumeOutOfRangePanics(t *testing.T) {
	for _, n := range []int{-1, 4} {
		q := NewQueue(NewPool(2))
		q.Write([]byte("abc"))
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Consume(%d) of 3 bytes did not panic", n)
				}
			}()
			q.Consume(n)
		}()
	}
}

// TestQueueRingIsLent checks that a burst's long ring goes back to the Pool
// when the queue empties, so an idle socket holds only its inline ring and the
// next burst, on this socket or another, reuses the ring without allocating.
func TestQueueRingIsLent(t *testing.T) {
	p := NewPool(1)
	p.SetMaxFree(2000) // keep the slabs: this test is about rings
	q := NewQueue(p)
	burst := make([]byte, 1000)
	q.Write(burst)
	if len(q.ring) < 1000 {
		t.Fatalf("ring of %d for 1000 chunks", len(q.ring))
	}
	q.Consume(q.Len())
	if len(q.ring) != inlineRing || &q.ring[0] != &q.inline[0] || len(p.rings) != 1 {
		t.Fatalf("emptied queue keeps a ring of %d; pool has %d spare", len(q.ring), len(p.rings))
	}
	other := NewQueue(p)
	allocs := testing.AllocsPerRun(100, func() {
		for _, q := range []*Queue{q, other} {
			q.Write(burst[:3])
			q.Write(burst)
			q.Consume(500)
			q.Reset()
		}
	})
	if allocs != 0 {
		t.Fatalf("repeated bursts: %v allocations, want 0", allocs)
	}
}
