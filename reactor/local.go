package reactor

// Local returns the loop-local value stored under key, creating it with mk on
// first use. Upper layers keep per-loop state here — the write queue's chunk
// pool, for one — without the reactor knowing their types. Loop goroutine
// only (or before the loop runs).
func (l *Loop) Local(key any, mk func() any) any {
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
