package server

// serverState is where a Server is in Node's listen/close cycle, the one
// answer to "is it listening" (Listening, Close's callback error, whether a
// drained server emits 'close'). Any goroutine reads it; it is written only
// under Server.mu, by Listen and Close on the caller's goroutine and by the
// home loop when an asynchronous listen settles.
//
//	idle ──Listen, no host/path/handle──▶ listening  (bound at the call,
//	 │                                               or the bind deferred)
//	 │  ──Listen, host────────────────────▶ resolving ──bound──▶ listening
//	 │                                      │  │                      │
//	 ◀──────────── bind or lookup failed ───┘  └──Close──▶ closing ◀──┘
//	                                                │
//	                                                └──Listen──▶ listening / resolving
//
// resolving is Node's "this._handle is not set yet": a hostname (or IP
// literal, which Node also passes through dns.lookup) waiting for its
// answer. A bind deferred to the loop because a closed listen still holds
// the port (see Server.listenNow) is listening already, as Node's listen
// would have bound at the call: its descriptors come when the loop has
// run that close. Only closing lets a drained
// server emit 'close' when its last connection ends (Node's
// _emitCloseIfDrained after close()).
//
// Server.mu orders the callers: Listen and Close make their state change
// and post their loop task under it, so the home loop runs those tasks in
// the order the states changed, and a task never has to guess which
// listen a Close meant. The claim (Server.claim) is the id of the live
// listen, 0 when none: a second Listen is refused while it is set; a
// lookup answer or a deferred bind whose claim is no longer current
// (Close, or a newer Listen) is void.
type serverState uint32

const (
	stateIdle      serverState = iota // never listened, or the last listen failed
	stateResolving                    // Listen accepted, nothing bound yet
	stateListening                    // descriptors bound (registered with the poller on the loop)
	stateClosing                      // Close was called since the last Listen
)

// getState reads the state from any goroutine.
func (s *Server) getState() serverState { return serverState(s.state.Load()) }

// setState moves to st. Under s.mu.
func (s *Server) setState(st serverState) { s.state.Store(uint32(st)) }

// active is Node's this._handle != null: Listen was accepted and neither
// Close nor a failure has released it.
func (s *Server) active() bool {
	st := s.getState()
	return st == stateResolving || st == stateListening
}

// takeClaim starts a listen in state st and returns its claim id, or 0 if
// another listen holds the claim. Under s.mu.
func (s *Server) takeClaim(st serverState) uint64 {
	if s.claim.Load() != 0 {
		return 0
	}
	s.claimSeq++
	id := s.claimSeq
	s.claim.Store(id)
	s.setState(st)
	return id
}

// current reports whether the listen with claim id is still the live one
// in state st: a pending lookup, a deferred bind and a posted 'listening'
// check it before acting. Any goroutine (an answer, as a getter's).
func (s *Server) current(id uint64, st serverState) bool {
	return s.claim.Load() == id && s.getState() == st
}
