package reactor

import (
	"strings"
	"testing"
	"time"
)

// Main runs its function on the loop as one callback — inline calls, next
// ticks after it returns, then immediates and the rest of the loop — and
// returns when nothing refed is left, like a Node program's top level.
func TestMainRunsSetupAsOneTick(t *testing.T) {
	l := newLoop(t)
	var ev []string
	done := make(chan error, 1)
	go func() {
		done <- l.Main(func() {
			ev = append(ev, "main start")
			if !l.InLoop() {
				t.Error("Main's function is not on the loop goroutine")
			}
			l.SetImmediate(func() { ev = append(ev, "immediate") })
			l.NextTick(func() { ev = append(ev, "tick") })
			l.SetTimeout(time.Millisecond, func() { ev = append(ev, "timer") })
			ev = append(ev, "main end")
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(hangAfter):
		l.Stop()
		t.Fatal("Main did not return")
	}
	if got, want := strings.Join(ev, ","), "main start,main end,tick,immediate,timer"; got != want {
		t.Errorf("order %s; want %s", got, want)
	}
	// A loop that ran out of work may Main again; a stopped one refuses.
	ran := false
	if err := l.Main(func() { ran = true }); err != nil || !ran {
		t.Errorf("second Main: %v, ran %v", err, ran)
	}
	l.Stop()
	if err := l.Main(func() { t.Error("ran on a stopped loop") }); err == nil {
		t.Error("Main on a stopped loop returned nil")
	}
}

// Main refuses a loop that is already running, and does not run fn.
func TestMainRefusesARunningLoop(t *testing.T) {
	l := newLoop(t)
	got := make(chan error, 1)
	release := make(chan struct{})
	go func() {
		_ = l.Main(func() {
			got <- l.Main(func() { t.Error("fn ran on a running loop") })
			<-release
		})
	}()
	var err error
	select {
	case err = <-got:
	case <-time.After(hangAfter):
		t.Fatal("hang")
	}
	close(release)
	if err != ErrRunning {
		t.Errorf("Main on a running loop: %v; want ErrRunning", err)
	}
}
