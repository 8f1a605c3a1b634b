//go:build windows

// Windows-only reactor checks (run under Wine by `make test-windows`), on top
// of the platform-neutral loop_test.go; io_windows_test.go has the I/O
// shapes with loopback TCP sockets standing in for io_test.go's socketpairs. Nothing here is
// timed: Wine is far slower than Windows, so deadlines only catch hangs.

package reactor

import (
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
)

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

// TestInLoop checks the assembly getg (goid_amd64.s reads g from TLS) on
// windows/amd64: InLoop must be false off the loop — including on another
// goroutine while the loop runs — and true inside a posted task, and Exec
// must run inline exactly when InLoop.
func TestInLoopWithAndWithoutThreadLock(t *testing.T) {
	for _, lock := range []bool{true, false} {
		name := "Unlocked"
		var opts []Option
		if lock {
			name = "WithOSThreadLock"
			opts = append(opts, WithOSThreadLock())
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
