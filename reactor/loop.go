// Package reactor is nodenet's event loop: one goroutine per Loop polling
// nonblocking descriptors, with Node's timers, immediates, next-tick queue and
// its rule that a loop runs for as long as something refed is left to do.
//
// Ownership: every handle (socket, server, timer) belongs to one Loop and all
// of its callbacks run on that loop's goroutine, one at a time. Callbacks must
// never block; work finished elsewhere comes back with Loop.Post.
package reactor

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nodenet/nodenet"
	"go.uber.org/zap"
)

// Handler receives readiness events for a descriptor registered with
// Loop.Register. HandleEvent runs on the loop goroutine.
type Handler interface {
	HandleEvent(ev nodenet.Events)
}

// PanicHandler is implemented by handles that want to turn a failure into
// their own error (a socket destroys itself with it) instead of it only being
// logged: a panic raised while handling their event, or a poller error that
// surfaced when a deferred SetInterest was applied.
//
// This is the one way a panic in a user's callback reaches its handle. The
// loop recovers every callback it runs; the panic goes to HandlePanic when
// the callback belongs to a PanicHandler: the Handler whose event is being
// dispatched, or the arg of a callback queued with NextTickArg,
// SetImmediateArg or SetTimeoutArg, or run with CallArg. Any other callback's
// panic is only logged.
type PanicHandler interface {
	HandlePanic(err error)
}

// Stopper is implemented by handlers that must be torn down when their loop is
// stopped with descriptors still registered (Loop.Stop with connections open).
type Stopper interface {
	LoopStopped(err error)
}

// DefaultReadBufferSize is the size of the loop's shared read buffer.
const DefaultReadBufferSize = 64 << 10

// Loop is one event loop. Create it with New, run it with Run on the goroutine
// that should own it (or let a Group do that).
type Loop struct {
	poller *nodenet.Poller
	log    *zap.Logger
	lockOS bool

	// Fields only the loop goroutine touches.
	epoch           time.Time
	now             int64 // ns since epoch, refreshed once per iteration
	timers          timerHeap
	timerSeq        uint64
	refedTimers     int
	refs            int // refed handles (sockets, servers, pending lookups)
	handlers        handlerTable
	immediates      []queued
	spareImmediates []queued
	ticks           []queued
	dirty           []nodenet.FD // descriptors whose interest changed since the last wait
	modifies        int          // poller changes applied (tests)
	readBuf         []byte
	locals          map[any]any
	lastYield       int64 // loop time of the last runtime.Gosched

	// Fields shared with other goroutines.
	tasks       taskQueue
	pending     atomic.Int64 // posted tasks accepted (or being decided) and not yet run
	sleeping    atomic.Bool  // blocked (or about to block) in the poller
	wakePending atomic.Bool  // a wakeup is written and not yet consumed
	owner       atomic.Uintptr
	running     atomic.Bool
	stopReq     atomic.Bool
	closed      atomic.Bool  // shutdown began: Post refuses from now on
	load        atomic.Int64 // registered descriptors, for Group's least-connections pick
	done        chan struct{}

	// runMu orders Run's start and exit against Stop, so that exactly one
	// goroutine tears the loop down: Run when it is running (or was just
	// leaving when Stop came), else Stop itself.
	runMu sync.Mutex
	state runState // guarded by runMu

	wakeMu       sync.RWMutex
	pollerClosed bool // guarded by wakeMu
}

// runState is where a loop is in its life: idle (never run, or Run returned
// because nothing refed was left), running, or closed (shutdown began).
type runState uint8

const (
	stateIdle runState = iota
	stateRunning
	stateClosed
)

// Option configures a Loop.
type Option func(*Loop)

// WithLogger sets the logger for panics in callbacks, unhandled error events
// and resource exhaustion. The default is zap.NewNop(); nothing is logged on
// the hot path.
func WithLogger(log *zap.Logger) Option {
	return func(l *Loop) {
		if log != nil {
			l.log = log
		}
	}
}

// WithOSThreadLock makes Run lock its goroutine to one OS thread for as long
// as it runs. It is off by default: the loop already keeps its goroutine on
// one thread in practice (it only leaves the scheduler to wait in the
// poller), and a locked goroutine turns each of the loop's periodic passes
// through the scheduler (see yield) into a hand-off between two threads —
// four futex calls and two context switches every 5 ms, about 3% of the
// syscalls of a busy echo loop (perf trace, ping-pong 64 B at 1 and 50
// connections). Lock when a callback needs thread-local OS state.
func WithOSThreadLock() Option { return func(l *Loop) { l.lockOS = true } }

// WithReadBufferSize sets the size of the loop's shared read buffer (64 KiB by
// default): the most one read of one socket takes per wakeup.
func WithReadBufferSize(n int) Option {
	return func(l *Loop) {
		if n > 0 {
			l.readBuf = make([]byte, n)
		}
	}
}

// New creates a loop and its poller. It does not start it.
func New(opts ...Option) (*Loop, error) {
	p, err := nodenet.NewPoller()
	if err != nil {
		return nil, err
	}
	l := &Loop{poller: p, log: zap.NewNop(), epoch: time.Now(), done: make(chan struct{})}
	l.tasks.init()
	for _, o := range opts {
		o(l)
	}
	if l.readBuf == nil {
		l.readBuf = make([]byte, DefaultReadBufferSize)
	}
	return l, nil
}

// Logger returns the loop's logger, for handles that log through it. Safe
// from any goroutine.
func (l *Loop) Logger() *zap.Logger {
	if l.log == nil {
		return zap.NewNop() // a zero Loop
	}
	return l.log
}

// valid reports whether the loop was made by New: a zero Loop has no
// poller, and every method answers it with a zero-value error.
func (l *Loop) valid() bool { return l.poller != nil }

func errZeroLoop() error { return nodenet.NewZeroValueError("reactor.Loop", "reactor.New") }

// InLoop reports whether the caller is running on this loop's goroutine, i.e.
// whether a handle method may act inline rather than post itself.
func (l *Loop) InLoop() bool { return l != nil && l.owner.Load() == getg() }

// exec is Exec for callers with nowhere to report a stopped loop.
func (l *Loop) exec(fn func()) { _ = l.Exec(fn) }

// Exec runs fn inline when the caller is on the loop goroutine and posts it
// otherwise: how handle methods honour "callable from any goroutine".
func (l *Loop) Exec(fn func()) error {
	if l.InLoop() {
		fn()
		return nil
	}
	return l.Post(fn)
}

// Now is the loop's cached monotonic clock (Node's uv_now), refreshed once per
// iteration, as time since the loop was created. Off the loop the cache is
// not readable without a race, so another goroutine gets the clock read
// now, on the same scale.
func (l *Loop) Now() time.Duration {
	if !l.InLoop() {
		if !l.valid() {
			return 0
		}
		return time.Since(l.epoch)
	}
	return time.Duration(l.now)
}

func (l *Loop) updateTime() { l.now = int64(time.Since(l.epoch)) }

// ReadBuffer is the loop's shared read buffer. Sockets read into it and hand
// the filled part to their data listeners, which may use it only during the
// call. Loop goroutine only: another goroutine gets nil (the buffer is the
// loop's scratch space, in use by it at any moment).
func (l *Loop) ReadBuffer() []byte {
	if !l.InLoop() {
		return nil
	}
	return l.readBuf
}

// Ref counts one more handle that keeps Run from returning. Handles call it
// (on the loop goroutine) while they are open and refed; from another
// goroutine it is posted to the loop.
func (l *Loop) Ref() {
	if !l.InLoop() {
		_ = l.Post(l.ref)
		return
	}
	l.refs++
}

// Unref undoes one Ref; from another goroutine it is posted to the loop.
func (l *Loop) Unref() {
	if !l.InLoop() {
		_ = l.Post(l.unref)
		return
	}
	l.refs--
}

func (l *Loop) ref()   { l.refs++ }
func (l *Loop) unref() { l.refs-- }

// Load is the number of descriptors registered on the loop; Group uses it to
// pick the least loaded loop. Safe from any goroutine.
func (l *Loop) Load() int { return int(l.load.Load()) }

// Register starts watching fd for the given interest and routes its events to
// h. Loop goroutine only (elsewhere it does nothing and returns
// nodenet.ErrNotOnLoop).
func (l *Loop) Register(fd nodenet.FD, interest nodenet.Events, h Handler) error {
	if !l.InLoop() {
		return l.offLoop()
	}
	if err := l.poller.Add(fd, interest); err != nil {
		return err
	}
	l.handlers.set(fd, h, interest)
	l.load.Add(1)
	return nil
}

// SetInterest changes what fd is watched for. The change is recorded and
// reaches the kernel just before the loop next waits, and only if it still
// differs then: a pipe pauses its source when the destination's buffer passes
// the high-water mark and resumes it on the destination's drain, which often
// comes in the same iteration (the kernel took the whole chunk) — applied
// eagerly that was two epoll_ctl per 64 KiB chunk when streaming. Events
// already collected in the current batch may still be delivered after a call
// that removes interest; handlers check their own state. Should applying the
// change fail later, the handler gets the error as a PanicHandler (or it is
// logged). Loop goroutine only (elsewhere it does nothing and returns
// nodenet.ErrNotOnLoop).
func (l *Loop) SetInterest(fd nodenet.FD, interest nodenet.Events) error {
	if !l.InLoop() {
		return l.offLoop()
	}
	e := l.handlers.get(fd)
	if e == nil {
		return nodenet.ErrSocketClosed
	}
	e.want = interest
	if !e.dirty && interest != e.interest {
		e.dirty = true
		l.dirty = append(l.dirty, fd)
	}
	return nil
}

// applyInterest hands the interest changes recorded since the last wait to
// the poller. A failure is the handler's error; handling it may record more
// changes, which the index loop picks up.
func (l *Loop) applyInterest() {
	for i := 0; i < len(l.dirty); i++ {
		fd := l.dirty[i]
		e := l.handlers.get(fd)
		if e == nil || !e.dirty {
			continue // unregistered (maybe re-registered) since
		}
		e.dirty = false
		if e.want == e.interest {
			continue
		}
		l.modifies++
		if err := l.poller.Modify(fd, e.want); err != nil {
			l.failHandler(e.h, err)
			continue
		}
		e.interest = e.want
	}
	l.dirty = l.dirty[:0]
}

// failHandler reports an error that surfaced outside the handler's own
// callbacks (a deferred poller change) as the handler's error.
func (l *Loop) failHandler(h Handler, err error) {
	l.log.Error("nodenet: poller change failed", zap.Error(err))
	if ph, ok := h.(PanicHandler); ok {
		l.call(func() { ph.HandlePanic(err) })
	}
}

// Interest reports what fd is watched for (the latest SetInterest, even if
// not yet applied). Loop goroutine only (elsewhere it reports 0).
func (l *Loop) Interest(fd nodenet.FD) nodenet.Events {
	if !l.InLoop() {
		return 0
	}
	if e := l.handlers.get(fd); e != nil {
		return e.want
	}
	return 0
}

// Unregister stops watching fd. Events for fd already collected in the
// current batch are dropped, so fd may be closed (and its number reused) at
// once. Loop goroutine only (elsewhere it does nothing and returns
// nodenet.ErrNotOnLoop).
func (l *Loop) Unregister(fd nodenet.FD) error {
	if !l.InLoop() {
		return l.offLoop()
	}
	return l.unregister(fd)
}

func (l *Loop) unregister(fd nodenet.FD) error {
	if l.handlers.get(fd) == nil {
		return nil
	}
	l.handlers.del(fd)
	l.load.Add(-1)
	return l.poller.Delete(fd)
}

// CloseRegistered unregisters fd and closes it with closeFD, for a
// descriptor the caller is the only holder of (it came from accept or
// socket with close-on-exec and was never handed out). The handler and the
// events already collected for fd are dropped as by Unregister, but where
// the platform removes a registration when the descriptor closes (epoll,
// once the open file's last descriptor is gone; kqueue) the removal is left
// to the close, saving a syscall per closed connection.
//
// A child between fork and exec holds copies of every descriptor, so while
// one may exist the close would not free the file and its epoll
// registration would go on reporting events under fd's number, which the
// next accept may reuse. Go's exec holds syscall.ForkLock for writing
// across that window (CLONE_VFORK: the parent resumes after the child's
// exec), so the shortcut is taken only under the read lock, tried without
// waiting; otherwise fd is unregistered first, as by Unregister. A
// descriptor that may be shared (dup'ed, passed in by the user) must not
// come here. Loop goroutine only (elsewhere it does nothing and returns
// nodenet.ErrNotOnLoop: the descriptor is not closed).
func (l *Loop) CloseRegistered(fd nodenet.FD, closeFD func(nodenet.FD) error) error {
	if !l.InLoop() {
		return l.offLoop()
	}
	if l.handlers.get(fd) == nil || !syscall.ForkLock.TryRLock() {
		_ = l.unregister(fd)
		return closeFD(fd)
	}
	l.handlers.del(fd)
	l.load.Add(-1)
	err := l.poller.DeleteClosing(fd)
	if cerr := closeFD(fd); err == nil {
		err = cerr
	}
	syscall.ForkLock.RUnlock()
	return err
}

// NextTick queues fn to run right after the current callback finishes, before
// any other I/O, timer or immediate (Node's process.nextTick). This is how
// handles defer their completions ("error on the next tick", write callbacks,
// close) so that event order is Node's and never re-entrant. From another
// goroutine there is no current callback to follow: fn is posted (Post).
func (l *Loop) NextTick(fn func()) {
	if !l.InLoop() {
		_ = l.Post(fn)
		return
	}
	l.ticks = append(l.ticks, queued{fn: fn})
}

// NextTickArg is NextTick for fn(arg). With fn a package-level function and
// arg a pointer, queuing allocates nothing, where a method value or a
// closure (s.emitEnd, func() { s.emitClose(true) }) costs a heap object per
// call: a handle that defers several completions per connection uses it to
// keep accepting a connection at one allocation. From another goroutine it
// is posted, as NextTick.
func (l *Loop) NextTickArg(fn func(any), arg any) {
	if !l.InLoop() {
		// Queued as a tick once there, not run by the posted callback
		// itself: its arg stays the owner a panic goes to (PanicHandler).
		_ = l.Post(func() { l.ticks = append(l.ticks, queued{fa: fn, arg: arg}) })
		return
	}
	l.ticks = append(l.ticks, queued{fa: fn, arg: arg})
}

// queued is a callback in the next-tick or immediate queue: fn, or fa(arg)
// (see NextTickArg); im is the handle of an immediate that can be cleared.
type queued struct {
	fn  func()
	fa  func(any)
	arg any
	im  *Immediate
}

// invoke runs the queued callback: fn, or fa(arg).
func (q *queued) invoke() {
	if q.fn != nil {
		q.fn()
		return
	}
	q.fa(q.arg)
}

func (l *Loop) runTicks() {
	for i := 0; i < len(l.ticks); i++ {
		q := l.ticks[i]
		l.ticks[i] = queued{}
		l.callOnly(&q)
	}
	l.ticks = l.ticks[:0]
}

// call runs a top-level callback, then the next-tick queue it produced.
func (l *Loop) call(fn func()) { l.callQueued(&queued{fn: fn}) }

// callQueued is call for any queued callback (fa(arg) included).
func (l *Loop) callQueued(q *queued) {
	l.callOnly(q)
	if len(l.ticks) > 0 {
		l.runTicks()
	}
}

func (l *Loop) callOnly(q *queued) {
	defer l.recoverCallback(q.arg)
	q.invoke()
}

// CallArg runs fn(arg) now, as one of the loop's callbacks owned by arg: a
// panic in it is recovered here, logged, and handed to arg's HandlePanic
// when arg is a PanicHandler, and the caller goes on. It is how a handle
// runs a user callback on behalf of another (a server's 'connection'
// listeners, whose panic is the accepted socket's, not the server's).
// Unlike a queued callback it does not run the next-tick queue afterwards:
// the callback it is called from does. Loop goroutine only.
func (l *Loop) CallArg(fn func(any), arg any) {
	defer l.recoverCallback(arg)
	fn(arg)
}

func (l *Loop) dispatch(h Handler, ev nodenet.Events) {
	func() {
		defer l.recoverCallback(h)
		h.HandleEvent(ev)
	}()
	if len(l.ticks) > 0 {
		l.runTicks()
	}
}

// recoverCallback keeps a panicking callback from taking the loop down: the
// panic is logged and, when the callback's owner (the handler whose event it
// is, or a queued callback's arg) is a PanicHandler, becomes that handle's
// error. It is the loop's only recover of user callbacks (PanicHandler).
func (l *Loop) recoverCallback(owner any) {
	r := recover()
	if r == nil {
		return
	}
	err := PanicError(r)
	l.log.Error("nodenet: callback panicked", zap.Any("panic", r), zap.Stack("stack"))
	if ph, ok := owner.(PanicHandler); ok {
		ph.HandlePanic(err)
	}
}

// PanicError turns a recovered panic value into the error a handle is
// destroyed with (code ERR_NODENET_CALLBACK_PANIC; it wraps the value when the
// value is an error).
func PanicError(r any) error {
	e := &nodenet.Error{Code: nodenet.CodeCallbackPanic, Message: fmt.Sprintf("callback panicked: %v", r)}
	if err, ok := r.(error); ok {
		e.Err = err
	}
	return e
}

// LogError is how handles report an error event that has no listener: Node
// would crash the process; a library logs it at Error level instead.
func (l *Loop) LogError(msg string, err error) {
	l.Logger().Error(msg, zap.Error(err))
}

func (l *Loop) alive() bool {
	return l.refs > 0 || l.refedTimers > 0 || len(l.immediates) > 0 || len(l.ticks) > 0 || l.pending.Load() > 0
}

// ErrRunning is returned by Run when the loop is already running.
var ErrRunning = errors.New("reactor: loop is already running")

func errLoopStopped() error { return nodenet.ErrLoopStopped }

// Run runs the loop on the calling goroutine until nothing refed is left — no
// refed handle, active refed timer, immediate or posted task (Node's rule for
// when a process exits) — or until Stop. A loop that returned because it ran
// out of work can be Run again; a stopped one cannot (ErrLoopStopped), and
// a running one refuses a second Run (ErrRunning).
func (l *Loop) Run() error {
	if !l.valid() {
		return errZeroLoop()
	}
	l.runMu.Lock()
	switch l.state {
	case stateClosed:
		l.runMu.Unlock()
		return errLoopStopped()
	case stateRunning:
		l.runMu.Unlock()
		return ErrRunning
	}
	l.state = stateRunning
	l.owner.Store(getg())
	l.running.Store(true)
	l.runMu.Unlock()
	if l.lockOS {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	for {
		l.updateTime()
		l.runTimers()
		l.runPosted()
		if l.stopReq.Load() {
			return l.exit()
		}
		if len(l.dirty) > 0 {
			l.applyInterest()
		}
		if !l.alive() {
			return l.exit()
		}
		timeout := l.nextTimeout()
		if len(l.immediates) > 0 {
			timeout = 0
		}
		l.sleeping.Store(true)
		if l.pending.Load() > 0 || l.stopReq.Load() {
			timeout = 0
		}
		if timeout != 0 && l.now-l.lastYield > yieldInterval {
			l.yield()
		}
		evs, err := l.poller.Wait(timeout)
		l.sleeping.Store(false)
		l.wakePending.Store(false)
		if err != nil {
			l.log.Error("nodenet: poller wait failed", zap.Error(err))
			_ = l.exit()
			return err
		}
		l.updateTime()
		for i := range evs {
			fd := evs[i].FD
			if fd == nodenet.InvalidFD {
				continue
			}
			if e := l.handlers.get(fd); e != nil {
				l.dispatch(e.h, evs[i].Events)
			}
		}
		l.runImmediates()
	}
}

// exit leaves Run: back to idle, unless Stop was asked — before or while
// Run was deciding to return — in which case this goroutine, still the
// loop's, tears the loop down. Deciding under runMu is what keeps a Stop
// that saw the loop running from being lost when Run returns at that moment
// for lack of work (Stop then leaves the teardown to Run).
func (l *Loop) exit() error {
	l.runMu.Lock()
	if l.stopReq.Load() {
		l.state = stateClosed
		l.runMu.Unlock()
		l.shutdown()
	} else {
		l.state = stateIdle
		l.runMu.Unlock()
	}
	l.owner.Store(0)
	l.running.Store(false)
	return nil
}

// yieldInterval is how often a busy loop passes through the Go scheduler.
const yieldInterval = int64(5 * time.Millisecond)

// yield passes through the Go scheduler before the loop blocks, at most once
// per yieldInterval. A loop goroutine that never reschedules looks like a hog
// to the runtime's monitor thread (sysmon): it signals it for preemption every
// 10 ms and, each time it blocks in the poller, takes its processor away, which
// keeps sysmon waking every 20 µs next to the loop. Measured on the echo
// benchmark at one connection: server CPU per message 44.5 µs without the
// yield, 24.4 µs with it (C epoll: 24.5). On an unlocked goroutine (the
// default) Gosched costs no syscall: with nothing else runnable the scheduler
// picks the loop again on the same thread.
func (l *Loop) yield() {
	l.lastYield = l.now
	runtime.Gosched()
}

// Stop asks the loop to finish, from any goroutine and at any moment (a
// callback of the loop itself included). It does not wait; Done does.
//
// What Stop guarantees about work already accepted:
//
//   - Post: every task Post accepted (returned nil for) runs on the loop
//     before Done is closed, Stop or not; every task it did not accept got
//     ErrLoopStopped from Post. Stop refuses new tasks from the moment the
//     teardown begins, runs the accepted ones first, then tears down.
//   - Handles still registered are torn down with nodenet.ErrLoopStopped:
//     sockets emit 'error' and 'close', and the callbacks of their writes
//     and Ends that could not complete run with that error (or the
//     socket's own).
//   - The next-tick callbacks and immediates queued by the tasks and the
//     teardown run (up to settleRounds rounds of immediates that keep
//     queueing more); timers never fire after Stop, as in a Node process
//     that exits.
//
// If the loop is running, Run does all this and returns; if it is not,
// Stop does it on the calling goroutine before returning. A stopped loop
// cannot Run again.
func (l *Loop) Stop() {
	if !l.valid() || l.stopReq.Swap(true) {
		return
	}
	l.runMu.Lock()
	switch l.state {
	case stateRunning:
		l.runMu.Unlock()
		l.wakePending.Store(true)
		l.forceWake()
		return
	case stateClosed:
		l.runMu.Unlock()
		return
	}
	l.state = stateClosed
	l.owner.Store(getg())
	l.runMu.Unlock()
	l.shutdown()
	l.owner.Store(0)
}

// Done is closed once a stopped loop has released its resources.
func (l *Loop) Done() <-chan struct{} {
	if l.done == nil {
		return closedChan // a zero Loop: nothing to wait for
	}
	return l.done
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// settleRounds bounds how many rounds of immediates the teardown runs: a
// callback that queues another immediate every time would otherwise keep a
// stopped loop from ever finishing.
const settleRounds = 1000

// shutdown is the teardown Stop promises, on the goroutine that owns the
// loop now. Order: refuse new tasks, run every accepted one, tear the
// handles down, let what that queued run, release the poller.
func (l *Loop) shutdown() {
	if l.closed.Swap(true) {
		return
	}
	l.updateTime()
	l.drainPosted()
	for _, h := range l.handlers.all() {
		if s, ok := h.(Stopper); ok {
			l.call(func() { s.LoopStopped(nodenet.ErrLoopStopped) })
		}
	}
	for i := 0; len(l.immediates) > 0; i++ {
		if i == settleRounds {
			l.log.Warn("nodenet: stopped loop dropped immediates that kept rescheduling themselves", zap.Int("left", len(l.immediates)))
			l.immediates = nil
			break
		}
		l.runImmediates()
	}
	// Tasks posted by those callbacks were refused (closed), so none is
	// left; drain anyway should a poster still be between its count and
	// its refusal.
	l.drainPosted()
	for _, fd := range l.handlers.fds() {
		_ = l.unregister(fd)
	}
	// Loop-local resources that hold descriptors (the socket layer's spare
	// splice pipes) close with the loop.
	for _, v := range l.locals {
		if c, ok := v.(io.Closer); ok {
			_ = c.Close()
		}
	}
	l.wakeMu.Lock()
	l.pollerClosed = true
	_ = l.poller.Close()
	l.wakeMu.Unlock()
	close(l.done)
}

// Running reports whether Run is executing (on some goroutine).
func (l *Loop) Running() bool { return l.running.Load() }

// offLoop is what loop-only plumbing returns to another goroutine:
// ErrNotOnLoop, or the zero-value error for a Loop made without New.
func (l *Loop) offLoop() error {
	if !l.valid() {
		return errZeroLoop()
	}
	return nodenet.ErrNotOnLoop
}
