package server

import (
	"github.com/nodenet/nodenet/internal/emitter"
	"github.com/nodenet/nodenet/socket"
	"go.uber.org/zap"
)

// EventName names a Server event (Node's eventName: "listening",
// "connection", …), for RemoveAllListeners and ListenerCount.
type EventName uint8

// The events of a net.Server.
const (
	EventListening EventName = iota
	EventConnection
	EventError
	EventClose
	EventDrop

	numEvents // the number of events
)

// Keep the emitter's counts array big enough for every event.
var _ [emitter.MaxEvents - numEvents]struct{}

// Added is what the Server's On and Once methods return: the Server itself,
// so that calls chain as Node's server.on(...) returns the server
// (srv.OnListening(f).OnError(g) — every Server method is promoted), and
// the ID of the listener just added, for RemoveListener (Go functions
// cannot be compared, so Node's removeListener(event, fn) takes the id, as
// socket.Socket's does):
//
//	id := srv.OnConnection(handle).ID
//	…
//	srv.RemoveListener(id)
type Added struct {
	*Server
	ID socket.ListenerID
}

// The Server's listeners follow Node's EventEmitter (internal/emitter):
// they run in the order they were added; an emit calls the listeners
// present when it started (Node's copy of the array), so one added during
// it waits for the next emit and one removed during it (by an earlier
// listener, from another goroutine) still runs in it; a once-listener is
// removed before it runs, and runs once.
//
// Unlike a Socket's, the Server's listeners are added and removed at once
// from any goroutine (the store is shared by the loops of a Group), so
// ListenerCount is exact as soon as the call returns. 'connection'
// listeners run on the accepted socket's loop, every other event's on the
// home loop; a once 'connection' listener of a Group server runs for
// exactly one connection even when several loops accept at the same time.
//
// A nil listener panics with ERR_INVALID_ARG_TYPE at the call, as Node's
// on() throws: registered, it would panic later on the loop, where nobody
// sees it, and stop every listener after it.

func (s *Server) on(ev EventName, fn any, once bool) Added {
	mustFunc(emitter.IsNil(fn), "listener")
	id := emitter.NewID()
	s.events.Add(id, ev, fn, once)
	return Added{s, socket.ListenerID(id)}
}

// OnListening adds a 'listening' listener: the server is bound and
// accepting (Listen's callback is a one-time one).
func (s *Server) OnListening(fn func()) Added { return s.on(EventListening, fn, false) }

// OnceListening adds a one-time 'listening' listener.
func (s *Server) OnceListening(fn func()) Added { return s.on(EventListening, fn, true) }

// OnConnection adds a 'connection' listener. It runs on the new socket's
// loop.
func (s *Server) OnConnection(fn func(*socket.Socket)) Added {
	return s.on(EventConnection, fn, false)
}

// OnceConnection adds a one-time 'connection' listener: it runs for one
// connection, on that socket's loop.
func (s *Server) OnceConnection(fn func(*socket.Socket)) Added {
	return s.on(EventConnection, fn, true)
}

// OnError adds an 'error' listener (listen failures such as EADDRINUSE,
// accept failures). Without one, errors are logged (Node would throw).
func (s *Server) OnError(fn func(error)) Added { return s.on(EventError, fn, false) }

// OnceError adds a one-time 'error' listener.
func (s *Server) OnceError(fn func(error)) Added { return s.on(EventError, fn, true) }

// OnClose adds a 'close' listener: emitted once the server stopped
// listening and its last connection ended (Close's callback is a one-time
// one).
func (s *Server) OnClose(fn func()) Added { return s.on(EventClose, fn, false) }

// OnceClose adds a one-time 'close' listener.
func (s *Server) OnceClose(fn func()) Added { return s.on(EventClose, fn, true) }

// OnDrop adds a 'drop' listener: a connection arrived while the server was
// at its maxConnections and was closed at once.
func (s *Server) OnDrop(fn func(DropInfo)) Added { return s.on(EventDrop, fn, false) }

// OnceDrop adds a one-time 'drop' listener.
func (s *Server) OnceDrop(fn func(DropInfo)) Added { return s.on(EventDrop, fn, true) }

// RemoveListener removes the listener with the given id (the ID of what an
// On or Once method returned) from whichever event it was added to (Node's
// removeListener / off). An unknown id, or one already removed, is
// ignored. Any goroutine.
func (s *Server) RemoveListener(id socket.ListenerID) { s.events.Remove(uint64(id)) }

// RemoveAllListeners removes every listener of ev (Node's
// removeAllListeners(eventName)), Listen's and Close's callbacks among
// them. Any goroutine.
func (s *Server) RemoveAllListeners(ev EventName) { s.events.RemoveAll(ev) }

// ListenerCount is the number of listeners of ev (Node's
// listenerCount(eventName)), from any goroutine: a once-listener counts
// until it is about to run.
func (s *Server) ListenerCount(ev EventName) int { return s.events.Count(ev) }

// addOnce adds one of the server's own one-time listeners: Listen's and
// Close's callbacks, which Node adds with once().
func (s *Server) addOnce(ev EventName, fn any) { s.events.Add(emitter.NewID(), ev, fn, true) }

// emit0 emits an event without arguments ('listening', 'close').
func (s *Server) emit0(ev EventName) {
	emitter.EachShared(&s.events, ev, func(f func()) bool { f(); return true })
}

// emitListening emits 'listening' (home loop).
func (s *Server) emitListening() { s.emit0(EventListening) }

// emitClose emits 'close' (home loop); the owed close is paid first.
func (s *Server) emitClose() {
	s.closePaid()
	s.emit0(EventClose)
}

// emitError emits 'error' (home loop), or logs err when nobody listens.
func (s *Server) emitError(err error) {
	if emitter.EachShared(&s.events, EventError, func(f func(error)) bool { f(err); return true }) == 0 {
		s.logger().Error("nodenet: unhandled server error", zap.Error(err))
	}
}

// emitDrop emits 'drop' (home loop).
func (s *Server) emitDrop(info DropInfo) {
	emitter.EachShared(&s.events, EventDrop, func(f func(DropInfo)) bool { f(info); return true })
}

// emitConnection runs the 'connection' listeners on the socket's loop, as a
// callback the accepted socket owns (Loop.CallArg): a panic in one is the
// loop's to recover, and destroys that socket only (acceptedConn).
func (s *Server) emitConnection(sock *socket.Socket) {
	sock.Loop().CallArg(emitConnectionTo, (*acceptedConn)(sock))
}

func emitConnectionTo(a any) {
	sock := (*socket.Socket)(a.(*acceptedConn))
	s := sock.Owner().(*Server)
	emitter.EachShared(&s.events, EventConnection, func(f func(*socket.Socket)) bool {
		f(sock)
		return true
	})
}
