//go:build unix

package reactor

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"golang.org/x/sys/unix"
)

func socketpair(t testing.TB) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.SetNonblock(fds[0], true)
	unix.SetNonblock(fds[1], true)
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

type echoHandler struct {
	l   *Loop
	fd  int
	got []byte
	n   int
}

func (h *echoHandler) HandleEvent(ev nodenet.Events) {
	buf := h.l.ReadBuffer()
	n, err := unix.Read(h.fd, buf)
	if n > 0 {
		h.got = append(h.got, buf[:n]...)
	}
	if n == 0 || (err != nil && err != unix.EAGAIN) || len(h.got) >= h.n {
		h.l.Unregister(h.fd)
		h.l.Unref()
	}
}

func TestRegisterDispatchesReads(t *testing.T) {
	l := newLoop(t)
	a, b := socketpair(t)
	h := &echoHandler{l: l, fd: a, n: 5}
	l.Post(func() {
		if err := l.Register(a, nodenet.EventRead, h); err != nil {
			t.Error(err)
		}
		l.Ref()
	})
	go func() {
		unix.Write(b, []byte("hel"))
		unix.Write(b, []byte("lo"))
	}()
	runGuarded(t, l)
	if string(h.got) != "hello" {
		t.Fatalf("got %q", h.got)
	}
}

type panicHandler struct {
	l   *Loop
	fd  int
	err error
}

func (h *panicHandler) HandleEvent(nodenet.Events) { panic("handler boom") }
func (h *panicHandler) HandlePanic(err error) {
	h.err = err
	h.l.Unregister(h.fd)
	h.l.Unref()
}

func TestHandlerPanicBecomesHandleError(t *testing.T) {
	l := newLoop(t)
	a, b := socketpair(t)
	h := &panicHandler{l: l, fd: a}
	l.Post(func() { l.Register(a, nodenet.EventRead, h); l.Ref() })
	unix.Write(b, []byte("x"))
	runGuarded(t, l)
	if h.err == nil || !isCode(h.err, nodenet.CodeCallbackPanic) {
		t.Fatalf("handle error %v", h.err)
	}
}

func isCode(err error, code string) bool {
	e, ok := err.(*nodenet.Error)
	return ok && e.Code == code
}

type stopRecorder struct {
	err chan error
}

func (s *stopRecorder) HandleEvent(nodenet.Events) {}
func (s *stopRecorder) LoopStopped(err error)      { s.err <- err }

func TestStopTearsDownHandlesAndLeaksNothing(t *testing.T) {
	l, err := New()
	if err != nil {
		t.Fatal(err)
	}
	a, _ := socketpair(t)
	rec := &stopRecorder{err: make(chan error, 1)}
	l.Post(func() {
		if err := l.Register(a, nodenet.EventRead, rec); err != nil {
			t.Error(err)
		}
		l.Ref()
	})
	done := make(chan struct{})
	go func() { l.Run(); close(done) }()
	l.Stop()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after Stop")
	}
	<-l.Done()
	select {
	case err := <-rec.err:
		if !errors.Is(err, nodenet.ErrLoopStopped) {
			t.Fatalf("handle got %v", err)
		}
	default:
		// Stop may have landed before the registration task ran; then the
		// task was never run and nothing was registered.
	}
	if err := l.Post(func() {}); !errors.Is(err, nodenet.ErrLoopStopped) {
		t.Fatalf("Post after Stop: %v", err)
	}
}

func TestGroupPicks(t *testing.T) {
	g, err := NewGroup(3, RoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	g.Start()
	defer g.Stop()
	seen := map[*Loop]int{}
	for i := 0; i < 9; i++ {
		seen[g.Next()]++
	}
	for _, l := range g.Loops() {
		if seen[l] != 3 {
			t.Fatalf("round robin uneven: %v", seen)
		}
	}
	g2, err := NewGroup(2, LeastConnections)
	if err != nil {
		t.Fatal(err)
	}
	g2.Start()
	defer g2.Stop()
	a, _ := socketpair(t)
	busy := g2.Loops()[0]
	reg := make(chan struct{})
	busy.Post(func() { busy.Register(a, 0, &stopRecorder{err: make(chan error, 1)}); close(reg) })
	<-reg
	if g2.Next() != g2.Loops()[1] {
		t.Fatal("least-connections picked the busy loop")
	}
}

// closerHandler, on its first event, closes its sibling through
// CloseRegistered and registers a new pair in the same batch, so the new
// descriptor most likely takes the closed one's number.
type closerHandler struct {
	l       *Loop
	t       *testing.T
	fd      int
	sibling *int // the other handler's fd
	fresh   *freshHandler
	done    bool
}

func (h *closerHandler) HandleEvent(nodenet.Events) {
	if h.done || *h.sibling < 0 {
		return
	}
	h.done = true
	victim := *h.sibling
	*h.sibling = -1
	if err := h.l.CloseRegistered(victim, unix.Close); err != nil {
		h.t.Error(err)
	}
	if h.l.Interest(victim) != 0 {
		h.t.Errorf("fd %d still has interest after CloseRegistered", victim)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	unix.SetNonblock(fds[0], true)
	h.fresh.fd, h.fresh.peer = fds[0], fds[1]
	if err := h.l.Register(fds[0], nodenet.EventRead, h.fresh); err != nil {
		h.t.Error(err)
	}
	// Written after the batch: an event the fresh handler sees in this
	// batch could only be the closed descriptor's.
	h.l.SetImmediate(func() { unix.Write(fds[1], []byte("z")) })
}

type freshHandler struct {
	l        *Loop
	fd, peer int
	got      []byte
	stale    int // events with nothing to read
}

func (h *freshHandler) HandleEvent(nodenet.Events) {
	n, _ := unix.Read(h.fd, h.l.ReadBuffer())
	if n <= 0 {
		h.stale++
		return
	}
	h.got = append(h.got, h.l.ReadBuffer()[:n]...)
	h.l.CloseRegistered(h.fd, unix.Close)
	unix.Close(h.peer)
	h.l.Unref()
}

// TestCloseRegistered: a descriptor closed through CloseRegistered while
// a batch is being dispatched gets none of the batch's remaining events, its
// handler is gone, and a new descriptor under the same number receives only
// its own events.
func TestCloseRegistered(t *testing.T) {
	l := newLoop(t)
	a, b := socketpair(t)
	// The pair whose one end is closed by the test: not socketpair(t), whose
	// cleanup would close the reused number.
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, d := fds[0], fds[1]
	defer unix.Close(d)
	unix.SetNonblock(c, true)
	fresh := &freshHandler{l: l}
	fdA, fdC := a, c
	h1 := &closerHandler{l: l, t: t, fd: a, sibling: &fdC, fresh: fresh}
	h2 := &closerHandler{l: l, t: t, fd: c, sibling: &fdA, fresh: fresh}
	var closed int
	l.Post(func() {
		if err := l.Register(a, nodenet.EventRead, h1); err != nil {
			t.Error(err)
		}
		if err := l.Register(c, nodenet.EventRead, h2); err != nil {
			t.Error(err)
		}
		l.Ref()
		if l.Load() != 2 {
			t.Errorf("Load = %d with two descriptors", l.Load())
		}
	})
	// Both readable before the loop waits: one batch holds both events.
	unix.Write(b, []byte("1"))
	unix.Write(d, []byte("2"))
	runGuarded(t, l)
	if h1.done == h2.done {
		t.Fatalf("exactly one handler should have run first (h1 %v, h2 %v)", h1.done, h2.done)
	}
	if h1.done {
		closed = c
	} else {
		closed = a
	}
	if fresh.stale != 0 {
		t.Fatalf("the new descriptor %d (closed one: %d) got %d stale events", fresh.fd, closed, fresh.stale)
	}
	if string(fresh.got) != "z" {
		t.Fatalf("new descriptor read %q, want \"z\"", fresh.got)
	}
	if fresh.fd != closed {
		t.Logf("number %d not reused (new fd %d); batch invalidation not exercised", closed, fresh.fd)
	}
	// The survivor is still registered: one descriptor left.
	if l.Load() != 1 {
		t.Fatalf("Load = %d after the close, want 1", l.Load())
	}
}

// TestCloseRegisteredDuringFork: while a fork may be in progress (Go's exec
// holds syscall.ForkLock for writing until the child has exec'd), a child
// may hold a copy of the descriptor, so closing it would not remove its
// epoll registration: CloseRegistered must then unregister it explicitly.
// The child's copy is simulated with a dup, which keeps the file open the
// same way.
func TestCloseRegisteredDuringFork(t *testing.T) {
	l := newLoop(t)
	l.owner.Store(getg())
	defer l.owner.Store(0)
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, b := fds[0], fds[1]
	defer unix.Close(b)
	unix.SetNonblock(a, true)
	if err := l.Register(a, nodenet.EventRead, &echoHandler{l: l, fd: a}); err != nil {
		t.Fatal(err)
	}
	childCopy, err := unix.Dup(a)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(childCopy)
	syscall.ForkLock.Lock()
	err = l.CloseRegistered(a, unix.Close)
	syscall.ForkLock.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if l.Load() != 0 || l.Interest(a) != 0 {
		t.Fatalf("handler left behind: Load %d, Interest %v", l.Load(), l.Interest(a))
	}
	// The file is still open through the copy; make it readable.
	unix.Write(b, []byte("x"))
	if evs, err := l.poller.Wait(50 * time.Millisecond); err != nil || len(evs) != 0 {
		t.Fatalf("closed descriptor still reported through its surviving file: %v, %v", evs, err)
	}
}
