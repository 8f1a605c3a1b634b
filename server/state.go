package server

// serverState is where a Server is in Node's listen/close cycle. It
// replaces the flags that used to mirror one another (hasHandle,
// listening, isListening, closing, listenGen): the home loop alone writes
// it, any goroutine may read it (Listening).
//
//	idle ──Listen──▶ resolving ──bound──▶ listening
//	 ▲                 │   │                  │
//	 └─bind or lookup──┘   └──Close──▶ closing ◀──Close──┘
//	   failed                            │
//	                                     └──Listen──▶ resolving
//
// resolving is Node's "this._handle is set but not bound yet": a
// hostname (or IP literal, which Node also passes through dns.lookup)
// waiting for its answer, and, for the moment of a synchronous bind,
// every other form. Only closing lets a drained server emit 'close'
// (Node's _emitCloseIfDrained after close()).
//
// The claim (Server.claim, Server.claimID) is separate: it is taken and
// released synchronously on the caller's goroutine, so a second Listen is
// refused at once even while the first is only posted. claimID is also
// the generation of the current listen: a lookup answer or a deferred
// bind whose claim is no longer current (Close, or a newer Listen) is
// void.
type serverState uint32

const (
	stateIdle      serverState = iota // never listened, or the last listen failed
	stateResolving                    // Listen accepted, nothing bound yet
	stateListening                    // descriptors bound and accepting
	stateClosing                      // Close was called since the last Listen
)

// getState reads the state from any goroutine.
func (s *Server) getState() serverState { return serverState(s.state.Load()) }

// setState moves to st. Home loop only.
func (s *Server) setState(st serverState) { s.state.Store(uint32(st)) }

// active is Node's this._handle != null: Listen was accepted and neither
// Close nor a failure has released it. Home loop.
func (s *Server) active() bool {
	st := s.getState()
	return st == stateResolving || st == stateListening
}

// current reports whether the listen with claim id is still the live one
// in state st: a pending lookup or deferred bind checks it before acting.
// Home loop.
func (s *Server) current(id uint64, st serverState) bool {
	return s.claimID == id && s.getState() == st
}
