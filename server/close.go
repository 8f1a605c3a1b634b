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
	// Node's close() ends the listen inside the call: the handle, the
	// address and the socket file are gone when it returns, so a Listen
	// that follows on any goroutine (on the same path, too) starts afresh.
	// The descriptors are closed on their loops, by the task posted here
	// under s.mu: it runs after the tasks of every Listen before this
	// Close and before those of any after it.
	s.mu.Lock()
	// Node's test is `this._handle`, which a hostname listen (even an IP
	// literal: it goes through the resolver) only gets once the lookup
	// answered: until a descriptor is bound, cb hears
	// ERR_SERVER_NOT_RUNNING (the state is resolving then).
	var cbErr error
	if s.getState() != stateListening {
		cbErr = nodenet.ErrServerNotRunning
	}
	s.claim.Store(0)
	s.setState(stateClosing) // a pending hostname listen is void now
	s.unpublish()
	s.closesPending.Add(1)
	task := func() { s.closeOnLoop(cb, cbErr) }
	if s.home.InLoop() {
		s.mu.Unlock()
		task()
		return s
	}
	err := s.home.Post(task)
	if err != nil {
		s.closesPending.Add(-1)
	}
	s.mu.Unlock()
	if err != nil && cb != nil {
		go cb(err) // the home loop is stopped: cb still hears of it
	}
	return s
}

// closeOnLoop is Close's half on the home loop: close the descriptors,
// release the loop, and emit 'close' on the next tick if no connection is
// left — decided here, as Node's close() decides it in the call, even if a
// Listen has come since. Otherwise the last connection's end emits it
// (maybeClose), and the loop's teardown if that never comes.
func (s *Server) closeOnLoop(cb func(error), cbErr error) {
	if cb != nil {
		s.addOnce(EventClose, func() {
			if cbErr == nil && s.stopped {
				cb(nodenet.ErrLoopStopped) // the connections were cut, not drained
				return
			}
			cb(cbErr)
		})
	}
	s.closeAcceptors()
	s.closesPending.Add(-1)
	s.updateRef()
	s.owePendingClose()
	if s.conns.Load() == 0 {
		s.home.NextTick(s.emitClose)
	}
}

// closeAcceptors closes every listening descriptor, each on its own loop.
// Home loop.
func (s *Server) closeAcceptors() {
	for _, l := range s.acceptors {
		if l.loop.InLoop() {
			l.close()
		} else {
			// A loop that refuses the task is being stopped: its
			// teardown closes the acceptor (LoopStopped).
			_ = l.loop.Post(l.close)
		}
	}
	s.acceptors = nil
	s.closePipe()
}

// stoppedUnder removes listen id's socket file when the home loop is
// stopped under it (acceptor.LoopStopped), unless a Close (which removed
// it) or a newer listen came since.
func (s *Server) stoppedUnder(id uint64) {
	s.mu.Lock()
	if s.claim.Load() == id && s.sockFile != "" {
		os.Remove(s.sockFile)
		s.sockFile = ""
	}
	s.mu.Unlock()
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
