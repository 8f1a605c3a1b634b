package nodenet

import "testing"

func TestKeventFiltersFor(t *testing.T) {
	// Expected values copied from x/sys/unix v0.50.0 zerrors_<goos>_amd64.go;
	// poller_bsd.go rechecks read/write against x/sys at startup on each BSD.
	tests := []struct {
		goos string
		want kqFilters
		ok   bool
	}{
		{"darwin", kqFilters{read: -1, write: -2, user: -10, hasUser: true}, true},
		{"ios", kqFilters{read: -1, write: -2, user: -10, hasUser: true}, true},
		{"freebsd", kqFilters{read: -1, write: -2, user: -11, hasUser: true}, true},
		{"dragonfly", kqFilters{read: -1, write: -2, user: -9, hasUser: true}, true},
		{"openbsd", kqFilters{read: -1, write: -2}, true},
		{"netbsd", kqFilters{read: 0, write: 1}, true},
		{"linux", kqFilters{}, false},
		{"windows", kqFilters{}, false},
	}
	for _, tt := range tests {
		got, ok := kqFiltersFor(tt.goos)
		if got != tt.want || ok != tt.ok {
			t.Errorf("kqFiltersFor(%q) = %+v, %v; want %+v, %v", tt.goos, got, ok, tt.want, tt.ok)
		}
	}
}

func TestKeventToEvent(t *testing.T) {
	const (
		fd        = 7
		wakeFD    = 3
		econnrefd = 61 // ECONNREFUSED on the BSDs; any nonzero so_error will do
	)
	type kev struct {
		filter int32
		flags  uint32
		fflags uint32
		data   int64
		ident  uint64
	}
	tests := []struct {
		name   string
		goos   string
		wake   uint64 // wakeIdent passed in
		in     kev
		want   Events
		wantOK bool
	}{
		{"read", "freebsd", noWakeIdent, kev{-1, 0, 0, 5, fd}, EventRead, true},
		{"write", "freebsd", noWakeIdent, kev{-2, 0, 0, 4096, fd}, EventWrite, true},
		{"read EOF is hang-up", "darwin", noWakeIdent, kev{-1, kqEVEOF, 0, 3, fd}, EventRead | EventHup, true},
		{"read EOF with so_error", "darwin", noWakeIdent, kev{-1, kqEVEOF, econnrefd, 0, fd}, EventRead | EventHup | EventErr, true},
		{"refused connect on write filter", "darwin", noWakeIdent, kev{-2, kqEVEOF, econnrefd, 0, fd}, EventWrite | EventHup | EventErr, true},
		{"write EOF", "openbsd", noWakeIdent, kev{-2, kqEVEOF, 0, 0, fd}, EventWrite | EventHup, true},
		{"EV_ERROR drops readiness", "freebsd", noWakeIdent, kev{-1, kqEVError, 0, 9, fd}, EventErr, true},
		{"EV_ERROR with EOF", "freebsd", noWakeIdent, kev{-2, kqEVError | kqEVEOF, 0, 32, fd}, EventErr, true},
		{"EV_RECEIPT ack not reported", "freebsd", noWakeIdent, kev{-1, kqEVError, 0, 0, fd}, 0, false},
		{"other flags ignored", "dragonfly", noWakeIdent, kev{-1, kqEVAdd | kqEVEnable, 0, 1, fd}, EventRead, true},
		{"EVFILT_USER wakeup darwin", "darwin", noWakeIdent, kev{-10, kqEVClear, kqNoteTrigger, 0, 0x6e6e7774}, 0, false},
		{"EVFILT_USER wakeup freebsd", "freebsd", noWakeIdent, kev{-11, kqEVClear, 0, 0, 0x6e6e7774}, 0, false},
		{"EVFILT_USER wakeup dragonfly", "dragonfly", noWakeIdent, kev{-9, kqEVClear, 0, 0, 0x6e6e7774}, 0, false},
		{"unregistered filter", "freebsd", noWakeIdent, kev{-4 /* EVFILT_VNODE */, 0, 0, 0, fd}, 0, false},
		{"wake pipe openbsd", "openbsd", wakeFD, kev{-1, 0, 0, 1, wakeFD}, 0, false},
		{"fd equal to wake ident on write filter", "openbsd", wakeFD, kev{-2, 0, 0, 1, wakeFD}, EventWrite, true},
		{"other fd with wake pipe", "openbsd", wakeFD, kev{-1, 0, 0, 1, fd}, EventRead, true},
		{"fd 0 is not the wakeup", "freebsd", noWakeIdent, kev{-1, 0, 0, 1, 0}, EventRead, true},
		{"large fd", "freebsd", noWakeIdent, kev{-1, 0, 0, 1, 1 << 20}, EventRead, true},

		// NetBSD numbers filters from 0: EVFILT_READ=0, EVFILT_WRITE=1.
		{"netbsd read", "netbsd", noWakeIdent, kev{0, 0, 0, 1, fd}, EventRead, true},
		{"netbsd write", "netbsd", noWakeIdent, kev{1, 0, 0, 1, fd}, EventWrite, true},
		{"netbsd read EOF", "netbsd", noWakeIdent, kev{0, kqEVEOF, 0, 0, fd}, EventRead | EventHup, true},
		{"netbsd -1 is not read", "netbsd", noWakeIdent, kev{-1, 0, 0, 1, fd}, 0, false},
		{"netbsd wake pipe", "netbsd", wakeFD, kev{0, 0, 0, 1, wakeFD}, 0, false},
		{"common numbering: 0 is not read", "freebsd", noWakeIdent, kev{0, 0, 0, 1, fd}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := kqFiltersFor(tt.goos)
			if !ok {
				t.Fatalf("no filters for %s", tt.goos)
			}
			in := tt.in
			ev, ok := keventToEvent(f, in.filter, in.flags, in.fflags, in.data, in.ident, tt.wake)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v (event %+v)", ok, tt.wantOK, ev)
			}
			if !ok {
				return
			}
			if ev.Events != tt.want {
				t.Errorf("events = %v, want %v", ev.Events, tt.want)
			}
			if ev.FD != FD(in.ident) {
				t.Errorf("fd = %v, want %v", ev.FD, in.ident)
			}
		})
	}
}
