//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package nodenet

import (
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// The flag values of kevent_translate.go are written out so the translation can
// be tested on Linux; these fail to compile (constant index out of range) on
// any system where x/sys/unix disagrees with them.
var (
	_ = [1]struct{}{}[unix.EV_ADD-kqEVAdd]
	_ = [1]struct{}{}[unix.EV_DELETE-kqEVDelete]
	_ = [1]struct{}{}[unix.EV_ENABLE-kqEVEnable]
	_ = [1]struct{}{}[unix.EV_CLEAR-kqEVClear]
	_ = [1]struct{}{}[unix.EV_ERROR-kqEVError]
	_ = [1]struct{}{}[unix.EV_EOF-kqEVEOF]
)

const (
	// kqUserIdent names the EVFILT_USER wakeup event. Any value works (user
	// events have their own ident space); this one fits a 32-bit int, which
	// unix.SetKevent takes.
	kqUserIdent = 0x6e6e7774

	// kqMaxTimeout caps one kevent sleep: macOS fails with EINVAL when the
	// timeout is too long (the Go runtime uses the same cap). A capped Wait
	// simply returns no events early, which the contract allows.
	kqMaxTimeout = 1e6 * time.Second

	// regAdded marks an fd as registered in Poller.regs; the low bits hold its
	// interest (EventRead, EventWrite). Registration and interest are kept
	// apart because kqueue has nothing to register for an interest of 0, yet
	// Add(fd, 0) must still make Modify legal.
	regAdded    = 0x4
	regInterest = uint8(EventRead | EventWrite)
)

// Poller is the kqueue readiness poller of macOS and the BSDs.
//
// Filters are level-triggered (no EV_CLEAR). With edge triggering a reader must
// drain the socket until EAGAIN or lose the edge, which costs one extra read
// syscall per message in request/response traffic; level triggering lets the
// reactor read once per wakeup with a budget, so one busy connection cannot
// starve the others, and come back on the next Wait if more is pending. The
// reactor avoids the usual cost of level triggering (a writable idle socket
// reported on every Wait) by holding write interest only while it has queued
// data.
//
// kqueue keeps one filter per (fd, direction), not one mask per fd as epoll
// does, so the Poller remembers each fd's interest and Modify submits only the
// filters that change, usually a single kevent.
//
// kqueue reports a peer's FIN (EV_EOF) on the read filter only, so a paused
// reader (read interest off) is not woken by a half-close; it sees read plus
// hang-up once it asks to read again.
type Poller struct {
	kq   int
	filt kqFilters

	// The wake pipe, where there is no EVFILT_USER (OpenBSD, NetBSD): -1
	// otherwise. wakeIdent is wakeR as a kevent ident, or noWakeIdent.
	wakeR, wakeW int
	wakeIdent    uint64
	// trigger is Wake's changelist for EVFILT_USER. Set once by NewPoller and
	// only read after, so concurrent Wakes can share it without a lock.
	trigger [1]unix.Kevent_t

	// Used only on the polling goroutine. Preallocated so Add, Modify,
	// Delete and Wait do not allocate.
	changes [2]unix.Kevent_t
	kevents []unix.Kevent_t
	events  []Event // backing array of the next batch
	ready   []Event // batch returned by the last Wait, for Delete to invalidate
	regs    []uint8 // per fd: regAdded | interest
	ts      unix.Timespec
	drain   [64]byte
	closed  bool
}

// NewPoller creates a kqueue (close-on-exec) and installs its wakeup: an
// EVFILT_USER event on macOS, FreeBSD and DragonFly, a nonblocking pipe on
// OpenBSD (which has no EVFILT_USER) and NetBSD (which gained it only in 10.0,
// and x/sys/unix does not define it).
func NewPoller() (*Poller, error) {
	filt, ok := kqFiltersFor(runtime.GOOS)
	if !ok || filt.read != unix.EVFILT_READ || filt.write != unix.EVFILT_WRITE {
		// kevent_translate.go's table disagrees with x/sys/unix: refuse to
		// run rather than misreport readiness.
		return nil, NewSyscallError("kqueue", unix.ENOSYS)
	}
	kq, err := unix.Kqueue()
	if err != nil {
		return nil, NewSyscallError("kqueue", err)
	}
	// kqueue(2) takes no flags; kqueue1 with O_CLOEXEC is not on every
	// system. The fd must still not leak into children across exec.
	unix.CloseOnExec(kq)
	p := &Poller{
		kq:        kq,
		filt:      filt,
		wakeR:     -1,
		wakeW:     -1,
		wakeIdent: noWakeIdent,
		kevents:   make([]unix.Kevent_t, initialEventBatch),
		events:    make([]Event, 0, initialEventBatch),
	}
	if filt.hasUser {
		// EV_CLEAR makes the kernel reset the event as it reports it, so a
		// wakeup is consumed by the Wait that sees it with no extra syscall.
		unix.SetKevent(&p.changes[0], kqUserIdent, int(filt.user), unix.EV_ADD|unix.EV_CLEAR)
		if err := p.submit(p.changes[:1]); err != nil {
			p.Close()
			return nil, NewSyscallError("kevent", err)
		}
		unix.SetKevent(&p.trigger[0], kqUserIdent, int(filt.user), 0)
		p.trigger[0].Fflags = kqNoteTrigger
		return p, nil
	}
	// Pipe2 would set both flags atomically, but macOS lacks it and this file
	// builds there too; the window only matters to a concurrent fork.
	var fds [2]int
	if err := unix.Pipe(fds[:]); err != nil {
		p.Close()
		return nil, NewSyscallError("pipe", err)
	}
	p.wakeR, p.wakeW, p.wakeIdent = fds[0], fds[1], uint64(fds[0])
	for _, fd := range fds {
		unix.CloseOnExec(fd)
		// Nonblocking on both ends: Wake must never block on a full pipe (a
		// full pipe already means a wakeup is pending), and the drain in Wait
		// stops at EAGAIN.
		if err := unix.SetNonblock(fd, true); err != nil {
			p.Close()
			return nil, NewSyscallError("fcntl", err)
		}
	}
	unix.SetKevent(&p.changes[0], p.wakeR, int(filt.read), unix.EV_ADD|unix.EV_ENABLE)
	if err := p.submit(p.changes[:1]); err != nil {
		p.Close()
		return nil, NewSyscallError("kevent", err)
	}
	return p, nil
}

// submit applies a changelist. With no event list kevent never blocks, so an
// EINTR is only retried; x/sys/unix does not retry it.
func (p *Poller) submit(changes []unix.Kevent_t) error {
	for {
		_, err := unix.Kevent(p.kq, changes, nil, nil)
		if err != unix.EINTR {
			return err
		}
	}
}

// apply moves fd's filters from interest old to want and returns the interest
// actually in place afterwards, which differs from want only on error. With
// force, wanted filters are added even if old says they exist: EV_ADD is
// idempotent, and Add uses it because old may be stale (see Add).
//
// Both changes normally go in one syscall. The kernel stops at the first
// entry that fails, though, so after an error each entry is resubmitted alone
// to learn which took effect; adding again is harmless and deleting again
// gives the ENOENT that deletes ignore.
func (p *Poller) apply(fd int, old, want Events, force bool) (Events, error) {
	var bits [2]Events
	var adds [2]bool
	n := 0
	for _, b := range [...]Events{EventRead, EventWrite} {
		filter := p.filt.read
		if b == EventWrite {
			filter = p.filt.write
		}
		switch {
		case want&b != 0 && (old&b == 0 || force):
			unix.SetKevent(&p.changes[n], fd, int(filter), unix.EV_ADD|unix.EV_ENABLE)
			adds[n] = true
		case want&b == 0 && old&b != 0:
			unix.SetKevent(&p.changes[n], fd, int(filter), unix.EV_DELETE)
			adds[n] = false
		default:
			continue
		}
		bits[n] = b
		n++
	}
	if n == 0 {
		return want, nil
	}
	err := p.submit(p.changes[:n])
	if err == nil {
		return want, nil
	}
	cur := old
	var first error
	for i := 0; i < n; i++ {
		if n > 1 {
			err = p.submit(p.changes[i : i+1])
		}
		switch {
		case err == nil && adds[i]:
			cur |= bits[i]
		case err == nil, !adds[i] && (err == unix.ENOENT || err == unix.EBADF):
			// Deleting what is already gone succeeded: closing an fd removes
			// its filters, so Delete after close finds nothing.
			cur &^= bits[i]
		case first == nil:
			first = err
		}
	}
	return cur, first
}

// grow makes regs cover fd. It grows geometrically because descriptors are
// allocated lowest-first, so the table tracks the number of open fds.
func (p *Poller) grow(fd int) {
	if fd < len(p.regs) {
		return
	}
	n := max(2*len(p.regs), fd+1, 64)
	regs := make([]uint8, n)
	copy(regs, p.regs)
	p.regs = regs
}

// Add registers fd with the given interest.
//
// Unlike epoll, adding an fd that is already registered replaces its interest
// instead of failing with EEXIST. The kernel drops an fd's filters when it is
// closed, so if a descriptor was closed without Delete and its number reused,
// the Poller's record is stale; Add therefore trusts the kernel, not the
// record, and (re)adds every wanted filter.
func (p *Poller) Add(fd FD, interest Events) error {
	if fd < 0 {
		return NewSyscallError("kevent", unix.EBADF)
	}
	p.grow(fd)
	old := Events(p.regs[fd] & regInterest)
	got, err := p.apply(fd, old, interest&(EventRead|EventWrite), true)
	if err != nil {
		// Leave nothing half-registered behind a failed Add.
		_, _ = p.apply(fd, got, 0, false)
		p.regs[fd] = 0
		return NewSyscallError("kevent", err)
	}
	p.regs[fd] = regAdded | uint8(got)
	return nil
}

// Modify replaces fd's interest, submitting only the filters that change.
// Like epoll, it fails with ENOENT for an fd that was never added.
func (p *Poller) Modify(fd FD, interest Events) error {
	if fd < 0 || fd >= len(p.regs) || p.regs[fd]&regAdded == 0 {
		return NewSyscallError("kevent", unix.ENOENT)
	}
	old := Events(p.regs[fd] & regInterest)
	got, err := p.apply(fd, old, interest&(EventRead|EventWrite), false)
	p.regs[fd] = regAdded | uint8(got)
	if err != nil {
		return NewSyscallError("kevent", err)
	}
	return nil
}

// Delete removes fd's filters, forgets it, and invalidates its events still
// pending in the current batch. It tolerates an fd that is already closed
// (the kernel removed its filters then) or was never added, because the
// reactor calls it on every teardown path.
func (p *Poller) Delete(fd FD) error {
	for i := range p.ready {
		if p.ready[i].FD == fd {
			p.ready[i].FD = InvalidFD
		}
	}
	if fd < 0 || fd >= len(p.regs) || p.regs[fd]&regAdded == 0 {
		return nil
	}
	old := Events(p.regs[fd] & regInterest)
	// Forget the fd even if the kernel complains: the caller is about to close
	// it, and a stale record would only mislead a later Modify.
	p.regs[fd] = 0
	if _, err := p.apply(fd, old, 0, false); err != nil {
		return NewSyscallError("kevent", err)
	}
	return nil
}

// DeleteClosing is Delete for a descriptor the caller closes right after:
// kqueue drops a descriptor's filters when it is closed (whatever other
// descriptors share its file), so it forgets fd and invalidates its events
// in the current batch without the EV_DELETE syscall.
func (p *Poller) DeleteClosing(fd FD) error {
	for i := range p.ready {
		if p.ready[i].FD == fd {
			p.ready[i].FD = InvalidFD
		}
	}
	if fd >= 0 && fd < len(p.regs) {
		p.regs[fd] = 0
	}
	return nil
}

// Wait blocks until an event, a wakeup, or the timeout (negative: no limit;
// zero: poll). The returned slice is owned by the Poller and valid until the
// next Wait. An interrupted wait returns (nil, nil).
func (p *Poller) Wait(timeout time.Duration) ([]Event, error) {
	p.ready = nil
	var ts *unix.Timespec
	if timeout >= 0 {
		p.ts = unix.NsecToTimespec(int64(min(timeout, kqMaxTimeout)))
		ts = &p.ts
	}
	n, err := unix.Kevent(p.kq, nil, p.kevents, ts)
	if err != nil {
		// ETIMEDOUT has been seen from kevent on macOS in place of a plain
		// timeout (go.dev/issue/59679); it means nothing is ready.
		if err == unix.EINTR || err == unix.ETIMEDOUT {
			return nil, nil
		}
		return nil, NewSyscallError("kevent", err)
	}
	evs := p.events[:0]
	woken := false
	for i := 0; i < n; i++ {
		k := &p.kevents[i]
		// Widen the per-GOOS field types (Filter is uint32 and Flags uint32
		// on NetBSD, Ident 32 bits on 32-bit systems) to the translation's.
		filter, ident := int32(k.Filter), uint64(k.Ident)
		ev, ok := keventToEvent(p.filt, filter, uint32(k.Flags), k.Fflags, int64(k.Data), ident, p.wakeIdent)
		if !ok {
			// An EVFILT_USER wakeup needs nothing more: EV_CLEAR reset it.
			if filter == p.filt.read && ident == p.wakeIdent {
				woken = true
			}
			continue
		}
		// kqueue reports read and write readiness as separate kevents; fold
		// neighbours for the same fd into one Event, as epoll would report
		// them, to save the reactor a second dispatch.
		if m := len(evs); m > 0 && evs[m-1].FD == ev.FD {
			evs[m-1].Events |= ev.Events
			continue
		}
		evs = append(evs, ev)
	}
	if woken {
		p.drainWake()
	}
	if n == len(p.kevents) && len(p.kevents) < maxEventBatch {
		// A full batch means more may be ready than fit. The returned slice
		// keeps the old backing array, so it stays valid until the next Wait.
		size := min(2*len(p.kevents), maxEventBatch)
		p.kevents = make([]unix.Kevent_t, size)
		p.events = make([]Event, 0, size)
	}
	p.ready = evs
	return evs, nil
}

// drainWake empties the wake pipe, so its level-triggered read filter stops
// firing. Reading to EAGAIN coalesces any number of Wakes into this one
// return, which is all a wakeup means.
func (p *Poller) drainWake() {
	for {
		n, err := unix.Read(p.wakeR, p.drain[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || n < len(p.drain) {
			return
		}
	}
}

var kqWakeByte = []byte{1}

// Wake makes a blocked Wait return, or the next Wait if none is blocked. Safe
// from any goroutine; callers coalesce (the reactor only wakes when no wakeup
// is already pending), so it is one syscall per real wakeup.
func (p *Poller) Wake() error {
	if p.filt.hasUser {
		if err := p.submitTrigger(); err != nil {
			return NewSyscallError("kevent", err)
		}
		return nil
	}
	for {
		_, err := unix.Write(p.wakeW, kqWakeByte)
		switch err {
		case nil, unix.EAGAIN:
			// EAGAIN: the pipe is full of unread wakeups; one is enough.
			return nil
		case unix.EINTR:
			continue
		default:
			return NewSyscallError("write", err)
		}
	}
}

// submitTrigger fires the EVFILT_USER event. It takes p.trigger, which is
// immutable, rather than p.changes, which belongs to the polling goroutine.
func (p *Poller) submitTrigger() error {
	for {
		_, err := unix.Kevent(p.kq, p.trigger[:], nil, nil)
		if err != unix.EINTR {
			return err
		}
	}
}

// Close releases the kqueue and the wake pipe. It may be called only after
// the polling goroutine has stopped, and no Wake may follow it (the closed
// descriptor numbers can be reused, so a late Wake could write into someone
// else's file); calling it again does nothing.
func (p *Poller) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	var first error
	for _, fd := range [...]int{p.wakeW, p.wakeR, p.kq} {
		if fd < 0 {
			continue
		}
		if err := unix.Close(fd); err != nil && first == nil {
			first = NewSyscallError("close", err)
		}
	}
	return first
}
