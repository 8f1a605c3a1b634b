package emitter

import (
	"sync"
	"sync/atomic"
)

// Shared is the listeners of one emitter whose events any goroutine may
// add, remove and emit: a server's (its On methods are callable from any
// goroutine, and a Group server emits 'connection' on every loop of the
// Group at once) and a TLSSocket's. The zero value is ready.
//
// Changes copy the list under a lock and publish the copy; an emit loads
// the published list and walks it without a lock and without allocating.
// So an emit calls the listeners present when it started (Node's copy), on
// every goroutine, including those removed while it runs; an emit that
// starts after a removal loads a list without the entry. A once-listener
// is claimed by the emit that flips its fired flag first, so among
// concurrent or nested emits exactly one runs it.
type Shared[E ~uint8] struct {
	mu   sync.Mutex // serialises changes; emits do not take it
	list atomic.Pointer[[]*sharedEntry[E]]
	live counts
}

type sharedEntry[E ~uint8] struct {
	id   uint64
	ev   E
	once bool
	fn   any
	// gone: removed, or (a once-listener) claimed by an emit. Whoever
	// flips it uncounts the entry and republishes the list without it.
	gone atomic.Bool
	// fired: a once-listener was claimed by an emit (Node's
	// onceWrapper.fired); removal does not set it, so an emit in progress
	// still runs a once-listener removed by id before it reached it.
	fired atomic.Bool
}

// Add appends fn as a listener of ev. fn must not be nil (IsNil).
func (s *Shared[E]) Add(id uint64, ev E, fn any, once bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.load()
	list := make([]*sharedEntry[E], len(old), len(old)+1)
	copy(list, old)
	list = append(list, &sharedEntry[E]{id: id, ev: ev, once: once, fn: fn})
	s.live.add(uint8(ev), 1)
	s.list.Store(&list)
}

// Remove removes the listener with the given id and reports whether there
// was one (and its event).
func (s *Shared[E]) Remove(id uint64) (E, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.load() {
		if e.id == id && e.gone.CompareAndSwap(false, true) {
			s.dropLocked(e)
			return e.ev, true
		}
	}
	return 0, false
}

// RemoveAll removes every listener of ev.
func (s *Shared[E]) RemoveAll(ev E) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.load() {
		if e.ev == ev && e.gone.CompareAndSwap(false, true) {
			s.live.add(uint8(ev), -1)
		}
	}
	s.publishLocked()
}

// Count is the number of listeners of ev; exact at once from any goroutine.
func (s *Shared[E]) Count(ev E) int { return s.live.get(uint8(ev)) }

func (s *Shared[E]) load() []*sharedEntry[E] {
	if p := s.list.Load(); p != nil {
		return *p
	}
	return nil
}

// dropLocked uncounts an entry whose gone flag the caller flipped and
// publishes the list without it.
func (s *Shared[E]) dropLocked(e *sharedEntry[E]) {
	s.live.add(uint8(e.ev), -1)
	s.publishLocked()
}

func (s *Shared[E]) publishLocked() {
	old := s.load()
	list := make([]*sharedEntry[E], 0, len(old))
	for _, e := range old {
		if !e.gone.Load() {
			list = append(list, e)
		}
	}
	s.list.Store(&list)
}

// claim reports whether this emit may call e, which was in the list when
// it started: always, unless e is a once-listener another emit has
// claimed. Claiming a once-listener also removes it, unless it was removed
// already.
func (s *Shared[E]) claim(e *sharedEntry[E]) bool {
	if !e.once {
		return true
	}
	if !e.fired.CompareAndSwap(false, true) {
		return false
	}
	if e.gone.CompareAndSwap(false, true) {
		s.mu.Lock()
		s.dropLocked(e)
		s.mu.Unlock()
	}
	return true
}

// EachShared hands ev's listeners of type F to call, in order, and
// returns how many it handed over; call returns false to stop the emit.
// Any goroutine. call does not escape. The count is what tells an 'error'
// with no listener: a Count taken before the emit could be stale by the
// time it runs.
func EachShared[E ~uint8, F any](s *Shared[E], ev E, call func(F) bool) (called int) {
	for _, e := range s.load() {
		if e.ev != ev || !s.claim(e) {
			continue
		}
		if f, ok := e.fn.(F); ok {
			called++
			if !call(f) {
				return called
			}
		}
	}
	return called
}
