package reactor

// Immediate is a callback queued with SetImmediate (Node's Immediate object).
type Immediate struct {
	fn      func()
	cleared bool
}

// SetImmediate queues fn to run after the current poll phase (Node's
// setImmediate): immediates set during the check phase run on the next
// iteration. A pending immediate keeps Run from returning.
func (l *Loop) SetImmediate(fn func()) *Immediate {
	im := &Immediate{fn: fn}
	if l.InLoop() {
		// Inline rather than through exec: its closure would be one more
		// heap object per immediate.
		l.immediates = append(l.immediates, queued{im: im})
		return im
	}
	l.exec(func() { l.immediates = append(l.immediates, queued{im: im}) })
	return im
}

// SetImmediateArg is SetImmediate for fn(arg), for handles that defer their
// own completions (a socket's 'close'): with fn a package-level function and
// arg a pointer it allocates nothing — no closure, no Immediate — and so
// cannot be cleared. From another goroutine it is posted to the loop and
// queued there (a closure: the allocation-free form is the loop's).
func (l *Loop) SetImmediateArg(fn func(any), arg any) {
	if !l.InLoop() {
		_ = l.Post(func() { l.immediates = append(l.immediates, queued{fa: fn, arg: arg}) })
		return
	}
	l.immediates = append(l.immediates, queued{fa: fn, arg: arg})
}

// ClearImmediate cancels im (Node's clearImmediate).
func (l *Loop) ClearImmediate(im *Immediate) {
	if im != nil {
		l.exec(func() { im.cleared = true })
	}
}

func (l *Loop) runImmediates() {
	if len(l.immediates) == 0 {
		return
	}
	batch := l.immediates
	l.immediates = l.spareImmediates[:0]
	for i, q := range batch {
		batch[i] = queued{}
		switch {
		case q.im == nil:
			l.callQueued(&q)
		case !q.im.cleared:
			q.im.cleared = true
			l.call(q.im.fn)
		}
	}
	l.spareImmediates = batch[:0]
}
