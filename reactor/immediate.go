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
	l.exec(func() { l.immediates = append(l.immediates, im) })
	return im
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
	for i, im := range batch {
		batch[i] = nil
		if !im.cleared {
			im.cleared = true
			l.call(im.fn)
		}
	}
	l.spareImmediates = batch[:0]
}
