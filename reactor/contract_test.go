package reactor

import (
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
)

// The cross-goroutine and lifecycle contract of Loop and Group (issue 12):
// what Post promises, what Stop does with work already accepted, Run and
// Stop racing, Group.Stop from its own loops, timer bounds, zero values and
// the loop-only plumbing called from elsewhere.

// waitDone fails the test if the loop's Done does not close in time.
func waitDone(t *testing.T, l *Loop) {
	t.Helper()
	select {
	case <-l.Done():
	case <-time.After(hangAfter):
		t.Fatal("loop's Done never closed")
	}
}

// TestPostAcceptedRunsEvenWhenStopRaces: Post's nil is a promise. Posters on
// other goroutines race Stop; afterwards every task Post accepted has run,
// exactly once, and none that it refused did (before the fix 19 of 500
// trials returned nil for tasks that never ran).
func TestPostAcceptedRunsEvenWhenStopRaces(t *testing.T) {
	trials := 100
	for trial := 0; trial < trials; trial++ {
		l := newLoop(t)
		l.SetTimeout(time.Hour, func() {}) // Run stays up until Stop
		done := make(chan error, 1)
		go func() { done <- l.Run() }()
		var accepted, ran atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := 0; i < 3000; i++ {
					if err := l.Post(func() { ran.Add(1) }); err != nil {
						if !errors.Is(err, nodenet.ErrLoopStopped) {
							t.Errorf("Post: %v", err)
						}
						return
					}
					accepted.Add(1)
				}
			}()
		}
		close(start)
		// Stop once some tasks went through, at a point that varies.
		for accepted.Load() < int64(trial%7)*50 {
			time.Sleep(50 * time.Microsecond)
		}
		l.Stop()
		wg.Wait()
		waitDone(t, l)
		if err := <-done; err != nil && !errors.Is(err, nodenet.ErrLoopStopped) {
			t.Fatal(err) // ErrLoopStopped: Stop came before Run started
		}
		if a, r := accepted.Load(), ran.Load(); a != r {
			t.Fatalf("trial %d: Post accepted %d tasks, %d ran", trial, a, r)
		}
	}
}

// TestStopRunsTasksAlreadyQueued: 50,000 tasks posted, then Stop at once:
// every one runs before Done (32,594 were discarded before the fix).
func TestStopRunsTasksAlreadyQueued(t *testing.T) {
	l := newLoop(t)
	l.SetTimeout(time.Hour, func() {})
	done := make(chan error, 1)
	go func() { done <- l.Run() }()
	const n = 50000
	var ran atomic.Int64
	for i := 0; i < n; i++ {
		if err := l.Post(func() { ran.Add(1) }); err != nil {
			t.Fatal(err)
		}
	}
	l.Stop()
	waitDone(t, l)
	<-done
	if got := ran.Load(); got != n {
		t.Fatalf("%d of %d accepted tasks ran", got, n)
	}
	if err := l.Post(func() {}); !errors.Is(err, nodenet.ErrLoopStopped) {
		t.Fatalf("Post after Stop: %v, want ErrLoopStopped", err)
	}
}

// TestStopOnIdleLoopRunsQueuedTasks: a loop that never ran, with tasks
// posted: Stop tears down on the caller and runs them there.
func TestStopOnIdleLoopRunsQueuedTasks(t *testing.T) {
	l := newLoop(t)
	var ran, inLoop atomic.Int64
	for i := 0; i < 100; i++ {
		if err := l.Post(func() {
			ran.Add(1)
			if l.InLoop() {
				inLoop.Add(1)
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	l.Stop()
	waitDone(t, l)
	if ran.Load() != 100 || inLoop.Load() != 100 {
		t.Fatalf("ran %d (InLoop in %d), want 100", ran.Load(), inLoop.Load())
	}
	if err := l.Run(); !errors.Is(err, nodenet.ErrLoopStopped) {
		t.Fatalf("Run after Stop: %v, want ErrLoopStopped", err)
	}
}

// TestRunRacingStop: `go l.Run(); l.Stop()` — Stop used to tear down on the
// caller while Run started on the other goroutine (a data race); now one of
// them tears down, Done closes, and Run returns nil or ErrLoopStopped.
func TestRunRacingStop(t *testing.T) {
	for i := 0; i < 200; i++ {
		l := newLoop(t)
		l.SetTimeout(time.Hour, func() {})
		var ran atomic.Bool
		if err := l.Post(func() { ran.Store(true) }); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- l.Run() }()
		l.Stop()
		waitDone(t, l)
		if err := <-done; err != nil && !errors.Is(err, nodenet.ErrLoopStopped) {
			t.Fatalf("Run: %v", err)
		}
		if !ran.Load() {
			t.Fatal("the task posted before Stop did not run")
		}
	}
}

// TestStopWhileRunRunsOutOfWork: Stop arriving just as Run returns for lack
// of work must not be lost (Stop saw it running and left the teardown to
// it): Done closes every time.
func TestStopWhileRunRunsOutOfWork(t *testing.T) {
	for i := 0; i < 300; i++ {
		l := newLoop(t)
		l.SetTimeout(time.Duration(i%3)*100*time.Microsecond, func() {})
		done := make(chan error, 1)
		go func() { done <- l.Run() }()
		for !l.Running() && len(done) == 0 {
			time.Sleep(10 * time.Microsecond)
		}
		l.Stop()
		waitDone(t, l)
		<-done
	}
}

// TestGroupStopFromOwnLoop: Group.Stop called in a callback of one of the
// group's loops returns (it used to wait for its own goroutine for ever and
// block every other Stop); Stop from outside then waits for all of them.
func TestGroupStopFromOwnLoop(t *testing.T) {
	g, err := NewGroup(3, RoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	g.Start()
	returned := make(chan int, 2)
	gate := make(chan struct{}) // both tasks posted before either stops the group
	for i, l := range g.Loops()[:2] {
		i := i
		if err := l.Post(func() { <-gate; g.Stop(); g.Wait(); returned <- i }); err != nil {
			t.Fatal(err)
		}
	}
	close(gate)
	for range 2 {
		select {
		case <-returned:
		case <-time.After(hangAfter):
			t.Fatal("Group.Stop on one of its own loops did not return")
		}
	}
	stopped := make(chan struct{})
	go func() { g.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(hangAfter):
		t.Fatal("Group.Stop from outside did not return")
	}
	for _, l := range g.Loops() {
		select {
		case <-l.Done():
		default:
			t.Fatal("Group.Stop returned before a loop was down")
		}
	}
}

// TestGroupStartStopConcurrently: Start and Stop from different goroutines
// at once: no WaitGroup misuse, no race, everything down.
func TestGroupStartStopConcurrently(t *testing.T) {
	for i := 0; i < 50; i++ {
		g, err := NewGroup(2, RoundRobin)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); g.Start() }()
		go func() { defer wg.Done(); g.Stop() }()
		wg.Wait()
		g.Stop()
		for _, l := range g.Loops() {
			waitDone(t, l)
		}
	}
}

// TestTimerDelayNearMaxIsClamped: a delay near math.MaxInt64 used to
// overflow now+delay and fire at the next wake-up. It is clamped to
// TimeoutMax: the timer stays scheduled and does not fire.
func TestTimerDelayNearMaxIsClamped(t *testing.T) {
	for _, d := range []time.Duration{math.MaxInt64, math.MaxInt64 - 1, TimeoutMax + 1, 1 << 62} {
		l := newLoop(t)
		fired := false
		long := l.SetTimeout(d, func() { fired = true })
		long.Unref()
		iv := l.SetInterval(d, func() { fired = true })
		iv.Unref()
		// Wait for a short refed timer: the long ones, if they overflowed,
		// were due long before it.
		l.SetTimeout(20*time.Millisecond, func() {})
		runGuarded(t, l)
		if fired {
			t.Fatalf("delay %v: the timer fired", d)
		}
		if !long.Active() || !iv.Active() {
			t.Fatalf("delay %v: the timer is no longer scheduled", d)
		}
		if got := time.Duration(long.delay); got != TimeoutMax {
			t.Fatalf("delay %v: clamped to %v, want TimeoutMax", d, got)
		}
	}
}

// TestTaskQueuePolicy (item 12): the queue is unbounded by design and
// observable. Pending counts exactly; 64 goroutines posting as fast as they
// can do not starve the loop's timers (a timer set during the flood fires
// while the flood goes on — with starvation the posters, which stop only
// when it fired, would run until the hang guard); and posters that bound
// themselves with Pending keep the queue (so its memory) within their
// bound.
func TestTaskQueuePolicy(t *testing.T) {
	t.Run("PendingCounts", func(t *testing.T) {
		l := newLoop(t)
		for i := 0; i < 1000; i++ {
			_ = l.Post(func() {})
		}
		if got := l.Pending(); got != 1000 {
			t.Fatalf("Pending = %d before Run, want 1000", got)
		}
		runGuarded(t, l)
		if got := l.Pending(); got != 0 {
			t.Fatalf("Pending = %d after Run, want 0", got)
		}
	})
	t.Run("FloodDoesNotStarveTimers", func(t *testing.T) {
		l := newLoop(t)
		fired := make(chan struct{})
		var once sync.Once
		l.SetTimeout(time.Hour, func() {}) // stays up until Stop
		go func() { _ = l.Run() }()
		var wg sync.WaitGroup
		var posted atomic.Int64
		for g := 0; g < 64; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-fired:
						return
					default:
					}
					if l.Post(func() {}) != nil {
						return
					}
					if posted.Add(1) == 10000 {
						l.SetTimeout(time.Millisecond, func() { once.Do(func() { close(fired) }) })
					}
				}
			}()
		}
		select {
		case <-fired:
		case <-time.After(hangAfter):
			t.Fatal("a timer never fired while 64 goroutines flooded the queue")
		}
		wg.Wait()
		l.Stop()
		waitDone(t, l)
	})
	t.Run("PostersBoundedByPending", func(t *testing.T) {
		l := newLoop(t)
		l.SetTimeout(time.Hour, func() {})
		go func() { _ = l.Run() }()
		const bound, posters, each = 4096, 64, 2000
		var maxSeen atomic.Int64
		var wg sync.WaitGroup
		for g := 0; g < posters; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					for l.Pending() >= bound {
						time.Sleep(20 * time.Microsecond)
					}
					_ = l.Post(func() {})
					if p := int64(l.Pending()); p > maxSeen.Load() {
						maxSeen.Store(p)
					}
				}
			}()
		}
		wg.Wait()
		l.Stop()
		waitDone(t, l)
		// Each poster may pass the check at once: bound + posters at most.
		if m := maxSeen.Load(); m > bound+posters {
			t.Fatalf("queue reached %d with posters bounding at %d", m, bound)
		}
	})
}

// TestZeroLoop: a Loop declared without New answers with EINVAL instead of
// a nil dereference.
func TestZeroLoop(t *testing.T) {
	var l Loop
	if err := l.Run(); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("Run: %v, want EINVAL", err)
	}
	if err := l.Post(func() {}); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("Post: %v, want EINVAL", err)
	}
	if err := l.Exec(func() {}); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("Exec: %v, want EINVAL", err)
	}
	l.Stop()
	<-l.Done()
	tm := l.SetTimeout(time.Second, func() {})
	tm.Refresh()
	tm.Unref()
	tm.Stop()
	var zt Timer
	zt.Stop()
	zt.Refresh()
	zt.Ref()
	_ = l.SetImmediate(func() {})
	l.NextTick(func() {})
	l.Ref()
	if l.Logger() == nil || l.Now() != 0 || l.Running() || l.Pending() != 0 {
		t.Fatal("zero Loop getters")
	}
	var g Group
	g.Start()
	g.Stop()
	g.Wait()
	if g.Next() != nil {
		t.Fatal("zero Group picked a loop")
	}
}

// TestLoopOnlyMethodsAreHarmlessElsewhere: the plumbing for handle
// implementations called from another goroutine does nothing harmful:
// registration refuses with ErrNotOnLoop, NextTick and Ref are posted,
// the shared buffer and the loop-locals are not handed out.
func TestLoopOnlyMethodsAreHarmlessElsewhere(t *testing.T) {
	l := newLoop(t)
	if err := l.Register(0, nodenet.EventRead, nil); !errors.Is(err, nodenet.ErrNotOnLoop) {
		t.Fatalf("Register off the loop: %v", err)
	}
	if err := l.SetInterest(0, nodenet.EventRead); !errors.Is(err, nodenet.ErrNotOnLoop) {
		t.Fatalf("SetInterest off the loop: %v", err)
	}
	if err := l.Unregister(0); !errors.Is(err, nodenet.ErrNotOnLoop) {
		t.Fatalf("Unregister off the loop: %v", err)
	}
	closed := false
	if err := l.CloseRegistered(0, func(nodenet.FD) error { closed = true; return nil }); !errors.Is(err, nodenet.ErrNotOnLoop) || closed {
		t.Fatalf("CloseRegistered off the loop: %v (closed %v)", err, closed)
	}
	if l.ReadBuffer() != nil || l.Local("k", func() any { return 1 }) != nil || l.Interest(0) != 0 {
		t.Fatal("loop-only state handed out off the loop")
	}
	var h RefHold
	h.Set(l, true)
	var ticked, argTicked, imm atomic.Bool
	l.NextTick(func() { ticked.Store(l.InLoop()) })
	l.NextTickArg(func(any) { argTicked.Store(l.InLoop()) }, nil)
	l.SetImmediateArg(func(any) { imm.Store(l.InLoop()) }, nil)
	l.Ref() // posted: holds Run until the Unref below
	l.Post(func() { l.Unref() })
	runGuarded(t, l)
	if !ticked.Load() || !argTicked.Load() || !imm.Load() {
		t.Fatal("NextTick/NextTickArg/SetImmediateArg from another goroutine did not run on the loop")
	}
}

// TestTimerGettersFromAnyGoroutine: Active and HasRef are read off the
// loop while the loop changes them (run under -race).
func TestTimerGettersFromAnyGoroutine(t *testing.T) {
	l := newLoop(t)
	tm := l.SetInterval(time.Millisecond, func() {})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				_, _ = tm.Active(), tm.HasRef()
			}
		}
	}()
	n := 0
	l.SetInterval(2*time.Millisecond, func() {
		n++
		if n%2 == 0 {
			tm.Unref()
		} else {
			tm.Ref()
		}
		if n == 20 {
			close(stop)
			wg.Wait()
			tm.Stop()
			l.Stop()
		}
	})
	runGuarded(t, l)
	if tm.Active() {
		t.Fatal("stopped timer reported active")
	}
}
