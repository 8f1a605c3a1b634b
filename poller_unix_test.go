//go:build unix

package nodenet

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func newPoller(t *testing.T) *Poller {
	t.Helper()
	p, err := NewPoller()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func socketpair(t *testing.T) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

// waitFor polls until an event for fd arrives or the guard deadline passes.
func waitFor(t *testing.T, p *Poller, fd int, timeout time.Duration) Events {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		evs, err := p.Wait(time.Until(deadline))
		if err != nil {
			t.Fatal(err)
		}
		var got Events
		for _, e := range evs {
			if e.FD == fd {
				got |= e.Events
			}
		}
		if got != 0 {
			return got
		}
	}
	return 0
}

func TestPollerReadWriteReadiness(t *testing.T) {
	p := newPoller(t)
	a, b := socketpair(t)
	if err := p.Add(a, EventRead); err != nil {
		t.Fatal(err)
	}
	if evs, _ := p.Wait(0); len(evs) != 0 {
		t.Fatalf("idle socket reported %v", evs)
	}
	unix.Write(b, []byte("x"))
	if ev := waitFor(t, p, a, 5*time.Second); !ev.Has(EventRead) {
		t.Fatalf("want readable, got %v", ev)
	}
	// Level-triggered: still readable until consumed.
	if ev := waitFor(t, p, a, 5*time.Second); !ev.Has(EventRead) {
		t.Fatalf("level-triggered readiness lost: %v", ev)
	}
	buf := make([]byte, 8)
	unix.Read(a, buf)
	if evs, _ := p.Wait(0); len(evs) != 0 {
		t.Fatalf("drained socket still reported %v", evs)
	}
	// Modify to write interest: an empty send buffer is writable at once.
	if err := p.Modify(a, EventWrite); err != nil {
		t.Fatal(err)
	}
	if ev := waitFor(t, p, a, 5*time.Second); !ev.Has(EventWrite) || ev.Has(EventRead) {
		t.Fatalf("want writable only, got %v", ev)
	}
	// Interest 0: registered but silent.
	if err := p.Modify(a, 0); err != nil {
		t.Fatal(err)
	}
	unix.Write(b, []byte("y"))
	if evs, _ := p.Wait(10 * time.Millisecond); len(evs) != 0 {
		t.Fatalf("silent registration reported %v", evs)
	}
	if err := p.Delete(a); err != nil {
		t.Fatal(err)
	}
	if err := p.Add(a, EventRead); err != nil {
		t.Fatalf("re-add after delete: %v", err)
	}
	if ev := waitFor(t, p, a, 5*time.Second); !ev.Has(EventRead) {
		t.Fatalf("re-added fd not readable: %v", ev)
	}
}

func TestPollerHangUp(t *testing.T) {
	p := newPoller(t)
	a, b := socketpair(t)
	if err := p.Add(a, 0); err != nil {
		t.Fatal(err)
	}
	unix.Shutdown(b, unix.SHUT_WR)
	// A paused reader (no interest) is not woken by the peer's FIN...
	if evs, _ := p.Wait(20 * time.Millisecond); len(evs) != 0 {
		t.Fatalf("paused reader woken by FIN: %v", evs)
	}
	// ...and sees it as readable plus hang-up once it reads again.
	p.Modify(a, EventRead)
	if ev := waitFor(t, p, a, 5*time.Second); !ev.Has(EventHup | EventRead) {
		t.Fatalf("want read+hang-up, got %v", ev)
	}
}

func TestPollerPipe(t *testing.T) {
	p := newPoller(t)
	var fds [2]int
	if err := unix.Pipe(fds[:]); err != nil {
		t.Fatal(err)
	}
	unix.SetNonblock(fds[0], true)
	unix.SetNonblock(fds[1], true)
	defer unix.Close(fds[0])
	if err := p.Add(fds[0], EventRead); err != nil {
		t.Fatal(err)
	}
	if err := p.Add(fds[1], EventWrite); err != nil {
		t.Fatal(err)
	}
	if ev := waitFor(t, p, fds[1], 5*time.Second); !ev.Has(EventWrite) {
		t.Fatalf("pipe write end not writable: %v", ev)
	}
	p.Delete(fds[1])
	unix.Close(fds[1])
	if ev := waitFor(t, p, fds[0], 5*time.Second); !ev.Has(EventHup) && !ev.Has(EventRead) {
		t.Fatalf("pipe read end: want hang-up after writer closed, got %v", ev)
	}
}

func TestPollerDeleteInvalidatesBatch(t *testing.T) {
	p := newPoller(t)
	a, b := socketpair(t)
	c, d := socketpair(t)
	p.Add(a, EventRead)
	p.Add(c, EventRead)
	unix.Write(b, []byte("1"))
	unix.Write(d, []byte("2"))
	var evs []Event
	for i := 0; i < 100 && len(evs) < 2; i++ {
		got, err := p.Wait(time.Second)
		if err != nil {
			t.Fatal(err)
		}
		evs = got
	}
	if len(evs) != 2 {
		t.Fatalf("want 2 events, got %v", evs)
	}
	// Deleting one fd while the batch is being dispatched must hide its event.
	victim := evs[1].FD
	if err := p.Delete(victim); err != nil {
		t.Fatal(err)
	}
	if evs[1].FD != InvalidFD {
		t.Fatalf("event for deleted fd %d still dispatchable: %v", victim, evs[1])
	}
	if evs[0].FD == InvalidFD {
		t.Fatal("unrelated event invalidated")
	}
}

func TestPollerWakeFromOtherGoroutine(t *testing.T) {
	p := newPoller(t)
	done := make(chan error, 1)
	go func() {
		evs, err := p.Wait(-1)
		if err == nil && len(evs) != 0 {
			t.Errorf("wakeup reported as events: %v", evs)
		}
		done <- err
	}()
	// The wakeup may land before or during the Wait; either way Wait returns.
	if err := p.Wake(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wake did not end a blocked Wait")
	}
}

func TestPollerGrowsBatch(t *testing.T) {
	p := newPoller(t)
	const n = initialEventBatch + 10
	for i := 0; i < n; i++ {
		a, b := socketpair(t)
		p.Add(a, EventRead)
		unix.Write(b, []byte("z"))
	}
	seen := 0
	for i := 0; i < 3; i++ {
		evs, err := p.Wait(time.Second)
		if err != nil {
			t.Fatal(err)
		}
		seen = len(evs)
	}
	if seen != n {
		t.Fatalf("after growing, one Wait should report all %d ready fds, got %d", n, seen)
	}
}

// TestPollerDeleteClosing: a descriptor dropped with DeleteClosing and then
// closed leaves nothing behind — its event in the current batch is hidden, no
// stale registration reports it later, and its number, reused at once by a
// new descriptor, is polled for the new one only.
func TestPollerDeleteClosing(t *testing.T) {
	p := newPoller(t)
	// Not socketpair(t): its cleanup would close a's number again, by then
	// another descriptor's.
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, b := fds[0], fds[1]
	defer unix.Close(b)
	unix.SetNonblock(a, true)
	if err := p.Add(a, EventRead); err != nil {
		t.Fatal(err)
	}
	unix.Write(b, []byte("x"))
	var evs []Event
	for i := 0; i < 100 && len(evs) == 0; i++ {
		if evs, err = p.Wait(time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if len(evs) != 1 || evs[0].FD != a {
		t.Fatalf("want one event for fd %d, got %v", a, evs)
	}
	if err := p.DeleteClosing(a); err != nil {
		t.Fatal(err)
	}
	if evs[0].FD != InvalidFD {
		t.Fatalf("event for the closing fd %d still dispatchable: %v", a, evs[0])
	}
	unix.Close(a) // unread data: still readable had the registration survived
	if evs, _ := p.Wait(0); len(evs) != 0 {
		t.Fatalf("closed descriptor still reported: %v", evs)
	}

	// The lowest free number is a's: the new pair reuses it.
	c, d := socketpair(t)
	if c != a && d != a {
		t.Skipf("descriptor %d not reused (got %d, %d)", a, c, d)
	}
	reused, peer := c, d
	if d == a {
		reused, peer = d, c
	}
	if err := p.Add(reused, EventRead); err != nil {
		t.Fatalf("Add of the reused number %d: %v", reused, err)
	}
	if evs, _ := p.Wait(0); len(evs) != 0 {
		t.Fatalf("idle reused descriptor reported %v", evs)
	}
	unix.Write(peer, []byte("y"))
	if ev := waitFor(t, p, reused, 5*time.Second); !ev.Has(EventRead) {
		t.Fatalf("reused descriptor: want readable, got %v", ev)
	}
	if err := p.Modify(reused, 0); err != nil {
		t.Fatalf("Modify of the reused number: %v", err)
	}
}
