package socket

import (
	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
)

// End is Node's socket.end(data, callback): send data (if any), flush the
// queue, then shut down our side (FIN). cb runs after 'finish' — or with
// ERR_STREAM_ALREADY_FINISHED / ERR_STREAM_DESTROYED when it is too late.
// While connecting, the FIN waits for the connection. Returns the socket.
func (s *Socket) End(data []byte, cb func(error)) *Socket {
	if !s.loop.InLoop() {
		if data != nil {
			data = append([]byte(nil), data...)
		}
		s.isEnding.Store(true)
		_ = s.loop.Post(func() { s.end(data, cb) })
		return s
	}
	s.end(data, cb)
	return s
}

func (s *Socket) end(data []byte, cb func(error)) {
	if len(data) > 0 && !s.ending {
		s.send(data, nil)
	}
	switch {
	case s.destroyed:
		if cb != nil {
			err := s.errorValue
			if err == nil {
				err = nodenet.ErrStreamDestroyed
			}
			s.complete(cb, err)
		}
		return
	case s.finished:
		if cb != nil {
			s.complete(cb, nodenet.ErrStreamAlreadyFinished)
		}
		return
	}
	if cb != nil {
		s.endCbs = append(s.endCbs, cb)
	}
	if s.ending {
		return
	}
	s.ending = true
	s.isEnding.Store(true)
	s.corked = 0
	if s.connecting {
		return // _final waits for 'connect'
	}
	if s.fd == sysnet.Invalid {
		// Never connected: the writable side just finishes.
		s.shutdownDone = true
		s.loop.NextTick(s.finish)
		return
	}
	if s.queue.Len() > 0 {
		s.flush()
		if s.destroyed {
			return
		}
		s.updateInterest()
	}
	s.maybeShutdown()
}

// maybeShutdown sends our FIN once End was called and the queue is empty.
func (s *Socket) maybeShutdown() {
	if !s.ending || s.shutdownDone || s.connecting || s.destroyed || s.fd == sysnet.Invalid || !s.connected || s.queue.Len() > 0 {
		return
	}
	s.shutdownDone = true
	if s.isNamedPipe() {
		s.npShutdown() // schedules finish itself
		return
	}
	if err := sysnet.ShutdownWrite(s.fd); err != nil && !sysnet.IsNotConnected(err) {
		s.destroyWith(nodenet.NewSyscallError("shutdown", err))
		return
	}
	s.loop.NextTick(s.finish)
}

// finish emits 'finish' and runs End's callbacks; a socket whose readable
// side is also done is destroyed (Node's autoDestroy).
func (s *Socket) finish() {
	defer s.recoverPanic()
	if s.destroyed || s.finished {
		return
	}
	s.finished = true
	s.events.emit0(EventFinish)
	cbs := s.endCbs
	s.endCbs = nil
	for _, cb := range cbs {
		cb(nil)
	}
	if s.destroyed {
		return
	}
	if s.endEmitted || !s.readable || !s.connected {
		s.destroyWith(nil)
	}
}

// DestroySoon ends the write side and destroys the socket once it finished
// (Node's destroySoon).
func (s *Socket) DestroySoon() {
	s.exec(func() {
		if s.finished || !s.Writable() {
			s.destroyWith(nil)
			return
		}
		s.events.add(newListenerID(), EventFinish, func() { s.destroyWith(nil) }, true)
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
	if s.isUnix.Load() {
		return s, nodenet.ErrInvalidHandleType
	}
	s.exec(func() {
		switch {
		case s.destroyed:
		case s.connecting:
			s.events.add(newListenerID(), EventConnect, func() { s.resetNow() }, true)
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
	if s.destroyed {
		return
	}
	s.destroyed = true
	s.isDestroyed.Store(true)
	s.isOpen.Store(false)
	wasConnecting := s.connecting && !s.everConnected
	hadHandle := s.fd != sysnet.Invalid || s.everConnected
	s.connecting = false
	s.isConnecting.Store(false)
	s.connectGen++
	if s.idleTimer != nil {
		s.idleTimer.Stop()
	}
	if s.connectTimer != nil {
		s.connectTimer.Stop()
		s.connectTimer = nil
	}
	if s.attempt != nil && s.attempt.timer != nil {
		s.attempt.timer.Stop()
	}
	s.attempt = nil
	if s.fd != sysnet.Invalid {
		if s.isNamedPipe() {
			s.npClose()
		} else {
			if !s.detached {
				_ = s.loop.Unregister(s.fd)
			}
			sysnet.Close(s.fd)
		}
		s.fd = sysnet.Invalid
	}
	s.connected = false
	s.local.reset()
	s.readingNow = false
	s.queue.Reset()
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
	for _, p := range s.pending {
		s.done = append(s.done, writeDone{cb: p.cb, err: pendingErr})
	}
	s.pending = nil
	for _, cb := range s.endCbs {
		s.done = append(s.done, writeDone{cb: cb, err: pendingErr})
	}
	s.endCbs = nil
	if len(s.done) > 0 {
		s.scheduleDone()
	}
	for _, p := range s.pipes {
		p.detach()
	}
	s.pipes = nil
	if s.onDestroyHook != nil {
		hook := s.onDestroyHook
		s.onDestroyHook = nil
		hook()
	}
	if err != nil {
		s.errorValue = err
		s.loop.NextTick(func() { s.emitError(err) })
	}
	if hadHandle {
		// 'close' comes from the handle's close callback in Node: after the
		// next-tick queue, so after 'error'.
		s.loop.SetImmediate(func() { s.emitClose(true) })
	} else {
		s.loop.NextTick(func() { s.emitClose(false) })
	}
}

func (s *Socket) emitError(err error) {
	defer s.recoverPanic()
	if s.errorEmitted {
		return
	}
	s.errorEmitted = true
	if s.events.count(EventError) == 0 {
		s.loop.LogError("nodenet: unhandled socket error", err)
		return
	}
	s.events.emitErr(err)
}

// emitClose emits 'close' once. Without a handle Node passes no argument;
// hadError is then false here.
func (s *Socket) emitClose(withHandle bool) {
	defer s.recoverPanic()
	if s.closeEmitted {
		return
	}
	s.closeEmitted = true
	s.events.emitClose(withHandle && s.errorValue != nil)
}

// recoverPanic turns a panic in a user callback run from a deferred task into
// the socket's error, keeping the loop serving the others.
func (s *Socket) recoverPanic() {
	if r := recover(); r != nil {
		err := reactor.PanicError(r)
		s.loop.LogError("nodenet: socket callback panicked", err)
		s.destroyWith(err)
	}
}

// resetForReconnect un-destroys a socket for a new Connect (Node's
// initSocketHandle): fresh state and counters, same listeners.
func (s *Socket) resetForReconnect() {
	s.destroyed = false
	s.isDestroyed.Store(false)
	s.readEOF, s.endEmitted, s.ending, s.finished = false, false, false, false
	s.isEnding.Store(false)
	s.shutdownDone, s.errorEmitted, s.closeEmitted = false, false, false
	s.detached, s.needDrain, s.dataWaiting = false, false, false
	s.errorValue = nil
	s.everConnected = false
	s.remote.reset()
	s.local.reset()
	s.bytesRead.Store(0)
	s.bytesWritten.Store(0)
	s.noDelaySet, s.keepAliveSet = false, false
	s.queue.Init(poolFor(s.loop))
	if s.enc != 0 {
		s.dec.Reset(s.enc)
	}
}
