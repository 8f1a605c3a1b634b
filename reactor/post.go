package reactor

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// taskNode is one posted task in the intrusive MPSC queue.
type taskNode struct {
	next atomic.Pointer[taskNode]
	fn   func()
}

var taskNodePool = sync.Pool{New: func() any { return new(taskNode) }}

// taskQueue is Vyukov's intrusive multi-producer single-consumer queue:
// producers pay one atomic swap, the loop pops without any lock, and each
// producer's tasks stay in the order it posted them.
type taskQueue struct {
	head atomic.Pointer[taskNode] // producers swap themselves in here
	tail *taskNode                // only the loop touches it
	stub taskNode
}

func (q *taskQueue) init() {
	q.head.Store(&q.stub)
	q.tail = &q.stub
}

func (q *taskQueue) push(n *taskNode) {
	n.next.Store(nil)
	prev := q.head.Swap(n)
	prev.next.Store(n)
}

// pop returns the oldest task, or nil when the queue is empty or a producer is
// between its swap and its link (that producer's wakeup will bring us back).
func (q *taskQueue) pop() *taskNode {
	tail := q.tail
	next := tail.next.Load()
	if tail == &q.stub {
		if next == nil {
			return nil
		}
		q.tail = next
		tail = next
		next = next.next.Load()
	}
	if next != nil {
		q.tail = next
		return tail
	}
	if tail != q.head.Load() {
		return nil
	}
	q.push(&q.stub)
	next = tail.next.Load()
	if next != nil {
		q.tail = next
		return tail
	}
	return nil
}

// maxTasksPerTick bounds the posted tasks run in one loop iteration so a
// goroutine that posts without pause cannot starve I/O and timers.
const maxTasksPerTick = 1024

// Post queues fn to run on the loop's goroutine and wakes the loop if it is
// sleeping. It may be called from any goroutine, including the loop's own;
// tasks from one goroutine run in the order they were posted. A pending task
// keeps Run from returning.
//
// Its answer is a promise: nil means fn will run on the loop (before Done
// is closed, even if Stop comes first — see Stop); an error means it never
// will. Once the loop's teardown has begun Post refuses with
// nodenet.ErrLoopStopped.
//
// The queue has no bound (see Pending): Post is how loops reach each other
// (a Group's hand-off, pipes and writes across loops), and a bound would
// either block a loop on another — two loops posting to each other would
// deadlock — or refuse work that must not be lost. Backpressure belongs to
// the producer: a Send from another goroutine counts its posted bytes in
// its answer and a false is followed by 'drain'; a goroutine posting raw
// tasks watches Pending.
func (l *Loop) Post(fn func()) error {
	if l == nil || !l.valid() {
		return errZeroLoop()
	}
	// Count first, then look at closed: shutdown sets closed first, then
	// waits for the count to reach zero, so either this Post sees closed and
	// takes its count back, or the teardown sees the count and runs fn
	// (the store-load pair of Dekker's algorithm, on sequentially
	// consistent atomics).
	l.pending.Add(1)
	if l.closed.Load() {
		l.pending.Add(-1)
		return errLoopStopped()
	}
	n := taskNodePool.Get().(*taskNode)
	n.fn = fn
	l.tasks.push(n)
	l.wake()
	return nil
}

// Pending is the number of tasks posted to the loop that have not run yet
// (the depth of the cross-goroutine queue), from any goroutine. It is how a
// producer that posts raw tasks keeps its own bound: the queue itself has
// none (see Post).
func (l *Loop) Pending() int { return int(l.pending.Load()) }

// wake writes the wakeup only when the loop is (about to be) blocked in the
// poller and nobody else has woken it yet: a busy loop checks the queue
// before it sleeps, so the syscall is saved entirely while it is working.
func (l *Loop) wake() {
	if l.sleeping.Load() && l.wakePending.CompareAndSwap(false, true) {
		l.forceWake()
	}
}

// forceWake writes the wakeup unless the poller is already closed: a Post
// racing with shutdown must not write into a descriptor number that may
// have been reused. The lock is only taken on this slow path.
func (l *Loop) forceWake() {
	l.wakeMu.RLock()
	if !l.pollerClosed {
		_ = l.poller.Wake()
	}
	l.wakeMu.RUnlock()
}

func (l *Loop) runPosted() {
	for i := 0; i < maxTasksPerTick; i++ {
		n := l.tasks.pop()
		if n == nil {
			return
		}
		l.runTask(n)
	}
}

func (l *Loop) runTask(n *taskNode) {
	fn := n.fn
	n.fn = nil
	taskNodePool.Put(n)
	l.call(fn)
	l.pending.Add(-1)
}

// drainPosted runs every task Post accepted, for the teardown: with closed
// set no new one is accepted, so the count only falls; a task counted but
// not yet linked in (its poster is between the two steps, or about to take
// its count back) is waited for.
func (l *Loop) drainPosted() {
	for l.pending.Load() > 0 {
		n := l.tasks.pop()
		if n == nil {
			runtime.Gosched()
			continue
		}
		l.runTask(n)
	}
}
