//go:build unix

package reactor

import "github.com/nodenet/nodenet"

type handlerEntry struct {
	h        Handler
	interest nodenet.Events // what the poller has
	want     nodenet.Events // what SetInterest asked for (applied before the next wait)
	dirty    bool           // queued in Loop.dirty
}

// handlerTable maps descriptors to handlers. Unix descriptors are small dense
// integers, so a slice indexed by fd gives a lookup per event with no hashing
// and keeps no Go pointer in kernel memory (the epoll data is the fd itself).
type handlerTable struct {
	entries []handlerEntry
}

func (t *handlerTable) get(fd nodenet.FD) *handlerEntry {
	if fd < 0 || fd >= len(t.entries) {
		return nil
	}
	e := &t.entries[fd]
	if e.h == nil {
		return nil
	}
	return e
}

func (t *handlerTable) set(fd nodenet.FD, h Handler, interest nodenet.Events) {
	if fd >= len(t.entries) {
		n := 2 * len(t.entries)
		if n < 64 {
			n = 64
		}
		for n <= fd {
			n *= 2
		}
		grown := make([]handlerEntry, n)
		copy(grown, t.entries)
		t.entries = grown
	}
	t.entries[fd] = handlerEntry{h: h, interest: interest, want: interest}
}

func (t *handlerTable) del(fd nodenet.FD) {
	if fd >= 0 && fd < len(t.entries) {
		t.entries[fd] = handlerEntry{}
	}
}

func (t *handlerTable) all() []Handler {
	var hs []Handler
	for i := range t.entries {
		if t.entries[i].h != nil {
			hs = append(hs, t.entries[i].h)
		}
	}
	return hs
}

func (t *handlerTable) fds() []nodenet.FD {
	var fds []nodenet.FD
	for i := range t.entries {
		if t.entries[i].h != nil {
			fds = append(fds, i)
		}
	}
	return fds
}
