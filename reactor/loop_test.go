package reactor

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// hangAfter bounds every wait; it only fires when something is stuck.
const hangAfter = 30 * time.Second

func newLoop(t testing.TB, opts ...Option) *Loop {
	t.Helper()
	l, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Stop)
	return l
}

// runGuarded runs the loop and fails the test if it does not return in time.
func runGuarded(t *testing.T, l *Loop) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- l.Run() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(hangAfter):
		l.Stop()
		<-done
		t.Fatal("Run did not return")
	}
}

func TestRunReturnsWhenLastRefedTimerFires(t *testing.T) {
	l := newLoop(t)
	fired := 0
	l.SetTimeout(5*time.Millisecond, func() { fired++ })
	l.SetTimeout(20*time.Millisecond, func() { fired++ })
	runGuarded(t, l)
	if fired != 2 {
		t.Fatalf("fired %d timers, want 2", fired)
	}
}

func TestUnrefedTimerDoesNotHoldRun(t *testing.T) {
	l := newLoop(t)
	fired := false
	tm := l.SetTimeout(time.Hour, func() { fired = true })
	tm.Unref()
	runGuarded(t, l)
	if fired {
		t.Fatal("unrefed timer fired")
	}
	if !tm.Active() {
		t.Fatal("unrefed timer should still be scheduled")
	}
}

func TestRunWithNothingReturns(t *testing.T) {
	l := newLoop(t)
	runGuarded(t, l)
}

func TestTimerOrder(t *testing.T) {
	l := newLoop(t)
	var got []int
	// Equal deadlines fire in the order set; earlier deadlines first.
	l.Post(func() {
		l.SetTimeout(10*time.Millisecond, func() { got = append(got, 3) })
		l.SetTimeout(10*time.Millisecond, func() { got = append(got, 4) })
		l.SetTimeout(1*time.Millisecond, func() { got = append(got, 1) })
		l.SetTimeout(0, func() { got = append(got, 2) }) // 0 counts as 1 ms, set after
		l.SetTimeout(10*time.Millisecond, func() { got = append(got, 5) })
	})
	runGuarded(t, l)
	want := []int{1, 2, 3, 4, 5}
	if len(got) != len(want) {
		t.Fatalf("got %v want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v want %v", got, want)
		}
	}
}

func TestClearTimeoutAndInterval(t *testing.T) {
	l := newLoop(t)
	n := 0
	var iv *Timer
	iv = l.SetInterval(time.Millisecond, func() {
		n++
		if n == 5 {
			l.ClearTimeout(iv)
		}
	})
	cleared := l.SetTimeout(time.Millisecond, func() { t.Error("cleared timer fired") })
	l.ClearTimeout(cleared)
	runGuarded(t, l)
	if n != 5 {
		t.Fatalf("interval fired %d times, want 5", n)
	}
}

func TestTimerRefreshIsLazy(t *testing.T) {
	l := newLoop(t)
	var firedAt time.Duration
	var tm *Timer
	start := time.Duration(0)
	refreshes := 0
	l.Post(func() {
		start = l.Now()
		tm = l.SetTimeout(30*time.Millisecond, func() { firedAt = l.Now() })
		// Refresh it repeatedly from another timer for ~60 ms.
		var iv *Timer
		iv = l.SetInterval(5*time.Millisecond, func() {
			refreshes++
			tm.Refresh()
			if refreshes == 12 {
				l.ClearTimeout(iv)
			}
		})
	})
	runGuarded(t, l)
	if firedAt == 0 {
		t.Fatal("refreshed timer never fired")
	}
	// It may only fire 30 ms after the last refresh, i.e. well after 60 ms.
	if firedAt-start < 60*time.Millisecond {
		t.Fatalf("refreshed timer fired after %v; refresh was ignored", firedAt-start)
	}
}

func TestPostFromManyGoroutinesInOrder(t *testing.T) {
	l := newLoop(t)
	const goroutines, per = 100, 1000
	last := make([]int, goroutines)
	for i := range last {
		last[i] = -1
	}
	total := 0
	var start, wg sync.WaitGroup
	start.Add(1)
	hold := l.SetTimeout(time.Hour, func() {}) // keeps Run alive while producers post
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			start.Wait()
			for i := 0; i < per; i++ {
				i := i
				if err := l.Post(func() {
					if last[g] != i-1 {
						t.Errorf("goroutine %d: task %d ran after %d", g, i, last[g])
					}
					last[g] = i
					total++
				}); err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	go func() {
		wg.Wait()
		l.Post(func() { hold.Stop() })
	}()
	start.Done()
	runGuarded(t, l)
	if total != goroutines*per {
		t.Fatalf("ran %d tasks, want %d", total, goroutines*per)
	}
}

func TestPanickingCallbackIsLoggedAndLoopGoesOn(t *testing.T) {
	core, logs := observer.New(zap.ErrorLevel)
	l := newLoop(t, WithLogger(zap.New(core)))
	after := false
	l.SetTimeout(time.Millisecond, func() { panic("boom") })
	l.SetTimeout(5*time.Millisecond, func() { after = true })
	l.Post(func() {
		l.NextTick(func() { panic(errors.New("tick boom")) })
	})
	runGuarded(t, l)
	if !after {
		t.Fatal("loop stopped serving after a panic")
	}
	if logs.FilterMessage("nodenet: callback panicked").Len() != 2 {
		t.Fatalf("want 2 panic logs, got %v", logs.All())
	}
}

func TestNextTickRunsBeforeImmediate(t *testing.T) {
	l := newLoop(t)
	var order []string
	l.Post(func() {
		l.SetImmediate(func() { order = append(order, "immediate") })
		l.NextTick(func() {
			order = append(order, "tick1")
			l.NextTick(func() { order = append(order, "tick2") })
		})
		order = append(order, "task")
	})
	runGuarded(t, l)
	want := "task tick1 tick2 immediate"
	got := ""
	for i, s := range order {
		if i > 0 {
			got += " "
		}
		got += s
	}
	if got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
}

func TestClearImmediate(t *testing.T) {
	l := newLoop(t)
	im := l.SetImmediate(func() { t.Error("cleared immediate ran") })
	l.ClearImmediate(im)
	runGuarded(t, l)
}

func TestInLoop(t *testing.T) {
	l := newLoop(t)
	if l.InLoop() {
		t.Fatal("InLoop true off the loop")
	}
	in := false
	l.Post(func() { in = l.InLoop() })
	runGuarded(t, l)
	if !in {
		t.Fatal("InLoop false on the loop")
	}
	if l.InLoop() {
		t.Fatal("InLoop true after Run returned")
	}
}

func TestGroupStaysUpUntilStop(t *testing.T) {
	g, err := NewGroup(2, RoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	g.Start()
	ran := make(chan struct{})
	time.AfterFunc(20*time.Millisecond, func() {
		g.Loops()[1].Post(func() { close(ran) })
	})
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("idle group loop exited before Stop")
	}
	g.Stop()
}

// TestArgCallbacksKeepQueueOrder: NextTickArg and SetImmediateArg share the
// next-tick and immediate queues with NextTick and SetImmediate, in call
// order; ticks queued by an argument callback run before the immediates;
// clearing an ordinary immediate between them still works; and a panic in
// one is logged and does not stop the queue.
func TestArgCallbacksKeepQueueOrder(t *testing.T) {
	core, logs := observer.New(zap.ErrorLevel)
	l := newLoop(t, WithLogger(zap.New(core)))
	var order []string
	rec := func(a any) { order = append(order, *a.(*string)) }
	name := func(s string) *string { return &s }
	l.Post(func() {
		l.SetImmediateArg(rec, name("imm1"))
		cleared := l.SetImmediate(func() { order = append(order, "cleared") })
		l.SetImmediate(func() { order = append(order, "imm2") })
		l.SetImmediateArg(func(any) { panic("imm boom") }, nil)
		l.SetImmediateArg(rec, name("imm3"))
		l.ClearImmediate(cleared)
		l.NextTickArg(rec, name("tick1"))
		l.NextTick(func() { order = append(order, "tick2") })
		l.NextTickArg(func(a any) {
			rec(a)
			l.NextTickArg(rec, name("tick4"))
		}, name("tick3"))
		l.NextTickArg(func(any) { panic("tick boom") }, nil)
		l.NextTickArg(rec, name("tick5"))
		order = append(order, "task")
	})
	runGuarded(t, l)
	want := "task tick1 tick2 tick3 tick5 tick4 imm1 imm2 imm3"
	if got := strings.Join(order, " "); got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
	if n := logs.FilterMessage("nodenet: callback panicked").Len(); n != 2 {
		t.Fatalf("want 2 panic logs, got %d", n)
	}
}

// TestArgCallbacksAllocateNothing: a handle queuing its own step as a
// package-level function of a pointer allocates nothing, tick or immediate
// (the point of the Arg forms: a method value or closure is a heap object
// per call).
func TestArgCallbacksAllocateNothing(t *testing.T) {
	l := newLoop(t)
	l.owner.Store(getg())
	defer l.owner.Store(0)
	n := 0
	step := func(a any) { *a.(*int)++ }
	cycle := func() {
		l.NextTickArg(step, &n)
		l.SetImmediateArg(step, &n)
		l.runTicks()
		l.runImmediates()
	}
	cycle() // the queues' backing arrays
	if allocs := testing.AllocsPerRun(1000, cycle); allocs != 0 {
		t.Fatalf("%v allocations per tick and immediate", allocs)
	}
	if n != 2*1002 {
		t.Fatalf("ran %d steps, want %d", n, 2*1002)
	}
}
