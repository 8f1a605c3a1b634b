package socket

import "testing"

// TestNilListenerOfAnyType: nilListener knows the listener types by a type
// switch; a nil function of a type it does not list (a new event's, added
// without updating the switch) is a non-nil interface and used to slip
// through as a live listener. The reflection fallback catches it.
func TestNilListenerOfAnyType(t *testing.T) {
	type futureListener func(a string, n int)
	var nilFuture futureListener
	cases := []struct {
		fn   any
		want bool
	}{
		{nil, true},
		{(func())(nil), true},
		{(LookupListener)(nil), true},
		{nilFuture, true},
		{futureListener(func(string, int) {}), false},
		{func() {}, false},
		{func([]byte) {}, false},
	}
	for i, c := range cases {
		if got := nilListener(c.fn); got != c.want {
			t.Errorf("case %d (%T): nilListener = %v, want %v", i, c.fn, got, c.want)
		}
	}
}
