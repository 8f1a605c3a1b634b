package socket

import "sync/atomic"

// ListenerID identifies a listener added with one of the On or Once methods,
// for RemoveListener (Go functions cannot be compared, so Node's
// removeListener(event, fn) takes the id instead).
type ListenerID uint64

var listenerSeq atomic.Uint64

func newListenerID() ListenerID { return ListenerID(listenerSeq.Add(1)) }

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

// listener is one registered callback; fn holds the event's func type.
type listener struct {
	id   ListenerID
	ev   EventName
	once bool
	dead bool
	fn   any
}

// eventListeners is every listener of one socket, all events in one slice:
// a socket typically has two to four listeners, and ten per-event lists
// would cost 400 bytes on every idle connection. A socket allocates it with
// its first listener (Socket.listeners), so one without listeners — a piped
// echo connection — pays a nil pointer; every method but add accepts nil. Emitting walks the entries
// present when it started (Node copies the array, so listeners added during
// an emit wait for the next one); removal during an emit only marks the
// entry and the slice is compacted afterwards, so emitting allocates
// nothing.
type eventListeners struct {
	items    []listener
	emitting int32
	dirty    bool
	// live counts the live listeners of each event: the loop keeps it, any
	// goroutine reads it (ListenerCount).
	live [numEvents]atomic.Int32
}

func (l *eventListeners) add(id ListenerID, ev EventName, fn any, once bool) {
	l.items = append(l.items, listener{id: id, ev: ev, fn: fn, once: once})
	l.live[ev].Add(1)
}

// retire marks entry i dead (compacted later) and uncounts it.
func (l *eventListeners) retire(i int) {
	e := &l.items[i]
	e.dead = true
	e.fn = nil
	l.dirty = true
	l.live[e.ev].Add(-1)
}

func (l *eventListeners) remove(id ListenerID) bool {
	if l == nil {
		return false
	}
	for i := range l.items {
		if l.items[i].id == id && !l.items[i].dead {
			l.kill(i)
			return true
		}
	}
	return false
}

func (l *eventListeners) removeAll(ev EventName) {
	if l == nil {
		return
	}
	// Mark them all, then compact once: kill compacts at once outside an
	// emit, which would shift the entries under this loop (it skipped one
	// and then indexed past the end when two or more matched).
	for i := range l.items {
		if l.items[i].ev == ev && !l.items[i].dead {
			l.retire(i)
		}
	}
	l.compact()
}

func (l *eventListeners) kill(i int) {
	l.retire(i)
	l.compact()
}

// count is the number of live listeners of ev, from any goroutine.
func (l *eventListeners) count(ev EventName) int {
	if l == nil || ev >= numEvents {
		return 0
	}
	return int(l.live[ev].Load())
}

// next returns the fn of the next live listener of ev at or after *i among
// the first n entries, retiring once-listeners before they run (Node removes
// them first, so a once-listener that re-emits is not called twice).
func (l *eventListeners) next(ev EventName, i *int, n int) any {
	for ; *i < n && *i < len(l.items); *i++ {
		e := &l.items[*i]
		if e.ev != ev || e.dead {
			continue
		}
		fn := e.fn
		if e.once {
			l.retire(*i)
		}
		*i++
		return fn
	}
	return nil
}

func (l *eventListeners) begin() int { l.emitting++; return len(l.items) }

func (l *eventListeners) end() {
	l.emitting--
	l.compact()
}

func (l *eventListeners) compact() {
	if !l.dirty || l.emitting > 0 {
		return
	}
	j := 0
	for i := range l.items {
		if !l.items[i].dead {
			l.items[j] = l.items[i]
			j++
		}
	}
	clear(l.items[j:])
	l.items = l.items[:j]
	l.dirty = false
}

func (l *eventListeners) emit0(ev EventName) {
	if l == nil {
		return
	}
	n := l.begin()
	defer l.end()
	for i := 0; ; {
		fn := l.next(ev, &i, n)
		if fn == nil {
			return
		}
		if f := fn.(func()); f != nil {
			f()
		}
	}
}

func (l *eventListeners) emitBytes(b []byte) {
	if l == nil {
		return
	}
	n := l.begin()
	defer l.end()
	for i := 0; ; {
		fn := l.next(EventData, &i, n)
		if fn == nil {
			return
		}
		if f := fn.(func([]byte)); f != nil {
			f(b)
		}
	}
}

func (l *eventListeners) emitErr(err error) {
	if l == nil {
		return
	}
	n := l.begin()
	defer l.end()
	for i := 0; ; {
		fn := l.next(EventError, &i, n)
		if fn == nil {
			return
		}
		if f := fn.(func(error)); f != nil {
			f(err)
		}
	}
}

func (l *eventListeners) emitClose(hadError bool) {
	if l == nil {
		return
	}
	n := l.begin()
	defer l.end()
	for i := 0; ; {
		fn := l.next(EventClose, &i, n)
		if fn == nil {
			return
		}
		if f := fn.(func(bool)); f != nil {
			f(hadError)
		}
	}
}

func (l *eventListeners) emitLookup(err error, address string, family int, host string) {
	if l == nil {
		return
	}
	n := l.begin()
	defer l.end()
	for i := 0; ; {
		fn := l.next(EventLookup, &i, n)
		if fn == nil {
			return
		}
		if f := fn.(LookupListener); f != nil {
			f(err, address, family, host)
		}
	}
}

func (l *eventListeners) emitAttempt(ev EventName, address string, port, family int) {
	if l == nil {
		return
	}
	n := l.begin()
	defer l.end()
	for i := 0; ; {
		fn := l.next(ev, &i, n)
		if fn == nil {
			return
		}
		if f := fn.(ConnectionAttemptListener); f != nil {
			f(address, port, family)
		}
	}
}

func (l *eventListeners) emitAttemptFailed(address string, port, family int, err error) {
	if l == nil {
		return
	}
	n := l.begin()
	defer l.end()
	for i := 0; ; {
		fn := l.next(EventConnectionAttemptFailed, &i, n)
		if fn == nil {
			return
		}
		if f := fn.(ConnectionAttemptFailedListener); f != nil {
			f(address, port, family, err)
		}
	}
}

// listeners returns the socket's listener list, allocating it with the
// first listener. Loop goroutine only.
func (s *Socket) listeners() *eventListeners {
	l := s.events.Load()
	if l == nil {
		l = new(eventListeners)
		s.events.Store(l)
	}
	return l
}

// ev is the socket's listener list, nil before the first listener (every
// method of eventListeners but add accepts nil).
func (s *Socket) ev() *eventListeners { return s.events.Load() }
