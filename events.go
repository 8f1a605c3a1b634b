package nodenet

// Events is a set of readiness conditions reported by a Poller, and the set of
// conditions a descriptor is registered for (only EventRead and EventWrite are
// meaningful as interest).
type Events uint32

const (
	// EventRead: the descriptor can be read (or accepted from) without blocking.
	EventRead Events = 1 << iota
	// EventWrite: the descriptor can be written (or a nonblocking connect finished).
	EventWrite
	// EventHup: the peer closed its side (EPOLLRDHUP/EPOLLHUP, EV_EOF, AFD disconnect/abort).
	// A handler still reads until EOF to collect data that arrived before the hang-up.
	EventHup
	// EventErr: an error is pending on the descriptor; SO_ERROR (or the failed
	// operation) tells which.
	EventErr
)

// Event is one readiness report: which descriptor, and what it is ready for.
type Event struct {
	FD     FD
	Events Events
}

// Has reports whether every condition in x is set in e.
func (e Events) Has(x Events) bool { return e&x == x }

// String returns a compact form such as "R|W|HUP" for logs and test failures.
func (e Events) String() string {
	if e == 0 {
		return "0"
	}
	s := ""
	add := func(bit Events, name string) {
		if e&bit != 0 {
			if s != "" {
				s += "|"
			}
			s += name
		}
	}
	add(EventRead, "R")
	add(EventWrite, "W")
	add(EventHup, "HUP")
	add(EventErr, "ERR")
	return s
}
