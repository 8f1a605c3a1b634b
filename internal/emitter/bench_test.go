package emitter

import "testing"

// BenchmarkEmit1: what a socket's 'data' emit costs in the emitter alone:
// a list of four listeners over three events (a typical socket's), one
// emit of the event with one listener per op.
func BenchmarkEmit1(b *testing.B) {
	var l List[ev]
	n := 0
	l.Add(NewID(), evB, func(bool) {}, false)
	l.Add(NewID(), evA, func(p []byte) { n += len(p) }, false)
	l.Add(NewID(), evB+1, func() {}, false)
	l.Add(NewID(), evB, func(bool) {}, true)
	p := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		Emit1(&l, evA, p)
	}
	if n == 0 {
		b.Fatal("no emit")
	}
}
