package emitter

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type ev uint8

const (
	evA ev = iota
	evB
)

// store is what a test does to an emitter, so every rule is checked on
// both List and Shared.
type store interface {
	add(ev ev, fn func(), once bool) uint64
	remove(id uint64) bool
	removeAll(ev ev)
	count(ev ev) int
	emit(ev ev)
}

type listStore struct{ l List[ev] }

func (s *listStore) add(e ev, fn func(), once bool) uint64 {
	id := NewID()
	s.l.Add(id, e, fn, once)
	return id
}
func (s *listStore) remove(id uint64) bool { _, ok := s.l.Remove(id); return ok }
func (s *listStore) removeAll(e ev)        { s.l.RemoveAll(e) }
func (s *listStore) count(e ev) int        { return s.l.Count(e) }
func (s *listStore) emit(e ev)             { Emit0(&s.l, e) }

type sharedStore struct{ s Shared[ev] }

func (s *sharedStore) add(e ev, fn func(), once bool) uint64 {
	id := NewID()
	s.s.Add(id, e, fn, once)
	return id
}
func (s *sharedStore) remove(id uint64) bool { _, ok := s.s.Remove(id); return ok }
func (s *sharedStore) removeAll(e ev)        { s.s.RemoveAll(e) }
func (s *sharedStore) count(e ev) int        { return s.s.Count(e) }
func (s *sharedStore) emit(e ev) {
	EachShared(&s.s, e, func(f func()) bool { f(); return true })
}

var stores = []struct {
	name string
	make func() store
}{
	{"List", func() store { return new(listStore) }},
	{"Shared", func() store { return new(sharedStore) }},
}

// TestRules: Node's EventEmitter rules (the package comment), on both
// stores. Each case builds listeners that log what runs; want is the log
// after the emits, then the counts of evA and evB.
func TestRules(t *testing.T) {
	cases := []struct {
		name  string
		setup func(s store, log func(string))
		emits []ev
		want  string
		count [2]int
	}{
		{
			name: "order of registration, events apart",
			setup: func(s store, log func(string)) {
				s.add(evA, func() { log("a1") }, false)
				s.add(evB, func() { log("b1") }, false)
				s.add(evA, func() { log("a2") }, false)
			},
			emits: []ev{evA, evB},
			want:  "a1 a2 b1", count: [2]int{2, 1},
		},
		{
			name: "once fires once",
			setup: func(s store, log func(string)) {
				s.add(evA, func() { log("once") }, true)
				s.add(evA, func() { log("on") }, false)
			},
			emits: []ev{evA, evA, evA},
			want:  "once on on on", count: [2]int{1, 0},
		},
		{
			name: "once is removed before it runs",
			setup: func(s store, log func(string)) {
				s.add(evA, func() { log(fmt.Sprint("count=", s.count(evA))) }, true)
			},
			emits: []ev{evA},
			want:  "count=0",
		},
		{
			name: "a once-listener that re-emits runs once",
			setup: func(s store, log func(string)) {
				s.add(evA, func() { log("once"); s.emit(evA) }, true)
				s.add(evA, func() { log("on") }, false)
			},
			emits: []ev{evA},
			// the inner emit runs "on", then the outer one does
			want: "once on on", count: [2]int{1, 0},
		},
		{
			name: "added during an emit waits for the next",
			setup: func(s store, log func(string)) {
				s.add(evA, func() {
					log("first")
					s.add(evA, func() { log("late") }, false)
				}, true)
			},
			emits: []ev{evA, evA},
			want:  "first late", count: [2]int{1, 0},
		},
		{
			name: "removed during an emit is still called by it",
			setup: func(s store, log func(string)) {
				var second uint64
				s.add(evA, func() { log("first"); s.remove(second) }, false)
				second = s.add(evA, func() { log("second") }, false)
				s.add(evA, func() { log("third") }, false)
			},
			emits: []ev{evA, evA},
			// Node emits over a copy of the array
			want: "first second third first third", count: [2]int{2, 0},
		},
		{
			name: "a once-listener removed during an emit still runs, once",
			setup: func(s store, log func(string)) {
				var second uint64
				s.add(evA, func() { log("first"); s.remove(second) }, false)
				second = s.add(evA, func() { log("once") }, true)
				s.add(evA, func() { log("third") }, false)
			},
			emits: []ev{evA, evA},
			want:  "first once third first third", count: [2]int{2, 0},
		},
		{
			name: "removed before a nested emit: the nested emit skips it, the outer calls it",
			setup: func(s store, log func(string)) {
				var third uint64
				done := false
				s.add(evA, func() {
					log("first")
					if !done {
						done = true
						s.remove(third)
						s.emit(evA)
					}
				}, false)
				s.add(evA, func() { log("second") }, false)
				third = s.add(evA, func() { log("third") }, false)
			},
			emits: []ev{evA, evA},
			want:  "first first second second third first second", count: [2]int{2, 0},
		},
		{
			name: "a once-listener a nested emit ran is not run by the outer one",
			setup: func(s store, log func(string)) {
				n := 0
				s.add(evA, func() {
					log("first")
					if n++; n == 1 {
						s.emit(evA)
					}
				}, false)
				s.add(evA, func() { log("once") }, true)
			},
			emits: []ev{evA},
			want:  "first first once", count: [2]int{1, 0},
		},
		{
			name: "a listener removes itself",
			setup: func(s store, log func(string)) {
				var self uint64
				self = s.add(evA, func() { log("self"); s.remove(self) }, false)
				s.add(evA, func() { log("other") }, false)
			},
			emits: []ev{evA, evA},
			want:  "self other other", count: [2]int{1, 0},
		},
		{
			name: "RemoveAll during an emit, of the event being emitted",
			setup: func(s store, log func(string)) {
				s.add(evA, func() { log("first"); s.removeAll(evA) }, false)
				s.add(evA, func() { log("second") }, false)
				s.add(evA, func() { log("once") }, true)
				s.add(evB, func() { log("b") }, false)
			},
			emits: []ev{evA, evA, evB},
			want:  "first second once b", count: [2]int{0, 1},
		},
		{
			name: "RemoveAll of several listeners",
			setup: func(s store, log func(string)) {
				for i := range 3 {
					s.add(evA, func() { log(fmt.Sprint("a", i)) }, i == 1)
				}
				s.add(evB, func() { log("b") }, false)
				s.removeAll(evA)
			},
			emits: []ev{evA, evB},
			want:  "b", count: [2]int{0, 1},
		},
		{
			name: "removing an unknown or removed id is a no-op",
			setup: func(s store, log func(string)) {
				id := s.add(evA, func() { log("a") }, false)
				if !s.remove(id) || s.remove(id) || s.remove(0) {
					log("remove answered wrong")
				}
				s.add(evA, func() { log("kept") }, false)
			},
			emits: []ev{evA},
			want:  "kept", count: [2]int{1, 0},
		},
	}
	for _, st := range stores {
		for _, c := range cases {
			t.Run(st.name+"/"+c.name, func(t *testing.T) {
				s := st.make()
				var got []string
				c.setup(s, func(x string) { got = append(got, x) })
				for _, e := range c.emits {
					s.emit(e)
				}
				if g := strings.Join(got, " "); g != c.want {
					t.Errorf("ran %q, want %q", g, c.want)
				}
				if a, b := s.count(evA), s.count(evB); a != c.count[0] || b != c.count[1] {
					t.Errorf("counts %d, %d; want %d, %d", a, b, c.count[0], c.count[1])
				}
			})
		}
	}
}

// TestPanicLeavesListUsable: a listener's panic unwinds through the emit
// (the loop recovers it); the list must still compact and emit after.
func TestPanicLeavesListUsable(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.make()
			var ran []string
			s.add(evA, func() { panic("listener") }, true)
			var b uint64
			b = s.add(evA, func() { ran = append(ran, "b") }, false)
			func() {
				defer func() { _ = recover() }()
				s.emit(evA)
			}()
			s.remove(b)
			s.add(evA, func() { ran = append(ran, "c") }, false)
			s.emit(evA)
			if got := strings.Join(ran, " "); got != "c" || s.count(evA) != 1 {
				t.Fatalf("after a panic: ran %q, count %d; want \"c\", 1", got, s.count(evA))
			}
			if ls, ok := s.(*listStore); ok && (ls.l.emitting != 0 || len(ls.l.items) != 1) {
				t.Fatalf("emitting %d, %d items; want 0, 1 (compacted)", ls.l.emitting, len(ls.l.items))
			}
		})
	}
}

// TestNilList: a List is allocated with its first listener; everything
// but Add accepts nil.
func TestNilList(t *testing.T) {
	var l *List[ev]
	Emit0(l, evA)
	Emit1(l, evA, 1)
	Each(l, evA, func(func(int, int)) bool { return true })
	l.RemoveAll(evA)
	if _, ok := l.Remove(1); ok || l.Count(evA) != 0 || l.Count(200) != 0 {
		t.Fatal("a nil List answered as if it had listeners")
	}
}

// TestEmitTypes: each emit form calls only the listeners of its type and
// event, with the arguments; Each stops when call answers false.
func TestEmitTypes(t *testing.T) {
	var l List[ev]
	var got []string
	l.Add(NewID(), evA, func(n int) { got = append(got, fmt.Sprint("int ", n)) }, false)
	l.Add(NewID(), evA, func(s string, n int) { got = append(got, fmt.Sprint("pair ", s, n)) }, false)
	l.Add(NewID(), evA, func(s string, n int) { got = append(got, "second pair") }, false)
	l.Add(NewID(), evB, func(n int) { got = append(got, "wrong event") }, false)
	Emit1(&l, evA, 7)
	Each(&l, evA, func(f func(string, int)) bool { f("x", 1); return false })
	var sh Shared[ev]
	sh.Add(NewID(), evA, func(s string, n int) { got = append(got, fmt.Sprint("shared ", s, n)) }, false)
	sh.Add(NewID(), evA, func(s string, n int) { got = append(got, "second shared") }, false)
	EachShared(&sh, evA, func(f func(string, int)) bool { f("y", 2); return false })
	if g := strings.Join(got, ", "); g != "int 7, pair x1, shared y2" {
		t.Fatalf("got %q", g)
	}
}

// TestEmitAllocatesNothing: emitting is on the socket's hot path ('data').
func TestEmitAllocatesNothing(t *testing.T) {
	var l List[ev]
	n := 0
	l.Add(NewID(), evA, func(b []byte) { n += len(b) }, false)
	l.Add(NewID(), evA, func(b []byte) { n += len(b) }, false)
	l.Add(NewID(), evB, func(s string, x int) { n += x }, false)
	buf := []byte("abc")
	var sh Shared[ev]
	sh.Add(NewID(), evB, func(s string, x int) { n += x }, false)
	for name, f := range map[string]func(){
		"Emit1":      func() { Emit1(&l, evA, buf) },
		"Each":       func() { Each(&l, evB, func(f func(string, int)) bool { f("", 2); return true }) },
		"EachShared": func() { EachShared(&sh, evB, func(f func(string, int)) bool { f("", 2); return true }) },
	} {
		if a := testing.AllocsPerRun(100, f); a != 0 {
			t.Errorf("%s: %v allocations per emit, want 0", name, a)
		}
	}
}

// TestSharedConcurrentOnce: emits racing on several goroutines run a
// once-listener exactly once, while others add, remove and count.
func TestSharedConcurrentOnce(t *testing.T) {
	var s Shared[ev]
	var once, every atomic.Int32
	s.Add(NewID(), evA, func() { once.Add(1) }, true)
	s.Add(NewID(), evA, func() { every.Add(1) }, false)
	const goroutines, emits = 4, 200
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range emits {
				EachShared(&s, evA, func(f func()) bool { f(); return true })
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range emits {
			id := NewID()
			s.Add(id, evB, func() {}, false)
			if c := s.Count(evA); c < 1 || c > 2 {
				t.Errorf("Count(evA) = %d during emits, want 1 or 2", c)
			}
			s.Remove(id)
		}
	}()
	wg.Wait()
	if once.Load() != 1 || every.Load() != goroutines*emits {
		t.Fatalf("once ran %d times, every %d; want 1, %d", once.Load(), every.Load(), goroutines*emits)
	}
	if s.Count(evA) != 1 || s.Count(evB) != 0 || len(s.load()) != 1 {
		t.Fatalf("counts %d, %d, %d entries; want 1, 0, 1", s.Count(evA), s.Count(evB), len(s.load()))
	}
}

// TestIsNil: a nil function of any type is nil in an interface too.
func TestIsNil(t *testing.T) {
	type named func(a string, n int)
	var nilNamed named
	cases := []struct {
		fn   any
		want bool
	}{
		{nil, true},
		{(func())(nil), true},
		{nilNamed, true},
		{named(func(string, int) {}), false},
		{func() {}, false},
		{func([]byte) {}, false},
	}
	for _, c := range cases {
		if got := IsNil(c.fn); got != c.want {
			t.Errorf("IsNil(%v %T) = %v, want %v", reflect.ValueOf(c.fn), c.fn, got, c.want)
		}
	}
}
