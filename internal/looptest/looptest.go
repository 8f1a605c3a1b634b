// Package looptest runs reactor loops under test: one place for the "stop it
// at cleanup" and "fail instead of hanging" rules the socket and server tests
// share. It is imported by tests only.
package looptest

import (
	"testing"
	"time"

	"github.com/nodenet/nodenet/reactor"
)

// New makes a loop that is stopped when the test ends (a no-op once it
// returned from Run on its own).
func New(tb testing.TB, opts ...reactor.Option) *reactor.Loop {
	tb.Helper()
	l, err := reactor.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(l.Stop)
	return l
}

// GoRun runs l on its own goroutine. The returned wait blocks until Run
// returned (Node's "the process exits": nothing refed is left); if that takes
// longer than guard — a guard against a hang, never a synchroniser — it
// stops the loop, waits for it and fails the test. Whatever the loop's
// callbacks wrote is safe to read after wait.
func GoRun(tb testing.TB, l *reactor.Loop, guard time.Duration) (wait func()) {
	done := make(chan error, 1)
	go func() { done <- l.Run() }()
	return func() {
		tb.Helper()
		select {
		case err := <-done:
			if err != nil {
				tb.Fatal(err)
			}
		case <-time.After(guard):
			l.Stop()
			<-done
			tb.Fatal("loop did not return: something is still refed (hang)")
		}
	}
}

// Run is GoRun followed by its wait.
func Run(tb testing.TB, l *reactor.Loop, guard time.Duration) {
	tb.Helper()
	GoRun(tb, l, guard)()
}
