package buffer

import (
	"runtime"
	"testing"
	"weak"
)

func TestPoolReusesChunks(t *testing.T) {
	p := NewPool(64)
	q := NewQueue(p)
	q.Write([]byte("x"))
	first := &q.Peek(nil)[0][0]
	q.Consume(1)
	q.Write([]byte("y"))
	if &q.Peek(nil)[0][0] != first {
		t.Fatalf("a freed chunk was not reused")
	}
	q.Reset()

	for range 100 {
		q.Write(make([]byte, 10*64))
		q.Consume(q.Len())
	}
	if st := p.Stats(); st.Slabs != 1 || st.InUse != 0 || st.Free != slabChunks {
		t.Fatalf("after 100 fill/drain cycles: %+v, want one slab, all free", st)
	}
}

func TestPoolZeroValue(t *testing.T) {
	var p Pool
	q := NewQueue(&p)
	q.Write(make([]byte, DefaultChunkSize+1))
	if st := p.Stats(); st.InUse != 2 || p.ChunkSize() != DefaultChunkSize {
		t.Fatalf("zero Pool: %+v, chunk size %d", st, p.ChunkSize())
	}
}

// slabsOf returns weak pointers to the distinct slabs the queues' chunks
// come from.
func slabsOf(qs []*Queue) []weak.Pointer[slab] {
	seen := map[*slab]bool{}
	var ws []weak.Pointer[slab]
	for _, q := range qs {
		for i := range q.n {
			s := q.ring[(q.head+i)&(len(q.ring)-1)].slab
			if !seen[s] {
				seen[s] = true
				ws = append(ws, weak.Make(s))
			}
		}
	}
	return ws
}

func alive(ws []weak.Pointer[slab]) int {
	runtime.GC()
	n := 0
	for _, w := range ws {
		if w.Value() != nil {
			n++
		}
	}
	return n
}

// TestPoolCapsFreeChunks fills many queues with interleaved writes (so every
// slab serves several queues), drains them, and checks that the Pool keeps at
// most its cap of free chunks and that the slabs it dropped are really
// collected, i.e. no queue or scratch array still points into them.
func TestPoolCapsFreeChunks(t *testing.T) {
	for _, maxFree := range []int{0, slabChunks, 3 * slabChunks} {
		p := NewPool(64)
		p.SetMaxFree(maxFree)
		limit := max(maxFree, slabChunks)
		qs := make([]*Queue, 10)
		for i := range qs {
			qs[i] = NewQueue(p)
		}
		for round := range 100 {
			for i, q := range qs {
				q.Write(make([]byte, 64*(1+(round+i)%3)))
			}
		}
		held := 0
		for _, q := range qs {
			held += q.n
		}
		if st := p.Stats(); st.Slabs < 10 || st.InUse != held {
			t.Fatalf("filled: %+v", st)
		}
		ws := slabsOf(qs)
		for i, q := range qs {
			if i%2 == 0 {
				q.Consume(q.Len())
			} else {
				q.Reset()
			}
		}
		st := p.Stats()
		if st.InUse != 0 || st.Free > limit || st.Free != st.Slabs*slabChunks {
			t.Fatalf("maxFree %d: drained pool %+v, want at most %d free chunks", maxFree, st, limit)
		}
		if n := alive(ws); n != st.Slabs {
			t.Fatalf("maxFree %d: %d of %d slabs still reachable, pool retains %d", maxFree, n, len(ws), st.Slabs)
		}
		runtime.KeepAlive(p)
	}
}

func TestPoolSetMaxFreeTrims(t *testing.T) {
	p := NewPool(64)
	p.SetMaxFree(10 * slabChunks)
	q := NewQueue(p)
	q.Write(make([]byte, 64*slabChunks*5))
	q.Reset()
	if st := p.Stats(); st.Slabs != 5 {
		t.Fatalf("under a cap of 10 slabs: %+v", st)
	}
	p.SetMaxFree(2 * slabChunks)
	if st := p.Stats(); st.Slabs != 2 || st.Free != 2*slabChunks {
		t.Fatalf("after lowering the cap to 2 slabs: %+v", st)
	}
}

func TestGetQueueReusesPutQueue(t *testing.T) {
	p := NewPool(0)
	q := p.GetQueue()
	q.Write([]byte("hello"))
	p.PutQueue(q)
	if s := p.Stats(); s.InUse != 0 {
		t.Fatalf("PutQueue left %d chunks in use", s.InUse)
	}
	q2 := p.GetQueue()
	if q2 != q {
		t.Fatal("GetQueue did not reuse the spare Queue")
	}
	if q2.Len() != 0 || q2.Pushed() != 0 || q2.Flushed() != 0 {
		t.Fatalf("reused Queue not reset: len %d pushed %d flushed %d", q2.Len(), q2.Pushed(), q2.Flushed())
	}
	allocs := testing.AllocsPerRun(100, func() {
		q := p.GetQueue()
		q.Write([]byte("x"))
		p.PutQueue(q)
	})
	if allocs != 0 {
		t.Fatalf("GetQueue/PutQueue cycle allocates %.1f times; want 0", allocs)
	}
}
