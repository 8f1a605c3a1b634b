//go:build windows

package reactor

import "github.com/nodenet/nodenet"

// Completion-based handles (named pipes) on the loop. The loop's Poller is a
// completion port: sockets get readiness from it (Register), while a handle
// opened for overlapped I/O is bound to the same port with AssociateHandle
// and issues its own operations (StartIO before each ReadFile, WriteFile,
// ConnectNamedPipe ...). An operation's Done callback runs on the loop
// goroutine, inside the poller's Wait; it should hand the work that calls
// user code to CompleteIO.

// AssociateHandle binds h, opened with FILE_FLAG_OVERLAPPED, to the loop's
// completion port. A handle can be bound to one port for its whole life, so
// it belongs to this loop from now on. Loop goroutine only (elsewhere it
// does nothing and returns nodenet.ErrNotOnLoop).
func (l *Loop) AssociateHandle(h nodenet.FD) error {
	if !l.InLoop() {
		return l.offLoop()
	}
	return l.poller.AssociateHandle(h)
}

// Attach puts a completion-based handle in the loop's handle table without
// polling it: it counts in Load, and hnd hears LoopStopped (and must then
// close h) when the loop is stopped with it open. Unregister removes it.
// Loop goroutine only (elsewhere it does nothing).
func (l *Loop) Attach(h nodenet.FD, hnd Handler) {
	if !l.InLoop() {
		return
	}
	l.handlers.set(h, hnd, 0)
	l.load.Add(1)
}

// StartIO hands op to the poller just before the operation is issued with
// &op.Overlapped; see nodenet.Poller.StartIO. Loop goroutine only
// (elsewhere it does nothing and returns nodenet.ErrNotOnLoop).
func (l *Loop) StartIO(op *nodenet.IOOp) error {
	if !l.InLoop() {
		return l.offLoop()
	}
	return l.poller.StartIO(op)
}

// AbortIO takes back an op whose operation failed to start. Loop goroutine
// only (elsewhere it does nothing).
func (l *Loop) AbortIO(op *nodenet.IOOp) {
	if l.InLoop() {
		l.poller.AbortIO(op)
	}
}

// CompleteIO runs fn, the completion of an operation that hnd started, the
// way a readiness event is dispatched: with the loop's clock refreshed, a
// panic in fn becoming hnd's error (PanicHandler) instead of unwinding the
// poller, and the next-tick queue run afterwards. Loop goroutine only
// (elsewhere it does nothing).
func (l *Loop) CompleteIO(hnd Handler, fn func()) {
	if !l.InLoop() {
		return
	}
	l.updateTime()
	func() {
		defer l.recoverCallback(hnd)
		fn()
	}()
	if len(l.ticks) > 0 {
		l.runTicks()
	}
}
