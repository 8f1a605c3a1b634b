//go:build unix

package reactor

import (
	"errors"
	"testing"

	"github.com/nodenet/nodenet"
	"golang.org/x/sys/unix"
)

// pauseResumeHandler removes and restores its read interest inside one event,
// as a pipe does when the destination drains on the next tick.
type pauseResumeHandler struct {
	l    *Loop
	fd   int
	want int
	got  int
}

func (h *pauseResumeHandler) HandleEvent(nodenet.Events) {
	n, _ := unix.Read(h.fd, h.l.ReadBuffer())
	if n > 0 {
		h.got += n
	}
	h.l.SetInterest(h.fd, 0)
	h.l.NextTick(func() { h.l.SetInterest(h.fd, nodenet.EventRead) })
	if h.got >= h.want || n == 0 {
		h.l.Unregister(h.fd)
		h.l.Unref()
	}
}

func TestSetInterestRevertedBeforeWaitCostsNoSyscall(t *testing.T) {
	l := newLoop(t)
	a, b := socketpair(t)
	h := &pauseResumeHandler{l: l, fd: a, want: 3}
	l.Post(func() {
		if err := l.Register(a, nodenet.EventRead, h); err != nil {
			t.Error(err)
		}
		l.Ref()
	})
	go func() {
		for _, c := range []string{"x", "y", "z"} {
			unix.Write(b, []byte(c))
		}
	}()
	runGuarded(t, l)
	if h.got != 3 {
		t.Fatalf("read %d bytes, want 3", h.got)
	}
	if l.modifies != 0 {
		t.Fatalf("%d poller changes for interest that was restored before each wait", l.modifies)
	}
}

func TestSetInterestAppliedBeforeWait(t *testing.T) {
	l := newLoop(t)
	a, b := socketpair(t)
	h := &echoHandler{l: l, fd: a, n: 2}
	l.Post(func() {
		// Registered deaf, then asked to read: the wait must already watch it.
		if err := l.Register(a, 0, h); err != nil {
			t.Error(err)
		}
		l.Ref()
		l.SetInterest(a, nodenet.EventRead)
		if got := l.Interest(a); got != nodenet.EventRead {
			t.Errorf("Interest = %v before the wait, want the requested EventRead", got)
		}
	})
	go unix.Write(b, []byte("ok"))
	runGuarded(t, l)
	if string(h.got) != "ok" || l.modifies != 1 {
		t.Fatalf("got %q with %d poller changes, want \"ok\" with 1", h.got, l.modifies)
	}
}

// failingHandler records the error a deferred poller change raised.
type failingHandler struct {
	l   *Loop
	fd  int
	err error
}

func (h *failingHandler) HandleEvent(nodenet.Events) {}
func (h *failingHandler) HandlePanic(err error) {
	h.err = err
	h.l.Unregister(h.fd)
	h.l.Unref()
}

func TestSetInterestFailureBecomesHandleError(t *testing.T) {
	l := newLoop(t)
	a, _ := socketpair(t)
	dup, err := unix.Dup(a)
	if err != nil {
		t.Fatal(err)
	}
	h := &failingHandler{l: l, fd: dup}
	l.Post(func() {
		if err := l.Register(dup, nodenet.EventRead, h); err != nil {
			t.Error(err)
		}
		l.Ref()
		// Closed behind the loop's back: the deferred change must fail and
		// reach the handler rather than be lost.
		unix.Close(dup)
		l.SetInterest(dup, nodenet.EventRead|nodenet.EventWrite)
	})
	runGuarded(t, l)
	if !errors.Is(h.err, unix.EBADF) && !errors.Is(h.err, unix.ENOENT) {
		t.Fatalf("handler error = %v, want EBADF or ENOENT", h.err)
	}
}
