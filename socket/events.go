package socket

import "github.com/nodenet/nodenet/internal/emitter"

// ListenerID identifies a listener added with one of the On or Once methods,
// for RemoveListener (Go functions cannot be compared, so Node's
// removeListener(event, fn) takes the id instead).
type ListenerID uint64

// newListenerID draws from the one id space of internal/emitter, shared
// with the TLSSocket's and the servers' listeners.
func newListenerID() ListenerID { return ListenerID(emitter.NewID()) }

// LookupListener receives Node's 'lookup' event: the resolver's error (nil on
// success), the address and family (4 or 6) it answered, and the host name.
type LookupListener func(err error, address string, family int, host string)

// ConnectionAttemptListener receives Node's 'connectionAttempt' (a connect
// to address:port starts) and 'connectionAttemptTimeout' (that attempt ran
// out of AutoSelectFamilyAttemptTimeout and the next address is tried)
// events. family is 4 or 6; a Unix path has port and family 0 (Node:
// undefined).
type ConnectionAttemptListener func(address string, port int, family int)

// ConnectionAttemptFailedListener receives Node's 'connectionAttemptFailed'
// event: the attempt to address:port failed with err (the next address is
// tried, or the socket is destroyed with the error).
type ConnectionAttemptFailedListener func(address string, port int, family int, err error)

// EventName names a Socket event (Node's eventName: "data", "close", ...),
// for RemoveAllListeners and ListenerCount. (nodenet.Event, in the root
// package, is something else: one readiness report of a poller.)
type EventName uint8

// The events of a net.Socket.
const (
	EventConnect EventName = iota
	EventReady
	EventLookup
	EventData
	EventEnd
	EventFinish
	EventDrain
	EventError
	EventTimeout
	EventClose
	EventConnectionAttempt
	EventConnectionAttemptFailed
	EventConnectionAttemptTimeout

	numEvents // the number of events
)

// The socket's listeners are an emitter.List (internal/emitter: Node's
// EventEmitter rules, every event in one slice, emitting allocates
// nothing), allocated with the first listener: a socket without listeners
// (a piped echo connection) pays the nil pointer in Socket.events. Its
// counts are what ListenerCount reads from any goroutine.
type eventList = emitter.List[EventName]

// Keep the counts array big enough for every event.
var _ [emitter.MaxEvents - numEvents]struct{}

// listeners returns the socket's listener list, allocating it with the
// first listener. Loop goroutine only.
func (s *Socket) listeners() *eventList {
	l := s.events.Load()
	if l == nil {
		l = new(eventList)
		s.events.Store(l)
	}
	return l
}

// ev is the socket's listener list, nil before the first listener (every
// method of emitter.List but Add accepts nil).
func (s *Socket) ev() *eventList { return s.events.Load() }

// addListener adds fn for ev (loop goroutine).
func (s *Socket) addListener(id ListenerID, ev EventName, fn any, once bool) {
	s.listeners().Add(uint64(id), ev, fn, once)
}

// removeListener removes the listener id (loop goroutine).
func (s *Socket) removeListener(id ListenerID) { s.ev().Remove(uint64(id)) }

// The emits, loop goroutine only.

func (s *Socket) emit0(ev EventName) { emitter.Emit0(s.ev(), ev) }

func (s *Socket) emitData(b []byte) { emitter.Emit1(s.ev(), EventData, b) }

func (s *Socket) emitErr(err error) { emitter.Emit1(s.ev(), EventError, err) }

func (s *Socket) emitCloseEvent(hadError bool) { emitter.Emit1(s.ev(), EventClose, hadError) }

func (s *Socket) emitLookup(err error, address string, family int, host string) {
	emitter.Each(s.ev(), EventLookup, func(f LookupListener) bool {
		f(err, address, family, host)
		return true
	})
}

func (s *Socket) emitAttempt(ev EventName, address string, port, family int) {
	emitter.Each(s.ev(), ev, func(f ConnectionAttemptListener) bool {
		f(address, port, family)
		return true
	})
}

func (s *Socket) emitAttemptFailed(address string, port, family int, err error) {
	emitter.Each(s.ev(), EventConnectionAttemptFailed, func(f ConnectionAttemptFailedListener) bool {
		f(address, port, family, err)
		return true
	})
}
