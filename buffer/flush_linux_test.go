package buffer

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestSteadyPathAllocatesNothing: once the Pool has a slab and the queue a
// ring, Write + Flush + Consume cycles allocate nothing (Linux: the raw
// gather write uses the Pool's iovec array).
func TestSteadyPathAllocatesNothing(t *testing.T) {
	w, r := socketpair(t, 1<<20)
	if err := unix.SetNonblock(r, true); err != nil {
		t.Fatal(err)
	}
	p := NewPool(1024)
	q := NewQueue(p)
	msg := make([]byte, 5000)
	sink := make([]byte, 64<<10)
	k := 0
	cycle := func() {
		k = (k + 777) % len(msg)
		// Several writes that share and span chunks, then one gather write.
		q.Write(msg[:k])
		q.Write(msg[:100])
		q.WriteString("tiny")
		want := q.Len()
		n, err := q.Flush(w)
		if err != nil || n != want || q.Len() != 0 {
			t.Fatalf("Flush: %d of %d, %v", n, want, err)
		}
		for got := 0; got < n; {
			m, err := unix.Read(r, sink)
			if err != nil {
				t.Fatalf("read back: %v", err)
			}
			got += m
		}
		// And a partial drain by Consume alone.
		q.Write(msg[:3000])
		q.Consume(1234)
		q.Consume(q.Len())
	}
	for range 10 {
		cycle()
	}
	if allocs := testing.AllocsPerRun(1000, cycle); allocs != 0 {
		t.Fatalf("steady path: %v allocations per cycle, want 0", allocs)
	}
}
