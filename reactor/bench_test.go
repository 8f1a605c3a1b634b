//go:build unix

package reactor

import (
	"sync"
	"testing"
	"time"
)

// startLoop runs l on its own goroutine until the returned stop is called.
func startLoop(b *testing.B, l *Loop) (stop func()) {
	b.Helper()
	hold := l.SetTimeout(time.Hour, func() {})
	done := make(chan struct{})
	go func() { l.Run(); close(done) }()
	return func() {
		l.Post(func() { hold.Stop() })
		<-done
	}
}

// BenchmarkPostThroughput: tasks posted from 4 goroutines, run by the loop.
func BenchmarkPostThroughput(b *testing.B) {
	l := newLoop(b)
	stop := startLoop(b, l)
	defer stop()
	var wg sync.WaitGroup
	const producers = 4
	var ran sync.WaitGroup
	ran.Add(b.N)
	task := func() { ran.Done() }
	b.ReportAllocs()
	b.ResetTimer()
	for p := 0; p < producers; p++ {
		n := b.N / producers
		if p == 0 {
			n += b.N % producers
		}
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			for i := 0; i < n; i++ {
				l.Post(task)
			}
		}(n)
	}
	wg.Wait()
	ran.Wait()
}

// BenchmarkPostWakeupLatency: one Post to a sleeping loop and the answer
// back — the round trip a goroutine pays to hop onto a loop.
func BenchmarkPostWakeupLatency(b *testing.B) {
	l := newLoop(b)
	stop := startLoop(b, l)
	defer stop()
	reply := make(chan struct{})
	task := func() { reply <- struct{}{} }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.Post(task)
		<-reply
	}
}

// BenchmarkTimers100k measures, with 100,000 timers scheduled: inserting one,
// refreshing one (the idle-timeout re-arm on every read), and firing.
func BenchmarkTimers100k(b *testing.B) {
	const n = 100_000
	setup := func(b *testing.B) (*Loop, []*Timer) {
		l := newLoop(b)
		l.owner.Store(getg()) // drive the loop's timer code directly on this goroutine
		b.Cleanup(func() { l.owner.Store(0) })
		l.updateTime()
		ts := make([]*Timer, n)
		for i := range ts {
			ts[i] = l.SetTimeout(time.Duration(i%1000+1)*time.Millisecond, func() {})
		}
		return l, ts
	}
	b.Run("insert", func(b *testing.B) {
		l, _ := setup(b)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			t := l.SetTimeout(time.Duration(i%1000+1)*time.Millisecond, nil)
			l.unschedule(t)
		}
	})
	b.Run("refresh", func(b *testing.B) {
		l, ts := setup(b)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			ts[i%n].Refresh()
		}
		_ = l
	})
	b.Run("fire", func(b *testing.B) {
		l, _ := setup(b)
		fired := 0
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			// Schedule one due now and run the timer phase: pop + callback.
			t := &Timer{loop: l, fn: func() { fired++ }, delay: minTimerDelay, index: -1, refed: true}
			l.schedule(t, l.now)
			l.runTimers()
		}
		if fired != b.N {
			b.Fatalf("fired %d of %d", fired, b.N)
		}
	})
}

// TestTimerRefreshDoesNotTouchHeap proves the idle-timeout re-arm is O(1):
// refreshing never moves the heap entry until it comes due.
func TestTimerRefreshDoesNotTouchHeap(t *testing.T) {
	l := newLoop(t)
	l.owner.Store(getg())
	defer l.owner.Store(0)
	l.updateTime()
	var ts []*Timer
	for i := 0; i < 1000; i++ {
		ts = append(ts, l.SetTimeout(time.Duration(i+1)*time.Millisecond, func() {}))
	}
	before := make([]int, len(ts))
	for i, tm := range ts {
		before[i] = tm.index
	}
	allocs := testing.AllocsPerRun(1000, func() {
		for _, tm := range ts {
			tm.Refresh()
		}
	})
	for i, tm := range ts {
		if tm.index != before[i] {
			t.Fatalf("Refresh moved timer %d in the heap", i)
		}
	}
	if allocs != 0 {
		t.Fatalf("Refresh allocates: %v", allocs)
	}
}
