package reactor

import (
	"sync/atomic"
	"time"
)

// Timer is a loop timer: Node's Timeout object, returned by SetTimeout and
// SetInterval. Its callback runs on the loop goroutine. All methods may be
// called from any goroutine (off the loop they are posted to it).
type Timer struct {
	loop   *Loop
	fn     func()
	fa     func(any) // SetTimeoutArg's form: fa(arg), arg its owner
	arg    any
	delay  int64 // ns
	period int64 // ns; 0 for a one-shot timeout
	when   int64 // due time in the heap, ns since the loop's epoch
	want   int64 // due time after lazy refreshes; >= when
	seq    uint64
	index  int // position in the heap; -1 when not scheduled
	refed  bool
	// seen mirrors index >= 0 and refed for Active and HasRef, which any
	// goroutine may call (the loop writes it, rarely: on schedule,
	// unschedule and ref changes, never on Refresh).
	seen atomic.Uint32
}

// Bits of Timer.seen.
const (
	timerActive uint32 = 1 << iota
	timerRefed
)

func (t *Timer) mirror() {
	var b uint32
	if t.index >= 0 {
		b |= timerActive
	}
	if t.refed {
		b |= timerRefed
	}
	t.seen.Store(b)
}

// minTimerDelay is Node's rule: a delay below 1 ms (including 0) is 1 ms.
const minTimerDelay = int64(time.Millisecond)

// TimeoutMax is the longest delay a timer waits: Node's TIMEOUT_MAX,
// 2^31-1 ms (about 24.8 days). A longer delay is clamped to it — what
// Node's socket.setTimeout and the timers behind net do (they truncate with
// a TimeoutOverflowWarning). Node's global setTimeout instead turns an
// overflowing delay into 1 ms; a Go Duration that large means "a long
// time", so nodenet clamps everywhere. Without the clamp the deadline, now
// plus delay, overflowed and the timer fired at the next wake-up.
const TimeoutMax = 2147483647 * time.Millisecond

func normDelay(d time.Duration) int64 {
	if int64(d) < minTimerDelay {
		return minTimerDelay
	}
	return int64(min(d, TimeoutMax))
}

// SetTimeout calls fn once after d (Node's setTimeout; d below 1 ms counts as
// 1 ms, d above TimeoutMax as TimeoutMax). Timers due at the same time fire
// in the order they were set. An active, refed timer keeps Run from
// returning.
func (l *Loop) SetTimeout(d time.Duration, fn func()) *Timer {
	return l.startTimer(&Timer{loop: l, fn: fn, delay: normDelay(d), index: -1, refed: true})
}

// SetTimeoutArg is SetTimeout for fn(arg), for a handle's own timers (a
// socket's idle timeout): with fn a package-level function and arg a pointer
// it needs no closure, and a panic in fn goes to arg when arg is a
// PanicHandler, as a panic in that handle's event does.
func (l *Loop) SetTimeoutArg(d time.Duration, fn func(any), arg any) *Timer {
	return l.startTimer(&Timer{loop: l, fa: fn, arg: arg, delay: normDelay(d), index: -1, refed: true})
}

// SetInterval calls fn every d until the timer is cleared (Node's
// setInterval; d is bounded as SetTimeout's).
func (l *Loop) SetInterval(d time.Duration, fn func()) *Timer {
	t := &Timer{loop: l, fn: fn, delay: normDelay(d), index: -1, refed: true}
	t.period = t.delay
	return l.startTimer(t)
}

// startTimer publishes t's state for other goroutines and schedules its
// first firing on the loop: the one start of every timer kind.
func (l *Loop) startTimer(t *Timer) *Timer {
	t.mirror()
	l.exec(func() { l.schedule(t, l.now+t.delay) })
	return t
}

// ClearTimeout stops t (Node's clearTimeout / clearInterval). A nil or already
// fired timer is ignored.
func (l *Loop) ClearTimeout(t *Timer) {
	if t != nil {
		t.Stop()
	}
}

// Stop cancels the timer; its callback will not run (unless it is running).
func (t *Timer) Stop() {
	if t.loop == nil {
		return // a zero Timer was never scheduled
	}
	t.loop.exec(func() { t.loop.unschedule(t) })
}

// Refresh restarts the timer's countdown from now, keeping its callback and
// delay (Node's timeout.refresh()). It costs O(1) and touches no heap: the
// new deadline is only noted, and the heap entry is moved when the old one
// comes due. This is what makes idle timeouts on 100k sockets cheap to re-arm
// on every read and write. A timer that already fired is scheduled again.
func (t *Timer) Refresh() {
	l := t.loop
	if l == nil {
		return
	}
	if l.InLoop() {
		t.refresh()
		return
	}
	l.exec(t.refresh)
}

func (t *Timer) refresh() {
	l := t.loop
	if t.index < 0 {
		l.schedule(t, l.now+t.delay)
		return
	}
	t.want = l.now + t.delay
}

// Active reports whether the timer is scheduled: set and neither fired (a
// timeout) nor stopped. From any goroutine; off the loop it reports the
// loop's latest state, so a SetTimeout or Stop posted from elsewhere counts
// once the loop has run it.
func (t *Timer) Active() bool { return t.seen.Load()&timerActive != 0 }

// Ref makes the timer keep Run from returning while it is active (the default).
func (t *Timer) Ref() {
	if t.loop != nil {
		t.loop.exec(func() { t.setRef(true) })
	}
}

// Unref lets Run return even while the timer is active (Node's timeout.unref()).
func (t *Timer) Unref() {
	if t.loop != nil {
		t.loop.exec(func() { t.setRef(false) })
	}
}

// HasRef reports whether the timer is refed (Node's timeout.hasRef()). From
// any goroutine, with Active's rule for calls posted from elsewhere.
func (t *Timer) HasRef() bool { return t.seen.Load()&timerRefed != 0 }

func (t *Timer) setRef(on bool) {
	if t.refed == on {
		return
	}
	t.refed = on
	t.mirror()
	if t.index >= 0 {
		if on {
			t.loop.refedTimers++
		} else {
			t.loop.refedTimers--
		}
	}
}

func (l *Loop) schedule(t *Timer, when int64) {
	if t.index >= 0 {
		l.unschedule(t)
	}
	l.timerSeq++
	t.seq = l.timerSeq
	t.when, t.want = when, when
	if t.refed {
		l.refedTimers++
	}
	l.timers.push(t)
	t.mirror()
}

func (l *Loop) unschedule(t *Timer) {
	if t.index < 0 {
		return
	}
	l.timers.remove(t)
	if t.refed {
		l.refedTimers--
	}
	t.mirror()
}

// runTimers fires every timer due by now, earliest first.
func (l *Loop) runTimers() {
	for len(l.timers) > 0 {
		t := l.timers[0]
		if t.when > l.now {
			return
		}
		if t.want > t.when {
			// Refreshed since it was scheduled: move it, now, once.
			when := t.want
			l.unschedule(t)
			l.schedule(t, when)
			continue
		}
		l.unschedule(t)
		if t.period > 0 {
			l.schedule(t, l.now+t.period)
		}
		l.callQueued(&queued{fn: t.fn, fa: t.fa, arg: t.arg})
	}
}

// nextTimeout is how long the poller may sleep before the next timer is due.
func (l *Loop) nextTimeout() time.Duration {
	if len(l.timers) == 0 {
		return -1
	}
	d := l.timers[0].when - l.now
	if d < 0 {
		d = 0
	}
	return time.Duration(d)
}

// timerHeap is a 4-ary min-heap ordered by (when, seq): a shallower tree than a
// binary heap, so fewer cache misses at 100k timers.
type timerHeap []*Timer

func (h timerHeap) less(i, j int) bool {
	a, b := h[i], h[j]
	return a.when < b.when || (a.when == b.when && a.seq < b.seq)
}

func (h timerHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *timerHeap) push(t *Timer) {
	t.index = len(*h)
	*h = append(*h, t)
	h.up(t.index)
}

func (h *timerHeap) remove(t *Timer) {
	i := t.index
	last := len(*h) - 1
	if i != last {
		h.swap(i, last)
	}
	(*h)[last] = nil
	*h = (*h)[:last]
	t.index = -1
	if i != last {
		h.down(i)
		h.up(i)
	}
}

func (h timerHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 4
		if !h.less(i, p) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h timerHeap) down(i int) {
	n := len(h)
	for {
		c := 4*i + 1
		if c >= n {
			return
		}
		m := c
		for k := c + 1; k < c+4 && k < n; k++ {
			if h.less(k, m) {
				m = k
			}
		}
		if !h.less(m, i) {
			return
		}
		h.swap(i, m)
		i = m
	}
}
