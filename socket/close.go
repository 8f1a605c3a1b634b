package socket

import (
	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/encoding"
	"github.com/nodenet/nodenet/internal/sysnet"
)

// End is Node's socket.end(data, callback): send data (if any), flush the
// queue, then shut down our side (FIN). cb runs just before 'finish' is
// emitted (Node 26's order) — or with the error of data's write
// (ERR_STREAM_WRITE_AFTER_END, ERR_STREAM_DESTROYED), or with
// ERR_STREAM_ALREADY_FINISHED / ERR_STREAM_DESTROYED ("Cannot call end
// after a stream was destroyed") when it is too late. While connecting, the
// FIN waits for the connection; on a socket that never connected, 'finish'
// follows at once and the socket stays usable for Connect, as in Node 26.
//
// One deliberate difference: Node never calls cb when End comes after a
// Destroy without error (it waits for a 'finish' that cannot come); nodenet
// calls it with ERR_STREAM_DESTROYED, so every callback runs. Returns the
// socket.
func (s *Socket) End(data []byte, cb func(error)) *Socket {
	if s.zero() {
		failCallback(cb, errZero())
		return s
	}
	if !s.loop.InLoop() {
		if data != nil {
			data = append([]byte(nil), data...)
		}
		s.endPosted() // Writable is false from here on, as after Node's end()
		if err := s.loop.Post(func() { s.end(data, cb) }); err != nil {
			failCallback(cb, err) // the loop is stopped: cb still hears of it
		}
		return s
	}
	s.end(data, cb)
	return s
}

// end is Node's Writable.end on the loop, in its order: data's write, a
// full uncork, then the first of "start ending", "already finished",
// "destroyed" that applies.
func (s *Socket) end(data []byte, cb func(error)) {
	var err error
	if data != nil {
		if err = s.refuseWrite(nil, true); err == nil {
			s.send(data, nil)
		}
	}
	if s.has(fCorked) {
		s.c().corked.Store(0)
		s.setCorked(false)
		if s.open() {
			s.flush()
		}
	}
	switch {
	case err != nil:
	case !s.ending() && !s.is(stErrored):
		if cb != nil && !s.is(stDestroyed) {
			c := s.c()
			c.endCbs = append(c.endCbs, cb)
		}
		s.startEnding()
		if s.is(stDestroyed) && cb != nil {
			s.complete(cb, errEndDestroyed)
		}
		return
	case s.is(stFinished):
		err = nodenet.ErrStreamAlreadyFinished
	case s.is(stDestroyed):
		err = errEndDestroyed
	}
	if cb == nil {
		return
	}
	if err == nil && s.is(stErrored) {
		err = s.errorValue() // Node's kErroredValue: errored, not destroyed yet
	}
	if err != nil {
		s.complete(cb, err)
		return
	}
	c := s.c()
	c.endCbs = append(c.endCbs, cb)
}

// errEndDestroyed is Node's ERR_STREAM_DESTROYED as end() words it.
var errEndDestroyed = nodenet.NewError(nodenet.CodeStreamDestroyed, "Cannot call end after a stream was destroyed")

// startEnding marks the write side ending and sends the FIN once the queue
// is empty (Node's ending and _final).
func (s *Socket) startEnding() {
	s.startingEnd()
	if s.is(stDestroyed) {
		return
	}
	if s.is(stConnecting) {
		return // _final waits for 'connect'
	}
	if s.fd == sysnet.Invalid {
		// Never connected: the writable side just finishes.
		s.shutdownSent()
		s.loop.NextTickArg(finishTick, s.handler())
		return
	}
	if s.qlen() > 0 {
		s.flush()
		if s.is(stDestroyed) {
			return
		}
		s.updateInterest()
	}
	s.maybeShutdown()
}

// maybeShutdown sends our FIN once End was called and the queue is empty.
func (s *Socket) maybeShutdown() {
	if !s.shutdownDue() {
		return
	}
	if s.has(fLayered) && (s.lay().Shutdown() || s.qlen() > 0) {
		return // the layer's close_notify goes first; afterFlush calls again
	}
	s.shutdownSent()
	if s.isNamedPipe() {
		s.npShutdown() // schedules finish itself
		return
	}
	if err := sysnet.ShutdownWrite(s.fd); err != nil && !sysnet.IsNotConnected(err) {
		s.destroyWith(nodenet.NewSyscallError("shutdown", err))
		return
	}
	s.loop.NextTickArg(finishTick, s.handler())
}

// The socket's deferred steps as functions of its handler: queued with
// NextTickArg, SetImmediateArg and SetTimeoutArg they cost no allocation,
// where the method value s.finish or a closure would cost one per
// connection each, and the handler as their arg is their owner, so a panic
// in a user callback they run reaches HandlePanic (the loop's one panic
// path, reactor.PanicHandler) as a panic in an event does.
func finishTick(a any)        { sockOf(a).finish() }
func emitEndTick(a any)       { sockOf(a).emitEnd() }
func emitCloseHandle(a any)   { sockOf(a).emitClose(true) }
func emitCloseNoHandle(a any) { sockOf(a).emitClose(false) }
func runDoneTick(a any)       { sockOf(a).runDone() }
func idleTick(a any)          { sockOf(a).onIdle() }

// sockOf is the Socket a deferred step was queued for (its arg: the
// socket's handler).
func sockOf(a any) *Socket { return (*Socket)(a.(*handler)) }

// finish emits 'finish' and runs End's callbacks; a socket whose readable
// side is also done is destroyed (Node's autoDestroy).
func (s *Socket) finish() {
	if s.is(stDestroyed) || s.is(stFinished) {
		return
	}
	s.finished()
	// End's callbacks first, then 'finish' (Node's callFinishedCallbacks).
	if c := s.coldOrNil(); c != nil {
		cbs := c.endCbs
		c.endCbs = nil
		for _, cb := range cbs {
			cb(nil)
		}
	}
	s.emit0(EventFinish)
	if s.is(stDestroyed) {
		return
	}
	// Node's autoDestroy: once the read side is done too. A socket that never
	// connected stays (Node 26): a later Connect resets its write side.
	if s.is(stEndEmitted) || !s.is(stReadable) {
		s.destroyWith(nil)
	}
}

// DestroySoon ends the write side and destroys the socket once it finished
// (Node's destroySoon).
func (s *Socket) DestroySoon() {
	s.exec(func() {
		if s.is(stFinished) || !s.Writable() {
			s.destroyWith(nil)
			return
		}
		s.addListener(newListenerID(), EventFinish, func() { s.destroyWith(nil) }, true)
		s.end(nil, nil)
	})
}

// Destroy is Node's socket.destroy(err): no more I/O, the descriptor is
// closed, pending write callbacks get ERR_STREAM_DESTROYED; then 'error'
// (if err is not nil) and 'close'. Calling it again does nothing. Safe from
// inside every callback. Returns the socket.
func (s *Socket) Destroy(err error) *Socket {
	s.exec(func() { s.destroyWith(err) })
	return s
}

// ResetAndDestroy closes the connection with a TCP RST (SO_LINGER 0), so the
// peer reads ECONNRESET (Node's resetAndDestroy). While connecting it waits
// for the connection first. It is an error on a Unix socket
// (ERR_INVALID_HANDLE_TYPE), and on a socket that never connected it
// destroys with ERR_SOCKET_CLOSED.
func (s *Socket) ResetAndDestroy() (*Socket, error) {
	if s.zero() {
		return s, errZero()
	}
	if s.kind() == kindUnix {
		return s, nodenet.ErrInvalidHandleType
	}
	s.exec(func() {
		switch {
		case s.is(stDestroyed):
		case s.is(stConnecting):
			s.addListener(newListenerID(), EventConnect, func() { s.resetNow() }, true)
		case s.fd == sysnet.Invalid:
			s.destroyWith(nodenet.ErrSocketClosed)
		default:
			s.resetNow()
		}
	})
	return s, nil
}

func (s *Socket) resetNow() {
	if s.fd != sysnet.Invalid {
		if err := sysnet.SetLingerZero(s.fd); err != nil {
			s.destroyWith(nodenet.NewSyscallError("reset", err))
			return
		}
	}
	s.destroyWith(nil)
}

// destroyWith is Node's _destroy: stop everything now, report later.
func (s *Socket) destroyWith(err error) {
	if s.is(stDestroyed) {
		return
	}
	// 'close' carries hadError after a failure with a handle: ECONNREFUSED,
	// ENOTFOUND, a bind error or Destroy(err) while connecting, as in Node
	// 26 (see destroying).
	wasConnecting, hadHandle := s.destroying()
	c := s.coldOrNil()
	if c != nil {
		c.connectGen++
		if c.idleTimer != nil {
			c.idleTimer.Stop()
		}
		if c.connectTimer != nil {
			c.connectTimer.Stop()
			c.connectTimer = nil
		}
		if c.attempt != nil && c.attempt.timer != nil {
			c.attempt.timer.Stop()
		}
		c.attempt = nil
	}
	if fd := s.fd; fd != sysnet.Invalid {
		// Forget the descriptor before closing it: a getter on another
		// goroutine holding it (withFD) has finished by then.
		s.setFD(sysnet.Invalid)
		if s.isNamedPipe() {
			s.npClose()
		} else {
			switch {
			case s.has(fDetached):
				sysnet.Close(fd)
			case s.soleFD():
				_ = s.loop.CloseRegistered(fd, sysnet.Close)
			default:
				_ = s.loop.Unregister(fd)
				sysnet.Close(fd)
			}
		}
	}
	s.unregistered()
	s.resetLocal()
	flushDeferred := s.connectFlushDestroyed(c, wasConnecting) // before the queue is dropped
	if s.q != nil {
		s.q.Reset()
		s.releaseQueue()
	}
	s.dropSplice()
	s.bufferSize.Store(0)
	s.updateRef()

	// Writes that never reached the kernel hear why.
	pendingErr := error(nodenet.ErrStreamDestroyed)
	if wasConnecting {
		pendingErr = nodenet.ErrSocketClosedBeforeConnection
	}
	if err != nil {
		pendingErr = err
	}
	if c != nil {
		if !flushDeferred {
			for _, p := range c.pending {
				c.done = append(c.done, writeDone{cb: p.cb, err: pendingErr})
			}
			c.pending = nil
		}
		for _, cb := range c.endCbs {
			c.done = append(c.done, writeDone{cb: cb, err: pendingErr})
		}
		c.endCbs = nil
		if len(c.done) > 0 {
			s.scheduleDone()
		}
	}
	s.unpipe(nil)
	if s.has(fLayered) {
		s.lay().Destroyed()
	}
	if s.hook != nil && s.hook.OnDestroy != nil && s.hookDone() {
		s.hook.OnDestroy()
	}
	if err != nil {
		s.c().setError(err)
		s.errored()
		s.loop.NextTickArg(func(any) { s.emitError(err) }, s.handler())
	}
	if hadHandle {
		// 'close' comes from the handle's close callback in Node: after the
		// next-tick queue, so after 'error'.
		s.loop.SetImmediateArg(emitCloseHandle, s.handler())
	} else {
		s.loop.NextTickArg(emitCloseNoHandle, s.handler())
	}
}

func (s *Socket) emitError(err error) {
	if !s.errorEmitting() {
		return
	}
	if s.ev().Count(EventError) == 0 {
		s.loop.LogError("nodenet: unhandled socket error", err)
		return
	}
	s.emitErr(err)
}

// emitClose emits 'close' once. Without a handle Node passes no argument;
// hadError is then false here.
func (s *Socket) emitClose(withHandle bool) {
	if !s.closeEmitting() {
		return
	}
	if c := s.coldOrNil(); c != nil && c.closeBytesWritten > 0 {
		s.bytesWritten.Store(c.closeBytesWritten - 1)
		c.closeBytesWritten = 0
	}
	s.emitCloseEvent(withHandle && s.is(stErrored))
}

// resetForReconnect un-destroys a socket for a new Connect (Node's
// initSocketHandle): fresh state and counters, same listeners.
func (s *Socket) resetForReconnect() {
	// Each sub-state afresh (state.go's reset masks say what carries over).
	s.resetLifecycle()
	s.resetReadSide()
	s.resetWriteSide()
	s.resetApplied()
	s.resetRemote()
	s.resetLocal()
	if c := s.coldOrNil(); c != nil {
		if c.connectFlushID != 0 {
			s.removeListener(c.connectFlushID)
			c.connectFlushID = 0
		}
		c.connectUnsent, c.closeBytesWritten = 0, 0
	}
	s.bytesRead.Store(0)
	s.bytesWritten.Store(0)
	if c := s.coldOrNil(); c != nil {
		c.errorValue.Store(nil)
		if enc := encoding.Encoding(c.enc.Load()); enc != encoding.Buffer {
			c.dec.Reset(enc)
		}
	}
}

// setError publishes the error the socket is destroyed with. Its own
// variable: taking the address of a caller's parameter would move that
// parameter to the heap on every call, errors or not.
func (c *socketCold) setError(err error) {
	e := err
	c.errorValue.Store(&e)
}

// errorValue is what the socket was destroyed with, nil if nothing. Any
// goroutine.
func (s *Socket) errorValue() error {
	if c := s.coldOrNil(); c != nil {
		if p := c.errorValue.Load(); p != nil {
			return *p
		}
	}
	return nil
}
