package emitter

// List is the listeners of one emitter whose events one goroutine adds,
// removes and emits (a socket's loop); Count may be called from any.
//
// Every event's listeners share one slice: a socket typically has two to
// four listeners, and a list per event would cost hundreds of bytes on
// every idle connection. Every method but Add accepts a nil *List, so an
// owner can allocate it with its first listener and pay a nil pointer
// until then.
//
// Emitting walks the entries present when it started (Node copies the
// array, so listeners added during an emit wait for the next one); a
// removal during an emit only marks the entry, with the emit it happened
// in, and the slice is compacted when the outermost emit ends, so
// emitting allocates nothing. Each emit has a sequence number: an entry
// removed at or after an emit's number was present when that emit started,
// so that emit still calls it (Node's copy does); one removed before it
// started is skipped.
type List[E ~uint8] struct {
	items    []entry[E]
	emitting int32  // emits in progress (they nest: a listener may emit)
	seq      uint32 // the number of the last emit started (wraps)
	dirty    bool   // some entry is dead: compact when no emit walks the slice
	live     counts
}

// entry is one listener; fn holds the event's func type (kept while dead,
// for the emits in progress, and cleared by compact).
type entry[E ~uint8] struct {
	id   uint64
	ev   E
	once bool
	dead bool
	// fired: a once-listener has run (or is running), so no emit calls it
	// again, even one that started before it was removed.
	fired bool
	// removedAt: List.seq when the entry died.
	removedAt uint32
	fn        any
}

// Add appends fn as a listener of ev. fn must not be nil (IsNil): the
// caller rejects that at its own call.
func (l *List[E]) Add(id uint64, ev E, fn any, once bool) {
	l.items = append(l.items, entry[E]{id: id, ev: ev, fn: fn, once: once})
	l.live.add(uint8(ev), 1)
}

// Remove removes the listener with the given id, whichever its event, and
// reports whether there was one (and its event).
func (l *List[E]) Remove(id uint64) (E, bool) {
	if l == nil {
		return 0, false
	}
	for i := range l.items {
		if e := &l.items[i]; e.id == id && !e.dead {
			ev := e.ev
			l.retire(i)
			l.compact()
			return ev, true
		}
	}
	return 0, false
}

// RemoveAll removes every listener of ev.
func (l *List[E]) RemoveAll(ev E) {
	if l == nil {
		return
	}
	// Mark them all, then compact once: compacting as each goes would
	// shift the entries under this loop.
	for i := range l.items {
		if e := &l.items[i]; e.ev == ev && !e.dead {
			l.retire(i)
		}
	}
	l.compact()
}

// Count is the number of listeners of ev, from any goroutine: what the
// owner's goroutine has added and not removed.
func (l *List[E]) Count(ev E) int {
	if l == nil {
		return 0
	}
	return l.live.get(uint8(ev))
}

// retire marks entry i dead (compacted later) and uncounts it.
func (l *List[E]) retire(i int) {
	e := &l.items[i]
	e.dead = true
	e.removedAt = l.seq
	l.dirty = true
	l.live.add(uint8(e.ev), -1)
}

func (l *List[E]) compact() {
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

// begin starts an emit: it walks the first n entries, those present now,
// and calls those that die from now on (number seq) as well as the live.
func (l *List[E]) begin() (n int, seq uint32) {
	l.emitting++
	l.seq++
	return len(l.items), l.seq
}

// end ends an emit; the outermost one compacts what was removed meanwhile.
func (l *List[E]) end() {
	l.emitting--
	l.compact()
}

// next returns the fn of the next listener of ev at or after *i among the
// first n entries that emit seq calls, or nil when there is none: a live
// one, or one removed since the emit started (int32 of the difference:
// the numbers wrap), unless it is a once-listener that already ran. A
// once-listener is retired before it is returned (Node removes it before
// calling it).
func (l *List[E]) next(ev E, i *int, n int, seq uint32) any {
	for ; *i < n && *i < len(l.items); *i++ {
		e := &l.items[*i]
		if e.ev != ev || e.dead && (e.fired || int32(e.removedAt-seq) < 0) {
			continue
		}
		fn := e.fn
		if e.once {
			e.fired = true
			if !e.dead {
				l.retire(*i)
			}
		}
		*i++
		return fn
	}
	return nil
}

// Emit0 calls ev's func() listeners.
func Emit0[E ~uint8](l *List[E], ev E) {
	if l == nil {
		return
	}
	n, seq := l.begin()
	// Deferred: a panicking listener unwinds to the loop's recovery, and
	// the list must not stay marked as being emitted (it would never
	// compact again).
	defer l.end()
	for i := 0; ; {
		fn := l.next(ev, &i, n, seq)
		if fn == nil {
			return
		}
		if f, ok := fn.(func()); ok && f != nil {
			f()
		}
	}
}

// Emit1 calls ev's func(A) listeners with a: 'data', 'error', 'close'.
func Emit1[E ~uint8, A any](l *List[E], ev E, a A) {
	if l == nil {
		return
	}
	n, seq := l.begin()
	defer l.end()
	for i := 0; ; {
		fn := l.next(ev, &i, n, seq)
		if fn == nil {
			return
		}
		if f, ok := fn.(func(A)); ok && f != nil {
			f(a)
		}
	}
}

// Each hands ev's listeners of type F to call, for events whose listeners
// take several arguments or have a named func type; call returns false to
// stop the emit (the socket was destroyed by one of them, say). call does
// not escape, so a closure literal passed here lives on the caller's stack.
func Each[E ~uint8, F any](l *List[E], ev E, call func(F) bool) {
	if l == nil {
		return
	}
	n, seq := l.begin()
	defer l.end()
	for i := 0; ; {
		fn := l.next(ev, &i, n, seq)
		if fn == nil {
			return
		}
		if f, ok := fn.(F); ok && !call(f) {
			return
		}
	}
}
