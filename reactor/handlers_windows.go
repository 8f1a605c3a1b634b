//go:build windows

package reactor

import "github.com/nodenet/nodenet"

type handlerEntry struct {
	h        Handler
	interest nodenet.Events // what the poller has
	want     nodenet.Events // what SetInterest asked for (applied before the next wait)
	dirty    bool           // queued in Loop.dirty
}

// handlerTable maps socket handles to handlers. Windows handles are sparse
// values, so a map rather than the dense slice Unix uses.
type handlerTable struct {
	entries map[nodenet.FD]*handlerEntry
}

func (t *handlerTable) get(fd nodenet.FD) *handlerEntry { return t.entries[fd] }

func (t *handlerTable) set(fd nodenet.FD, h Handler, interest nodenet.Events) {
	if t.entries == nil {
		t.entries = make(map[nodenet.FD]*handlerEntry)
	}
	t.entries[fd] = &handlerEntry{h: h, interest: interest, want: interest}
}

func (t *handlerTable) del(fd nodenet.FD) { delete(t.entries, fd) }

func (t *handlerTable) all() []Handler {
	hs := make([]Handler, 0, len(t.entries))
	for _, e := range t.entries {
		hs = append(hs, e.h)
	}
	return hs
}

func (t *handlerTable) fds() []nodenet.FD {
	fds := make([]nodenet.FD, 0, len(t.entries))
	for fd := range t.entries {
		fds = append(fds, fd)
	}
	return fds
}
