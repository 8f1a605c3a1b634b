package socket

import "sync/atomic"

// ListenerID identifies a listener added with one of the On or Once methods,
// for RemoveListener (Go functions cannot be compared, so Node's
// removeListener(event, fn) takes the id instead).
type ListenerID uint64

var listenerSeq atomic.Uint64

type listener[F any] struct {
	id   ListenerID
	fn   F
	once bool
	dead bool
}

// listeners is one event's listener list. Emitting iterates by index over
// the length at the start, so listeners added during an emit wait for the
// next one (Node copies the array); removals during an emit only mark the
// entry and the list is compacted afterwards, so the common case — one data
// listener, emitted per read — allocates nothing.
type listeners[F any] struct {
	items    []listener[F]
	emitting int
	dirty    bool
}

func newListenerID() ListenerID { return ListenerID(listenerSeq.Add(1)) }

func (l *listeners[F]) add(id ListenerID, fn F, once bool) {
	l.items = append(l.items, listener[F]{id: id, fn: fn, once: once})
}

func (l *listeners[F]) remove(id ListenerID) bool {
	for i := range l.items {
		if l.items[i].id == id && !l.items[i].dead {
			l.items[i].dead = true
			l.dirty = true
			l.compact()
			return true
		}
	}
	return false
}

func (l *listeners[F]) removeAll() {
	for i := range l.items {
		l.items[i].dead = true
	}
	l.dirty = true
	l.compact()
}

func (l *listeners[F]) count() int {
	n := 0
	for i := range l.items {
		if !l.items[i].dead {
			n++
		}
	}
	return n
}

// next returns the i-th live listener for an emit over the first n entries,
// retiring once-listeners before they run (Node removes them first, so a
// once-listener that re-emits is not called twice).
func (l *listeners[F]) next(i, n int) (F, bool) {
	var zero F
	if i >= n || i >= len(l.items) {
		return zero, false
	}
	e := &l.items[i]
	if e.dead {
		return zero, true
	}
	fn := e.fn
	if e.once {
		e.dead = true
		l.dirty = true
	}
	return fn, true
}

func (l *listeners[F]) begin() int { l.emitting++; return len(l.items) }

func (l *listeners[F]) end() {
	l.emitting--
	l.compact()
}

func (l *listeners[F]) compact() {
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

func emit0(l *listeners[func()]) {
	n := l.begin()
	defer l.end()
	for i := 0; ; i++ {
		fn, ok := l.next(i, n)
		if !ok {
			return
		}
		if fn != nil {
			fn()
		}
	}
}

func emitBytes(l *listeners[func([]byte)], b []byte) {
	n := l.begin()
	defer l.end()
	for i := 0; ; i++ {
		fn, ok := l.next(i, n)
		if !ok {
			return
		}
		if fn != nil {
			fn(b)
		}
	}
}

func emitErr(l *listeners[func(error)], err error) {
	n := l.begin()
	defer l.end()
	for i := 0; ; i++ {
		fn, ok := l.next(i, n)
		if !ok {
			return
		}
		if fn != nil {
			fn(err)
		}
	}
}

func emitBool(l *listeners[func(bool)], v bool) {
	n := l.begin()
	defer l.end()
	for i := 0; ; i++ {
		fn, ok := l.next(i, n)
		if !ok {
			return
		}
		if fn != nil {
			fn(v)
		}
	}
}

func emitLookup(l *listeners[LookupListener], err error, address string, family int, host string) {
	n := l.begin()
	defer l.end()
	for i := 0; ; i++ {
		fn, ok := l.next(i, n)
		if !ok {
			return
		}
		if fn != nil {
			fn(err, address, family, host)
		}
	}
}

// LookupListener receives Node's 'lookup' event: the resolver's error (nil on
// success), the address and family (4 or 6) it answered, and the host name.
type LookupListener func(err error, address string, family int, host string)

// Event names a Socket event, for RemoveAllListeners and ListenerCount.
type Event int

// The events of a net.Socket.
const (
	EventConnect Event = iota
	EventReady
	EventLookup
	EventData
	EventEnd
	EventFinish
	EventDrain
	EventError
	EventTimeout
	EventClose
)
