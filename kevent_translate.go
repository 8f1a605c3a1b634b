package nodenet

// This file has no build constraint on purpose: the translation from a kevent
// to an Event is the part of the kqueue poller most worth testing, and CI runs
// on Linux, where package unix has no kqueue constants. So the numbers kqueue
// uses are written out here; poller_bsd.go checks them against x/sys/unix at
// compile time on every BSD, so a drift fails the build there rather than
// silently misreporting readiness.

// kqueue flag bits. They have the same values on macOS, FreeBSD, NetBSD,
// OpenBSD and DragonFly (checked against x/sys/unix zerrors_*.go).
const (
	kqEVAdd       = 0x1
	kqEVDelete    = 0x2
	kqEVEnable    = 0x4
	kqEVClear     = 0x20
	kqEVError     = 0x4000
	kqEVEOF       = 0x8000
	kqNoteTrigger = 0x01000000 // only meaningful where EVFILT_USER exists
)

// kqFilters holds a system's filter numbers. They are not uniform: NetBSD
// numbers its filters from 0 (EVFILT_READ=0, EVFILT_WRITE=1) where every other
// BSD and macOS counts down from -1, so the translation takes them as data
// instead of baking one numbering in.
type kqFilters struct {
	read, write int32
	// user is EVFILT_USER, valid only if hasUser. OpenBSD has no EVFILT_USER,
	// and NetBSD got it only in 10.0 (x/sys/unix does not define it), so those
	// two wake through a pipe instead.
	user    int32
	hasUser bool
}

// kqFiltersFor returns the filter numbers of goos (a runtime.GOOS value), and
// false for a system without kqueue.
func kqFiltersFor(goos string) (kqFilters, bool) {
	switch goos {
	case "darwin", "ios":
		return kqFilters{read: -1, write: -2, user: -10, hasUser: true}, true
	case "freebsd":
		return kqFilters{read: -1, write: -2, user: -11, hasUser: true}, true
	case "dragonfly":
		return kqFilters{read: -1, write: -2, user: -9, hasUser: true}, true
	case "openbsd":
		return kqFilters{read: -1, write: -2}, true
	case "netbsd":
		return kqFilters{read: 0, write: 1}, true
	}
	return kqFilters{}, false
}

// noWakeIdent is passed as keventToEvent's wakeIdent when wakeups do not
// arrive on a descriptor (EVFILT_USER). Idents are descriptors, which never
// reach this value, and a 32-bit kernel's ident widened to 64 bits cannot
// either.
const noWakeIdent = ^uint64(0)

// keventToEvent turns one kevent returned by the kernel into an Event. ok is
// false when the kevent must not reach the reactor: the wakeup (an EVFILT_READ
// on the wake pipe, ident wakeIdent; EVFILT_USER is never a read or write
// filter so it falls out too), a filter the poller never registers, or an
// EV_ERROR receipt with no error in it.
//
// The arguments are the kevent fields widened to one type for every system,
// since x/sys/unix's Kevent_t differs per GOOS (Filter is uint32 and Flags
// uint32 on NetBSD, Ident is 32 bits on 32-bit systems).
func keventToEvent(f kqFilters, filter int32, flags, fflags uint32, data int64, ident, wakeIdent uint64) (Event, bool) {
	var ev Events
	switch filter {
	case f.read:
		if ident == wakeIdent {
			return Event{}, false
		}
		ev = EventRead
	case f.write:
		ev = EventWrite
	default:
		return Event{}, false
	}
	if flags&kqEVError != 0 {
		// A changelist entry that failed is reported in place of readiness,
		// with the errno in data. Data 0 is an EV_RECEIPT acknowledgement, not
		// a failure. The readiness bit is dropped because the filter is not
		// known to be in place; the handler learns what happened from the
		// operation it retries or from SO_ERROR.
		if data == 0 {
			return Event{}, false
		}
		return Event{FD: FD(ident), Events: EventErr}, true
	}
	if flags&kqEVEOF != 0 {
		// EV_EOF is kqueue's hang-up: the peer shut down its side (read
		// filter) or the connection can no longer send (write filter). The
		// read or write bit stays set so a handler still drains data that
		// arrived before the FIN. For sockets fflags carries so_error, which
		// is how a refused or reset connection shows up.
		ev |= EventHup
		if fflags != 0 {
			ev |= EventErr
		}
	}
	return Event{FD: FD(ident), Events: ev}, true
}
