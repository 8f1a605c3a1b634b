//go:build windows

// The reactor's essential checks on Windows (run under Wine by
// `make test-windows`). loop_test.go and io_test.go hold the full Unix suite;
// these are the same shapes over the IOCP/AFD_POLL poller, with loopback TCP
// sockets (io_windows_test.go) standing in for socketpairs. Nothing here is
// timed: Wine is far slower than Windows, so deadlines only catch hangs.

package reactor

import (
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
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
	var fired []int
	l.SetTimeout(20*time.Millisecond, func() { fired = append(fired, 2) })
	l.SetTimeout(5*time.Millisecond, func() { fired = append(fired, 1) })
	runGuarded(t, l)
	if len(fired) != 2 || fired[0] != 1 || fired[1] != 2 {
		t.Fatalf("fired %v, want [1 2]", fired)
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

func TestIntervalAndImmediate(t *testing.T) {
	l := newLoop(t)
	var order []string
	n := 0
	var iv *Timer
	iv = l.SetInterval(time.Millisecond, func() {
		n++
		if n == 3 {
			l.ClearTimeout(iv)
			l.SetImmediate(func() { order = append(order, "immediate") })
			l.NextTick(func() { order = append(order, "tick") })
		}
	})
	runGuarded(t, l)
	if n != 3 || len(order) != 2 || order[0] != "tick" || order[1] != "immediate" {
		t.Fatalf("interval fired %d times, then %v; want 3, [tick immediate]", n, order)
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
				if err := l.Post(func() {
					if last[g] != i-1 {
						t.Errorf("goroutine %d: task %d ran after %d", g, i, last[g])
					}
					last[g] = i
					total++
				}); err != nil {
					t.Error(err)
					return
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

// TestInLoop checks the assembly getg (goid_amd64.s reads g from TLS) on
// windows/amd64: InLoop must be false off the loop — including on another
// goroutine while the loop runs — and true inside a posted task, and Exec
// must run inline exactly when InLoop.
func TestInLoop(t *testing.T) {
	for _, lock := range []bool{true, false} {
		name := "LockOSThread"
		var opts []Option
		if !lock {
			name = "WithoutOSThreadLock"
			opts = append(opts, WithoutOSThreadLock())
		}
		t.Run(name, func(t *testing.T) {
			l := newLoop(t, opts...)
			if l.InLoop() {
				t.Fatal("InLoop true off the loop")
			}
			if getg() == 0 {
				t.Fatal("getg() = 0")
			}
			var in, inline, fromOther bool
			var execOrder []string
			entered := make(chan struct{})
			release := make(chan struct{})
			checked := make(chan bool)
			l.Post(func() {
				in = l.InLoop()
				// While the loop goroutine sits in this task, another
				// goroutine must not count as on the loop.
				go func() { <-entered; checked <- l.InLoop() }()
				close(entered)
				fromOther = <-checked
				l.Exec(func() { inline = true })
				execOrder = append(execOrder, "task")
				<-release
			})
			// Off the loop, Exec posts: it runs after the task above.
			if err := l.Exec(func() { execOrder = append(execOrder, "exec") }); err != nil {
				t.Fatal(err)
			}
			close(release)
			runGuarded(t, l)
			if !in {
				t.Fatal("InLoop false inside a posted task")
			}
			if fromOther {
				t.Fatal("InLoop true on another goroutine while the loop ran")
			}
			if !inline {
				t.Fatal("Exec on the loop did not run inline")
			}
			if len(execOrder) != 2 || execOrder[0] != "task" || execOrder[1] != "exec" {
				t.Fatalf("Exec off the loop ran out of order: %v", execOrder)
			}
			if l.InLoop() {
				t.Fatal("InLoop true after Run returned")
			}
		})
	}
}

// TestGetgIsPerGoroutine: getg is stable within a goroutine across
// reschedules and system calls, and distinct among live goroutines.
func TestGetgIsPerGoroutine(t *testing.T) {
	const n = 100
	ids := make(chan uintptr, n)
	var wg, ready sync.WaitGroup
	release := make(chan struct{})
	ready.Add(n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := getg()
			ready.Done()
			<-release // all n are alive at once
			runtime.Gosched()
			time.Sleep(time.Millisecond)
			if again := getg(); again != g {
				t.Errorf("getg changed within a goroutine: %#x then %#x", g, again)
			}
			ids <- g
		}()
	}
	ready.Wait()
	close(release)
	wg.Wait()
	close(ids)
	seen := map[uintptr]bool{}
	for g := range ids {
		if g == 0 || seen[g] {
			t.Fatalf("getg %#x zero or shared by two live goroutines", g)
		}
		seen[g] = true
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

// TestPostRacingStop: Posts from other goroutines while the loop stops must
// either run or return ErrLoopStopped, never wake a closed completion port
// or hang.
func TestPostRacingStop(t *testing.T) {
	for i := range 20 {
		l, err := New()
		if err != nil {
			t.Fatal(err)
		}
		l.SetTimeout(time.Hour, func() {}) // Run stays up until Stop
		done := make(chan error, 1)
		go func() { done <- l.Run() }()
		running := make(chan struct{})
		l.Post(func() { close(running) })
		<-running
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					if err := l.Post(func() {}); err != nil {
						if !errors.Is(err, nodenet.ErrLoopStopped) {
							t.Errorf("Post: %v", err)
						}
						return
					}
				}
			}()
		}
		time.Sleep(time.Duration(i%4) * time.Millisecond)
		l.Stop()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(hangAfter):
			t.Fatal("Run did not return after Stop")
		}
		<-l.Done()
		wg.Wait()
	}
}

func TestGroupStartStop(t *testing.T) {
	g, err := NewGroup(2, RoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	g.Start()
	ran := make(chan *Loop, 2)
	for _, l := range g.Loops() {
		l := l
		if err := l.Post(func() {
			if l.InLoop() {
				ran <- l
			} else {
				ran <- nil
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		select {
		case l := <-ran:
			if l == nil {
				t.Fatal("a group loop's task ran with InLoop false")
			}
		case <-time.After(hangAfter):
			t.Fatal("group loop did not run a posted task")
		}
	}
	g.Stop()
	g.Wait()
	for _, l := range g.Loops() {
		if err := l.Post(func() {}); !errors.Is(err, nodenet.ErrLoopStopped) {
			t.Fatalf("Post after Group.Stop: %v", err)
		}
	}
}
