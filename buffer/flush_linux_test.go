package buffer

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestIovMaxIsTheKernelLimit checks maxIovecs against this kernel: one more
// iovec makes writev fail with EINVAL, which is why Flush caps each call.
func TestIovMaxIsTheKernelLimit(t *testing.T) {
	w, _ := socketpair(t, 1<<20)
	b := []byte{'x'}
	iov := make([]unix.Iovec, maxIovecs+1)
	for i := range iov {
		setIovec(&iov[i], b)
	}
	if _, err := writev(w, iov); err != unix.EINVAL {
		t.Fatalf("writev of %d iovecs: %v, want EINVAL", len(iov), err)
	}
	if n, err := writev(w, iov[:maxIovecs]); err != nil || n != maxIovecs {
		t.Fatalf("writev of %d iovecs: %d, %v", maxIovecs, n, err)
	}
}

// TestSteadyPathAllocatesNothing: once the Pool has a slab and the queue a
// ring, Write + Flush + Consume cycles allocate nothing (Linux: the raw
// writev uses the Pool's iovec array).
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
