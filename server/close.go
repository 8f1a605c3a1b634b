package server

import (
	"os"

	"github.com/nodenet/nodenet"
)

// Close is Node's server.close(cb): stop accepting at once, leave the open
// connections alone, and emit 'close' (and call cb with nil) once the last
// of them has ended. If the server was not listening, cb gets
// ERR_SERVER_NOT_RUNNING — and 'close' is still emitted, as in Node: every
// Close that finds the server drained emits 'close' once more. A Unix
// socket file the server created is removed. If the home loop was stopped,
// cb runs with ErrLoopStopped on a goroutine of its own; if it stops while
// the close still waits for connections, 'close' is emitted as the loop
// tears down and cb gets ErrLoopStopped (an accepted callback always runs).
// Returns the server.
func (s *Server) Close(cb func(error)) *Server {
	if s.zero() {
		if cb != nil {
			go cb(errZero())
		}
		return s
	}
	// Release the handle claim now, on the caller's goroutine, so a Listen
	// that follows this Close on the same goroutine is accepted even while
	// the close itself is still posted (Node clears _handle synchronously).
	// The posted tasks run in call order, so the close runs first.
	s.claim.Store(0)
	if err := s.home.Exec(func() {
		// Node's test is `this._handle`, which a hostname listen (even an
		// IP literal: it goes through the resolver) only gets once the
		// lookup answered: until a descriptor is bound, cb hears
		// ERR_SERVER_NOT_RUNNING (the state is resolving then).
		var cbErr error
		if s.getState() != stateListening {
			cbErr = nodenet.ErrServerNotRunning
		}
		if cb != nil {
			s.onClose = append(s.onClose, handler[func()]{fn: func() {
				if cbErr == nil && s.stopped {
					cb(nodenet.ErrLoopStopped) // the connections were cut, not drained
					return
				}
				cb(cbErr)
			}, once: true})
		}
		s.closeAcceptors()
		s.setState(stateClosing) // a pending hostname listen is void now
		s.updateRef()
		s.owePendingClose()
		s.maybeClose()
	}); err != nil && cb != nil {
		go cb(err) // the home loop is stopped: cb still hears of it
	}
	return s
}

// closeAcceptors closes every listening descriptor on its own loop and
// removes the Unix socket file.
func (s *Server) closeAcceptors() {
	for _, l := range s.acceptors {
		l := l
		if l.loop.InLoop() {
			l.close()
		} else if err := l.loop.Post(l.close); err != nil {
			l.closed = true
		}
	}
	s.acceptors = nil
	s.firstFDPlus1.Store(0)
	s.closePipe()
	if s.unlinkPath && s.path != "" {
		os.Remove(s.path)
		s.unlinkPath = false
	}
	if s.addr.Load() != nil && s.addr.Load().Family != "unix" {
		s.addr.Store(nil)
	}
}

// maybeClose emits 'close' on the next tick once the listening handle is
// gone and no connection is left (Node's _emitCloseIfDrained). Every call
// that finds the server drained emits once: a second Close emits 'close'
// again (its callback hears ERR_SERVER_NOT_RUNNING), as Node does.
func (s *Server) maybeClose() {
	if s.getState() != stateClosing || s.conns.Load() != 0 {
		return
	}
	s.home.NextTick(s.emitClose)
}

// closeWaitersKey is the home loop's Local holding the servers whose
// 'close' is still owed (Close called, connections open).
type closeWaitersKey struct{}

// closeWaiters emits the owed 'close' of each of its servers when the loop
// is stopped (the loop closes its io.Closer locals last in its teardown):
// the connections on other loops of a Group can no longer report to a
// stopped home loop, so without it Close's callback would never run.
type closeWaiters map[*Server]struct{}

func (w closeWaiters) Close() error {
	for s := range w {
		s.stopped = true
		// Through the loop's one recovery, as the NextTick that emits
		// 'close' otherwise is: a panicking listener is logged and the
		// other servers still hear theirs.
		s.home.CallArg(emitCloseOf, s)
	}
	return nil
}

func emitCloseOf(s any) { s.(*Server).emitClose() }

func newCloseWaiters() any { return closeWaiters{} }

// owePendingClose records, on the home loop, that a 'close' is owed.
func (s *Server) owePendingClose() {
	if w, ok := s.home.Local(closeWaitersKey{}, newCloseWaiters).(closeWaiters); ok {
		w[s] = struct{}{}
	}
}

// closePaid forgets the owed 'close' once it was emitted.
func (s *Server) closePaid() {
	if w, ok := s.home.Local(closeWaitersKey{}, newCloseWaiters).(closeWaiters); ok {
		delete(w, s)
	}
}
