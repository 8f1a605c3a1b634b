package nodenet

import "time"

// readinessPoller is the contract every platform's Poller keeps; the assertion
// below makes a platform that drifts from it fail to compile.
//
// The contract, shared by epoll, kqueue and IOCP/AFD_POLL:
//   - Level-triggered: a descriptor that stays ready is reported by every Wait
//     until the condition is consumed or its interest removed.
//   - Add registers fd with an interest of EventRead and/or EventWrite (0 is
//     allowed: registered but silent). Modify replaces the interest. Delete
//     removes the registration and marks every event for fd still unread in
//     the batch returned by the last Wait as InvalidFD, so a descriptor closed
//     (and perhaps reused) while a batch is being dispatched never receives a
//     stale event.
//   - DeleteClosing is Delete for a descriptor the caller closes right after
//     and is the only holder of (no dup, no copy in another process): it
//     invalidates the batch like Delete but may leave removing the
//     registration to the close, where closing does that (epoll drops a
//     registration with the last descriptor of its open file; kqueue drops a
//     descriptor's filters when it is closed), saving a syscall per close.
//   - Wait blocks up to timeout (negative: no limit; zero: just poll) and
//     returns the ready events in a slice owned by the Poller, valid until the
//     next Wait. An interrupted wait returns (nil, nil). Wakeups are consumed
//     inside Wait and never reported.
//   - Wake may be called from any goroutine and makes a blocked (or the next)
//     Wait return. It is the only method safe off the polling goroutine,
//     together with Close after the polling goroutine has stopped.
type readinessPoller interface {
	Add(fd FD, interest Events) error
	Modify(fd FD, interest Events) error
	Delete(fd FD) error
	DeleteClosing(fd FD) error
	Wait(timeout time.Duration) ([]Event, error)
	Wake() error
	Close() error
}

var _ readinessPoller = (*Poller)(nil)

// maxEventBatch bounds how far the event slice grows when a Wait fills it.
const (
	initialEventBatch = 128
	maxEventBatch     = 8192
)
