package socket

import (
	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/emitter"
)

// on registers fn for ev on the loop (inline there, posted from elsewhere)
// and returns its id at once. A nil fn panics with ERR_INVALID_ARG_TYPE at
// the call, as Node's on() throws.
func on(s *Socket, ev EventName, fn any, once bool, after func()) ListenerID {
	if emitter.IsNil(fn) {
		panic(nodenet.NewError(nodenet.CodeInvalidArgType, `The "listener" argument must be of type function. Received null`))
	}
	id := newListenerID()
	if s.loop.InLoop() {
		// The common case (listeners added in a connection handler): no
		// closure, no allocation beyond the listener slice.
		s.addListener(id, ev, fn, once)
		if after != nil {
			after()
		}
		return id
	}
	s.exec(func() {
		s.addListener(id, ev, fn, once)
		if after != nil {
			after()
		}
	})
	return id
}

// The On and Once methods may be called from any goroutine; off the loop
// the listener is added by a task posted to it, so it hears the events the
// loop emits after that task ran. A nil listener panics with
// ERR_INVALID_ARG_TYPE (Node throws).

// OnConnect adds a listener for 'connect': the connection is established.
func (s *Socket) OnConnect(fn func()) ListenerID { return on(s, EventConnect, fn, false, nil) }

// OnceConnect adds a one-time 'connect' listener (what connect's callback is).
func (s *Socket) OnceConnect(fn func()) ListenerID { return on(s, EventConnect, fn, true, nil) }

// OnReady adds a listener for 'ready', emitted right after 'connect'.
func (s *Socket) OnReady(fn func()) ListenerID { return on(s, EventReady, fn, false, nil) }

// OnceReady adds a one-time 'ready' listener.
func (s *Socket) OnceReady(fn func()) ListenerID { return on(s, EventReady, fn, true, nil) }

// OnLookup adds a listener for 'lookup', emitted after resolving a host name
// and before connecting (never for IP literals or Unix paths).
func (s *Socket) OnLookup(fn LookupListener) ListenerID { return on(s, EventLookup, fn, false, nil) }

// OnceLookup adds a one-time 'lookup' listener.
func (s *Socket) OnceLookup(fn LookupListener) ListenerID { return on(s, EventLookup, fn, true, nil) }

// OnConnectionAttempt adds a listener for 'connectionAttempt', emitted as
// each connect(2) to an address starts (after the local bind and the block
// list).
func (s *Socket) OnConnectionAttempt(fn ConnectionAttemptListener) ListenerID {
	return on(s, EventConnectionAttempt, fn, false, nil)
}

// OnceConnectionAttempt adds a one-time 'connectionAttempt' listener.
func (s *Socket) OnceConnectionAttempt(fn ConnectionAttemptListener) ListenerID {
	return on(s, EventConnectionAttempt, fn, true, nil)
}

// OnConnectionAttemptFailed adds a listener for 'connectionAttemptFailed',
// emitted when an attempt fails: refused, unreachable, or (among several
// addresses) blocked by the BlockList.
func (s *Socket) OnConnectionAttemptFailed(fn ConnectionAttemptFailedListener) ListenerID {
	return on(s, EventConnectionAttemptFailed, fn, false, nil)
}

// OnceConnectionAttemptFailed adds a one-time 'connectionAttemptFailed'
// listener.
func (s *Socket) OnceConnectionAttemptFailed(fn ConnectionAttemptFailedListener) ListenerID {
	return on(s, EventConnectionAttemptFailed, fn, true, nil)
}

// OnConnectionAttemptTimeout adds a listener for 'connectionAttemptTimeout',
// emitted when an attempt among several addresses outlives
// AutoSelectFamilyAttemptTimeout and is abandoned for the next.
func (s *Socket) OnConnectionAttemptTimeout(fn ConnectionAttemptListener) ListenerID {
	return on(s, EventConnectionAttemptTimeout, fn, false, nil)
}

// OnceConnectionAttemptTimeout adds a one-time 'connectionAttemptTimeout'
// listener.
func (s *Socket) OnceConnectionAttemptTimeout(fn ConnectionAttemptListener) ListenerID {
	return on(s, EventConnectionAttemptTimeout, fn, true, nil)
}

// OnData adds a listener for 'data'. Like Node, adding a data listener starts
// the flow of data unless the socket was explicitly paused. The slice is the
// loop's read buffer (or the decoded text when an encoding is set) and is
// valid only during the call: copy what you keep.
func (s *Socket) OnData(fn func([]byte)) ListenerID {
	return on(s, EventData, fn, false, s.dataListenerAdded)
}

// OnceData adds a one-time 'data' listener.
func (s *Socket) OnceData(fn func([]byte)) ListenerID {
	return on(s, EventData, fn, true, s.dataListenerAdded)
}

// OnEnd adds a listener for 'end': the peer sent FIN and all data before it
// was delivered.
func (s *Socket) OnEnd(fn func()) ListenerID { return on(s, EventEnd, fn, false, nil) }

// OnceEnd adds a one-time 'end' listener.
func (s *Socket) OnceEnd(fn func()) ListenerID { return on(s, EventEnd, fn, true, nil) }

// OnFinish adds a listener for 'finish': End was called, every queued byte
// reached the kernel and our side was shut down.
func (s *Socket) OnFinish(fn func()) ListenerID { return on(s, EventFinish, fn, false, nil) }

// OnceFinish adds a one-time 'finish' listener.
func (s *Socket) OnceFinish(fn func()) ListenerID { return on(s, EventFinish, fn, true, nil) }

// OnDrain adds a listener for 'drain': the write queue emptied after a Send
// returned false. Added from another goroutine after a Send there returned
// false, it hears that false's 'drain' even when the loop emitted it before
// the listener arrived (see onDrainOffLoop).
func (s *Socket) OnDrain(fn func()) ListenerID { return onDrain(s, fn, false) }

// OnceDrain adds a one-time 'drain' listener, with OnDrain's rule for a
// listener added from another goroutine: the natural
//
//	if !s.Send(b, nil) { s.OnceDrain(resume) }
//
// works from any goroutine. The rule looks at the latest false any
// goroutine got off the loop: added from another goroutine when that false
// is already answered, the listener is called at once (there is no drain
// left to wait for).
func (s *Socket) OnceDrain(fn func()) ListenerID { return onDrain(s, fn, true) }

// OnError adds a listener for 'error'. It is emitted at most once per socket,
// and 'close' (with hadError true) follows it. Without any error listener the
// error is logged through the loop's logger (Node would throw).
func (s *Socket) OnError(fn func(error)) ListenerID { return on(s, EventError, fn, false, nil) }

// OnceError adds a one-time 'error' listener.
func (s *Socket) OnceError(fn func(error)) ListenerID { return on(s, EventError, fn, true, nil) }

// OnTimeout adds a listener for 'timeout': the socket was idle for the
// duration given to SetTimeout. Nothing is closed; end or destroy it yourself.
func (s *Socket) OnTimeout(fn func()) ListenerID { return on(s, EventTimeout, fn, false, nil) }

// OnceTimeout adds a one-time 'timeout' listener.
func (s *Socket) OnceTimeout(fn func()) ListenerID { return on(s, EventTimeout, fn, true, nil) }

// OnClose adds a listener for 'close', the last event a socket emits;
// hadError tells whether it was destroyed by an error.
func (s *Socket) OnClose(fn func(hadError bool)) ListenerID {
	return on(s, EventClose, fn, false, nil)
}

// OnceClose adds a one-time 'close' listener.
func (s *Socket) OnceClose(fn func(hadError bool)) ListenerID {
	return on(s, EventClose, fn, true, nil)
}

// RemoveListener removes the listener with the given id from whichever event
// it was added to (Node's removeListener / off).
func (s *Socket) RemoveListener(id ListenerID) {
	s.exec(func() {
		s.removeListener(id)
	})
}

// RemoveAllListeners removes every listener of ev (Node's removeAllListeners).
func (s *Socket) RemoveAllListeners(ev EventName) {
	s.exec(func() {
		s.ev().RemoveAll(ev)
		s.pipeRemoveAll(ev)
	})
}

// ListenerCount is the number of listeners of ev (Node's listenerCount),
// from any goroutine: a listener added or removed from elsewhere counts once
// the loop has taken the call.
func (s *Socket) ListenerCount(ev EventName) int { return s.ev().Count(ev) + s.pipeListeners(ev) }
