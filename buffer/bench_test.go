//go:build unix

package buffer

import (
	"fmt"
	"testing"
)

// BenchmarkQueueWriteConsume: the cost of queueing (copy into pooled chunks)
// and dropping what the kernel took, without the system call.
func BenchmarkQueueWriteConsume(b *testing.B) {
	for _, size := range []int{16, 1500, 64 << 10} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			q := NewQueue(NewPool(0))
			msg := make([]byte, size)
			q.Write(msg) // warm up: the Pool's first slab
			q.Consume(q.Len())
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				q.Write(msg)
				q.Consume(q.Len())
			}
		})
	}
	// Node's many-small-writes case: 64 writes of 100 bytes queued, then one
	// drain.
	b.Run("64x100", func(b *testing.B) {
		q := NewQueue(NewPool(0))
		msg := make([]byte, 100)
		q.Write(msg)
		q.Consume(q.Len())
		b.SetBytes(64 * 100)
		b.ReportAllocs()
		for b.Loop() {
			for range 64 {
				q.Write(msg)
			}
			q.Consume(q.Len())
		}
	})
}

// BenchmarkFlushSocketpair: gather-write throughput into an AF_UNIX socketpair
// whose other end a goroutine drains; each op queues and flushes 256 KiB.
func BenchmarkFlushSocketpair(b *testing.B) {
	for _, write := range []int{100, 16 << 10, 256 << 10} {
		b.Run(fmt.Sprintf("writes-of-%d", write), func(b *testing.B) {
			w, r := socketpair(b, 0)
			done := slowReader(r, 0)
			q := NewQueue(NewPool(0))
			msg := make([]byte, write)
			const perOp = 256 << 10
			flush := func() {
				for {
					if _, err := q.Flush(w); err != nil {
						b.Fatal(err)
					}
					if q.Len() == 0 {
						return
					}
					waitWritable(b, w)
				}
			}
			q.Write(make([]byte, 2*perOp)) // warm up: slabs, ring, iovecs
			flush()
			b.SetBytes(perOp)
			b.ReportAllocs()
			for b.Loop() {
				for i := 0; i < perOp; i += write {
					q.Write(msg)
				}
				flush()
			}
			b.StopTimer()
			closeFD(b, w)
			<-done
		})
	}
}
