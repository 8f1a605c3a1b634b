//go:build linux

package nodenet

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Poller is the Linux readiness poller: one epoll instance plus an eventfd for
// wakeups.
//
// It is level-triggered. With edge triggering a reader must drain the socket
// until EAGAIN or lose the edge, which costs one extra read syscall per message
// in request/response traffic; level triggering lets the reactor read once per
// wakeup (bounded by its 64 KiB read buffer, so one busy connection cannot
// starve the others) and come back on the next Wait if more is pending. The
// spin that level triggering is known for (EPOLLOUT on an idle writable socket)
// is avoided one layer up: write interest is only registered while a write
// queue is non-empty.
type Poller struct {
	epfd    int
	wakefd  int
	kernel  []unix.EpollEvent
	events  []Event
	wakeBuf [8]byte
}

// NewPoller creates an epoll instance (close-on-exec) and registers its wakeup
// eventfd.
func NewPoller() (*Poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, NewSyscallError("epoll_create1", err)
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, NewSyscallError("eventfd", err)
	}
	p := &Poller{
		epfd:   epfd,
		wakefd: wakefd,
		kernel: make([]unix.EpollEvent, initialEventBatch),
		events: make([]Event, 0, initialEventBatch),
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wakefd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &ev); err != nil {
		p.Close()
		return nil, NewSyscallError("epoll_ctl", err)
	}
	return p, nil
}

// epollMask turns an interest set into epoll bits. EPOLLRDHUP goes with read
// interest only: a paused reader must not be woken, level-triggered and over
// and over, by a FIN it is not going to read yet.
func epollMask(interest Events) uint32 {
	var m uint32
	if interest&EventRead != 0 {
		m |= unix.EPOLLIN | unix.EPOLLRDHUP
	}
	if interest&EventWrite != 0 {
		m |= unix.EPOLLOUT
	}
	return m
}

// epollCtl is epoll_ctl(2) as a raw system call, as the Go runtime's own
// netpoller makes it: it never waits, and it runs at least once per
// connection, where entersyscall/exitsyscall is measurable.
func epollCtl(epfd, op, fd int, ev *unix.EpollEvent) error {
	if _, _, e := unix.RawSyscall6(unix.SYS_EPOLL_CTL, uintptr(epfd), uintptr(op), uintptr(fd), uintptr(unsafe.Pointer(ev)), 0, 0); e != 0 {
		return e
	}
	return nil
}

// Add registers fd with the given interest.
func (p *Poller) Add(fd FD, interest Events) error {
	ev := unix.EpollEvent{Events: epollMask(interest), Fd: int32(fd)}
	if err := epollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// Modify replaces fd's interest.
func (p *Poller) Modify(fd FD, interest Events) error {
	ev := unix.EpollEvent{Events: epollMask(interest), Fd: int32(fd)}
	if err := epollCtl(p.epfd, unix.EPOLL_CTL_MOD, fd, &ev); err != nil {
		return NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// Delete removes fd and invalidates its events still pending in the current
// batch.
func (p *Poller) Delete(fd FD) error {
	p.invalidate(fd)
	if err := epollCtl(p.epfd, unix.EPOLL_CTL_DEL, fd, nil); err != nil && err != unix.ENOENT && err != unix.EBADF {
		return NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// DeleteClosing invalidates fd's events still pending in the current batch
// and leaves the registration to close(2): epoll watches the open file, and
// the kernel removes the registration when the file's last descriptor is
// closed, so the EPOLL_CTL_DEL that Delete makes would be one syscall per
// connection for nothing. The caller must close fd right after and hold the
// only descriptor of its open file: were the file shared (a dup, a child's
// copy between fork and exec — reactor.Loop.CloseRegistered guards against
// that one), the registration would outlive the close and keep reporting
// events under fd's number, which the next accept or open may reuse — for
// those, use Delete.
func (p *Poller) DeleteClosing(fd FD) error {
	p.invalidate(fd)
	return nil
}

// invalidate marks fd's events in the current batch as InvalidFD, so a
// descriptor closed (and perhaps reused) while the batch is being dispatched
// never receives a stale event.
func (p *Poller) invalidate(fd FD) {
	for i := range p.events {
		if p.events[i].FD == fd {
			p.events[i].FD = InvalidFD
		}
	}
}

// Wait blocks until an event, a wakeup, or the timeout.
func (p *Poller) Wait(timeout time.Duration) ([]Event, error) {
	ms := -1
	if timeout >= 0 {
		// Round up so a timer due in 0.4 ms does not turn into a busy poll.
		ms = int((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	p.events = p.events[:0]
	n, err := unix.EpollWait(p.epfd, p.kernel, ms)
	if err != nil {
		if err == unix.EINTR {
			return nil, nil
		}
		return nil, NewSyscallError("epoll_wait", err)
	}
	for i := 0; i < n; i++ {
		ke := &p.kernel[i]
		fd := int(ke.Fd)
		if fd == p.wakefd {
			// Drain the counter; a failed read only means another Wait already did.
			_, _ = unix.Read(p.wakefd, p.wakeBuf[:])
			continue
		}
		var ev Events
		if ke.Events&(unix.EPOLLIN|unix.EPOLLPRI) != 0 {
			ev |= EventRead
		}
		if ke.Events&unix.EPOLLOUT != 0 {
			ev |= EventWrite
		}
		if ke.Events&(unix.EPOLLRDHUP|unix.EPOLLHUP) != 0 {
			ev |= EventHup
		}
		if ke.Events&unix.EPOLLERR != 0 {
			ev |= EventErr
		}
		p.events = append(p.events, Event{FD: fd, Events: ev})
	}
	if n == len(p.kernel) && len(p.kernel) < maxEventBatch {
		p.kernel = make([]unix.EpollEvent, 2*len(p.kernel))
	}
	return p.events, nil
}

var wakeOne = [8]byte{1}

// Wake makes a blocked Wait return. Safe from any goroutine; callers coalesce
// (the reactor only wakes when no wakeup is already pending).
func (p *Poller) Wake() error {
	_, err := unix.Write(p.wakefd, wakeOne[:])
	if err != nil && err != unix.EAGAIN {
		return NewSyscallError("write", err)
	}
	return nil
}

// Close releases the epoll instance and the eventfd.
func (p *Poller) Close() error {
	err1 := unix.Close(p.wakefd)
	err2 := unix.Close(p.epfd)
	if err1 != nil {
		return NewSyscallError("close", err1)
	}
	if err2 != nil {
		return NewSyscallError("close", err2)
	}
	return nil
}
