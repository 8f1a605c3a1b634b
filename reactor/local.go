package reactor

// Local returns the loop-local value stored under key, creating it with mk on
// first use. Upper layers keep per-loop state here — the write queue's chunk
// pool, for one — without the reactor knowing their types. Loop goroutine
// only: another goroutine gets nil and mk is not called (the values are the
// loop's own, used without a lock). A value that is an io.Closer is
// closed when the loop is stopped.
func (l *Loop) Local(key any, mk func() any) any {
	if !l.InLoop() {
		return nil
	}
	if v, ok := l.locals[key]; ok {
		return v
	}
	if l.locals == nil {
		l.locals = make(map[any]any)
	}
	v := mk()
	l.locals[key] = v
	return v
}

// RefHold is one handle's claim on its loop's liveness: Set keeps exactly one
// Ref on l while want is true and drops it when want turns false, however
// often it is called. Handles call it whenever their state changes (Node's
// ref/unref and libuv's "an active handle keeps the process alive": a
// listening server, a socket that is connecting, reading or writing).
// Loop goroutine only (Set does nothing elsewhere).
type RefHold struct{ held bool }

// Set takes or releases the hold to match want.
func (h *RefHold) Set(l *Loop, want bool) {
	if !l.InLoop() {
		return
	}
	switch {
	case want && !h.held:
		l.Ref()
		h.held = true
	case !want && h.held:
		l.Unref()
		h.held = false
	}
}
