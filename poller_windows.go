//go:build windows

package nodenet

import (
	"fmt"
	"io/fs"
	"math"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Completion keys tell apart the three kinds of packet that reach the port.
// Zero is left unused so that a packet posted by mistake with a zeroed key is
// never taken for one of ours.
const (
	keyAFD  uintptr = 1 // an IOCTL_AFD_POLL finished; OVERLAPPED is &sockState.buf.iosb
	keyWake uintptr = 2 // Wake; carries no OVERLAPPED
	keyIO   uintptr = 3 // an overlapped operation on an AssociateHandle handle
)

// afdGroupSize caps how many sockets share one AFD helper handle. The driver
// walks a handle's list of outstanding polls when one is cancelled or
// completed, so very long lists get slow; a handle per socket would waste
// kernel objects. 32 is the balance wepoll measured.
const afdGroupSize = 32

// closeDrainTimeout bounds how long Close waits for the kernel to hand back
// polls it is cancelling.
const closeDrainTimeout = 2 * time.Second

type pollStatus uint8

const (
	pollIdle      pollStatus = iota // no poll outstanding; kernel does not touch buf
	pollPending                     // poll issued; kernel owns buf until the packet is dequeued
	pollCancelled                   // cancel requested; kernel still owns buf until the packet is dequeued
)

// afdGroup is one helper handle and how many live socket states use it. A
// state keeps its group until its last poll's packet is dequeued, because
// closing the helper with polls outstanding would cancel them.
type afdGroup struct {
	helper  windows.Handle
	members int
}

// sockState is everything the Poller knows of one registered socket. It is
// always heap-allocated and reachable (from Poller.socks while registered,
// from Poller.inflight while a poll is outstanding), because the kernel
// writes into buf asynchronously and the packet's OVERLAPPED pointer is the
// address of buf.iosb: the object must neither be collected nor move (Go's
// collector does not move heap objects) until that packet is dequeued.
type sockState struct {
	buf      afdPollBuffer
	fd       FD
	base     windows.Handle
	group    *afdGroup
	interest Events // EventRead|EventWrite subset the caller asked for
	polled   uint32 // AFD events the outstanding poll watches
	status   pollStatus
	queued   bool // in Poller.updates
	deleted  bool // unregistered; dropped as soon as no poll is outstanding
}

func (s *sockState) key() uintptr { return uintptr(unsafe.Pointer(&s.buf.iosb)) }

// Poller is the Windows readiness poller. A completion port receives the
// results of asynchronous IOCTL_AFD_POLL requests, one outstanding per
// registered socket; because AFD polls are one-shot, the Poller re-issues a
// socket's poll at the start of the Wait after its result was reported,
// which gives the level-triggered behaviour the readinessPoller contract
// promises (a socket that is still ready completes the new poll at once).
//
// Only SOCKETs can be registered with Add: afd.sys knows nothing of other
// handles. Handles that do completion-based I/O instead (named pipes,
// files) go through AssociateHandle and StartIO on the same port.
type Poller struct {
	port windows.Handle

	// closed is read without a lock by the polling goroutine; wakeMu keeps
	// Wake from posting to a port handle that Close has released (and the
	// system might have reused).
	closed      atomic.Bool
	wakeMu      sync.RWMutex
	wakePending atomic.Bool // a wake packet is queued and not yet consumed

	socks    map[FD]*sockState
	inflight map[uintptr]*sockState // by &buf.iosb, until the packet is dequeued
	updates  []*sockState           // sockets whose poll must be (re)issued by the next Wait
	groups   []*afdGroup

	ioOps map[uintptr]*IOOp // by &op.Overlapped, from StartIO until the packet is dequeued
	ioRun []*IOOp

	entries []overlappedEntry
	events  []Event
	last    []Event // the batch the last Wait returned, for Delete to scrub
}

// NewPoller creates a completion port and the bookkeeping around it. AFD
// helper handles are opened lazily as sockets are added.
func NewPoller() (*Poller, error) {
	if err := loadAFDProcs(); err != nil {
		return nil, fmt.Errorf("nodenet: poller: %w", err)
	}
	// AFD does not need Winsock initialised, but SIO_BASE_HANDLE goes
	// through ws2_32, which does; WSAStartup is reference-counted.
	var wsa windows.WSAData
	if err := windows.WSAStartup(uint32(0x0202), &wsa); err != nil {
		return nil, NewSyscallError("WSAStartup", err)
	}
	port, err := windows.CreateIoCompletionPort(windows.InvalidHandle, 0, 0, 1)
	if err != nil {
		windows.WSACleanup()
		return nil, NewSyscallError("CreateIoCompletionPort", err)
	}
	return &Poller{
		port:     port,
		socks:    make(map[FD]*sockState),
		inflight: make(map[uintptr]*sockState),
		ioOps:    make(map[uintptr]*IOOp),
		entries:  make([]overlappedEntry, initialEventBatch),
		events:   make([]Event, 0, initialEventBatch),
	}, nil
}

// afdEventsFor is the AFD mask that watches for interest. LOCAL_CLOSE rides
// along on every poll so a socket closed without Delete is noticed and its
// registration dropped rather than polled forever.
func afdEventsFor(interest Events) uint32 {
	var ev uint32
	if interest&EventRead != 0 {
		ev |= afdPollReceive | afdPollAccept | afdPollDisconnect | afdPollAbort | afdPollConnectFail
	}
	if interest&EventWrite != 0 {
		ev |= afdPollSend | afdPollConnectFail | afdPollAbort
	}
	if ev != 0 {
		ev |= afdPollLocalClose
	}
	return ev
}

// eventsFromAFD translates a poll result. Read and write readiness are only
// reported when asked for (a poll may outlive a narrowing Modify); hang-up
// and error always are, as epoll does, since the handler must learn of them
// whatever it waits for.
func eventsFromAFD(afd uint32, interest Events) Events {
	var ev Events
	if afd&(afdPollReceive|afdPollAccept) != 0 {
		ev |= EventRead
	}
	if afd&afdPollSend != 0 {
		ev |= EventWrite
	}
	if afd&afdPollDisconnect != 0 {
		ev |= EventRead | EventHup
	}
	if afd&afdPollAbort != 0 {
		ev |= EventHup | EventErr
	}
	if afd&afdPollConnectFail != 0 {
		ev |= EventErr | EventWrite
	}
	return maskEvents(ev, interest)
}

func maskEvents(ev, interest Events) Events {
	if interest&(EventRead|EventWrite) == 0 {
		return 0 // registered but silent
	}
	return ev &^ ((EventRead | EventWrite) &^ interest)
}

// Add registers the SOCKET fd (any handle for which Winsock answers
// SIO_BASE_HANDLE) with interest. The first poll is issued by the next Wait.
//
// Adding a handle that is already registered replaces the registration,
// as the kqueue Poller does: Windows reuses handle values at once, so a
// socket closed without Delete (whose registration LOCAL_CLOSE has not yet
// dropped) may come back as a new socket under the same value, and the new
// socket must be polled through its own base handle.
func (p *Poller) Add(fd FD, interest Events) error {
	if p.closed.Load() {
		return fs.ErrClosed
	}
	if old, ok := p.socks[fd]; ok {
		p.unregister(old)
	}
	base, err := baseSocket(fd)
	if err != nil {
		return err
	}
	g, err := p.acquireGroup()
	if err != nil {
		return err
	}
	s := &sockState{fd: fd, base: base, group: g, interest: interest & (EventRead | EventWrite)}
	p.socks[fd] = s
	p.queue(s)
	return nil
}

// Modify replaces fd's interest. A poll already watching for everything the
// new interest needs is left alone (its result is filtered instead);
// otherwise it is cancelled, and the next Wait after its cancellation is
// dequeued issues the wider one.
func (p *Poller) Modify(fd FD, interest Events) error {
	if p.closed.Load() {
		return fs.ErrClosed
	}
	s, ok := p.socks[fd]
	if !ok {
		// ENOENT, as epoll and the kqueue Poller answer.
		return NewSyscallError("afd_poll", windows.ERROR_FILE_NOT_FOUND)
	}
	s.interest = interest & (EventRead | EventWrite)
	want := afdEventsFor(s.interest)
	switch s.status {
	case pollPending:
		if want&^s.polled != 0 {
			if err := afdCancel(s.group.helper, &s.buf); err != nil {
				return err
			}
			s.status = pollCancelled
		}
	case pollIdle:
		p.queue(s)
	case pollCancelled:
		// Its packet requeues it.
	}
	return nil
}

// Delete unregisters fd and scrubs its events from the last batch. An
// outstanding poll is cancelled; its state stays reachable until the kernel
// hands it back, so the caller may close the socket right away. Like the
// other Pollers it tolerates an fd that is not (or no longer) registered,
// because the reactor calls it on every teardown path.
func (p *Poller) Delete(fd FD) error {
	// No closed check: after Close there is nothing registered, and a
	// teardown path that runs late should not see an error for it.
	//
	// Scrub first: even when the registration is already gone (dropped
	// after the socket was closed), the batch may still name fd.
	for i := range p.last {
		if p.last[i].FD == fd {
			p.last[i].FD = InvalidFD
		}
	}
	if s, ok := p.socks[fd]; ok {
		p.unregister(s)
	}
	return nil
}

// DeleteClosing is Delete: an outstanding AFD poll must be cancelled (and its
// state kept until the kernel returns it) whether or not the socket is closed
// next, so there is nothing to save.
func (p *Poller) DeleteClosing(fd FD) error { return p.Delete(fd) }

// unregister cancels s's poll, if any, and forgets s.
func (p *Poller) unregister(s *sockState) {
	if s.status == pollPending {
		// Should the cancel fail, the poll still ends at the latest with
		// LOCAL_CLOSE when the socket is closed; either way its packet frees
		// the state, so the registration is gone regardless.
		_ = afdCancel(s.group.helper, &s.buf)
		s.status = pollCancelled
	}
	p.drop(s)
}

// Wait issues the polls queued since the last call, then dequeues up to a
// batch of completions and translates them into events.
func (p *Poller) Wait(timeout time.Duration) ([]Event, error) {
	if p.closed.Load() {
		return nil, fs.ErrClosed
	}
	p.last = nil
	p.events = p.events[:0]
	p.flushUpdates()

	ms := waitMillis(timeout)
	if len(p.events) > 0 {
		ms = 0 // submission errors are already news; don't sit on them
	}
	n, err := p.dequeue(ms)
	if err != nil {
		return nil, err
	}
	for i := range p.entries[:n] {
		e := &p.entries[i]
		switch e.CompletionKey {
		case keyAFD:
			p.feed(e)
		case keyWake:
			p.wakePending.Store(false)
		case keyIO:
			if op, ok := p.ioOps[e.Overlapped]; ok {
				delete(p.ioOps, e.Overlapped)
				op.status = windows.NTStatus(e.Internal)
				op.n = e.NumberOfBytesTransferred
				p.ioRun = append(p.ioRun, op)
			}
		}
	}
	if n == len(p.entries) && len(p.entries) < maxEventBatch {
		p.entries = make([]overlappedEntry, min(2*len(p.entries), maxEventBatch))
	}
	// Published before the callbacks run, so a Delete made from one scrubs
	// this very batch.
	p.last = p.events
	if len(p.ioRun) > 0 {
		p.runIO()
	}
	return p.events, nil
}

// Wake makes a blocked (or the next) Wait return; it is safe from any
// goroutine. Wakes that arrive while one is already queued are folded into
// it, so a busy producer cannot flood the port.
func (p *Poller) Wake() error {
	if !p.wakePending.CompareAndSwap(false, true) {
		return nil
	}
	p.wakeMu.RLock()
	defer p.wakeMu.RUnlock()
	if p.closed.Load() {
		return fs.ErrClosed
	}
	if err := windows.PostQueuedCompletionStatus(p.port, 0, keyWake, nil); err != nil {
		p.wakePending.Store(false)
		return NewSyscallError("PostQueuedCompletionStatus", err)
	}
	return nil
}

// Close releases the AFD helper handles and the port. Closing a helper makes
// the kernel cancel its outstanding polls; Close waits (briefly) for those
// packets, because until then the kernel may still write into the states.
// Overlapped operations started with StartIO belong to handles the Poller
// does not own: the caller should cancel them and close those handles
// first; Close then waits (as briefly) for their completions too, and IOOps
// still outstanding after that stay referenced (never freed) for the
// kernel's sake. Their Done callbacks are not called.
func (p *Poller) Close() error {
	p.wakeMu.Lock()
	if p.closed.Swap(true) {
		p.wakeMu.Unlock()
		return nil
	}
	p.wakeMu.Unlock()

	var first error
	keep := func(err error) {
		if first == nil && err != nil {
			first = err
		}
	}
	for _, g := range p.groups {
		keep(NewSyscallError("CloseHandle", windows.CloseHandle(g.helper)))
	}
	deadline := time.Now().Add(closeDrainTimeout)
	for len(p.inflight)+len(p.ioOps) > 0 {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		n, err := p.dequeue(waitMillis(left))
		if err != nil {
			break
		}
		for _, e := range p.entries[:n] {
			switch e.CompletionKey {
			case keyAFD:
				delete(p.inflight, e.Overlapped)
			case keyIO:
				delete(p.ioOps, e.Overlapped)
			}
		}
	}
	if len(p.inflight)+len(p.ioOps) > 0 {
		// The kernel still owns this memory: never let it be reused.
		abandoned.Lock()
		for _, s := range p.inflight {
			abandoned.states = append(abandoned.states, s)
		}
		for _, op := range p.ioOps {
			abandoned.ops = append(abandoned.ops, op)
		}
		abandoned.Unlock()
	}
	keep(NewSyscallError("CloseHandle", windows.CloseHandle(p.port)))
	windows.WSACleanup()
	p.socks, p.inflight, p.ioOps, p.updates, p.groups, p.last = nil, nil, nil, nil, nil, nil
	return first
}

// abandoned holds states whose polls (or operations) the kernel had not
// handed back when Close gave up waiting; leaking them is the price of
// memory safety.
var abandoned struct {
	sync.Mutex
	states []*sockState
	ops    []*IOOp
}

func waitMillis(d time.Duration) uint32 {
	switch {
	case d < 0:
		return windows.INFINITE
	case d == 0:
		return 0
	}
	// Round up: a sub-millisecond timeout must still sleep, not spin.
	ms := (d + time.Millisecond - 1) / time.Millisecond
	if ms >= windows.INFINITE {
		return windows.INFINITE - 1
	}
	return uint32(ms)
}

// dequeue fills p.entries from the port; a timeout is zero entries, no error.
func (p *Poller) dequeue(ms uint32) (int, error) {
	var n uint32
	r, _, e := syscall.SyscallN(procGetQueuedCompletionStatusEx.Addr(),
		uintptr(p.port),
		uintptr(unsafe.Pointer(&p.entries[0])),
		uintptr(len(p.entries)),
		uintptr(unsafe.Pointer(&n)),
		uintptr(ms),
		0) // not alertable: nothing here queues APCs to wake us
	if r == 0 {
		if e == syscall.Errno(windows.WAIT_TIMEOUT) {
			return 0, nil
		}
		if e == 0 {
			e = windows.ERROR_INVALID_HANDLE
		}
		return 0, NewSyscallError("GetQueuedCompletionStatusEx", e)
	}
	return int(n), nil
}

func (p *Poller) queue(s *sockState) {
	if !s.queued && !s.deleted {
		s.queued = true
		p.updates = append(p.updates, s)
	}
}

// flushUpdates issues a poll for every queued socket that lacks one. A socket
// whose poll cannot be issued is reported with EventErr and stays queued, so
// the error is level-triggered like any other condition.
func (p *Poller) flushUpdates() {
	keep := p.updates[:0]
	for _, s := range p.updates {
		s.queued = false
		if err := p.submit(s); err != nil {
			if ev := maskEvents(EventErr, s.interest); ev != 0 {
				p.events = append(p.events, Event{FD: s.fd, Events: ev})
			}
			s.queued = true
			keep = append(keep, s)
		}
	}
	clear(p.updates[len(keep):])
	p.updates = keep
}

func (p *Poller) submit(s *sockState) error {
	want := afdEventsFor(s.interest)
	if s.deleted || s.status != pollIdle || want == 0 {
		return nil
	}
	s.buf.info = afdPollInfo{
		Timeout:         math.MaxInt64, // absolute time never reached: no timeout
		NumberOfHandles: 1,
		Handles:         [1]afdPollHandleInfo{{Handle: s.base, Events: want}},
	}
	if st := afdPoll(s.group.helper, &s.buf); st != windows.STATUS_SUCCESS {
		if st == windows.STATUS_INVALID_HANDLE {
			// The socket was closed without Delete: nothing left to poll.
			p.drop(s)
			return nil
		}
		return ntError("NtDeviceIoControlFile(IOCTL_AFD_POLL)", st)
	}
	s.status = pollPending
	s.polled = want
	p.inflight[s.key()] = s
	return nil
}

// feed handles one dequeued poll result.
func (p *Poller) feed(e *overlappedEntry) {
	s, ok := p.inflight[e.Overlapped]
	if !ok {
		return
	}
	delete(p.inflight, e.Overlapped)
	s.status = pollIdle
	s.polled = 0
	if s.deleted {
		p.release(s)
		return
	}
	var ev Events
	switch st := windows.NTStatus(e.Internal); {
	case st == windows.STATUS_CANCELLED:
		// Modify widened the interest; the requeue below issues the new poll.
	case int32(st) < 0:
		ev = maskEvents(EventErr, s.interest)
	case s.buf.info.NumberOfHandles < 1:
		// Completed without news (the driver may do so spuriously).
	case s.buf.info.Handles[0].Events&afdPollLocalClose != 0:
		p.drop(s)
		return
	default:
		ev = eventsFromAFD(s.buf.info.Handles[0].Events, s.interest)
	}
	p.queue(s)
	if ev != 0 {
		p.events = append(p.events, Event{FD: s.fd, Events: ev})
	}
}

// drop forgets s as a registration; its memory is released once no poll is
// outstanding.
func (p *Poller) drop(s *sockState) {
	if p.socks[s.fd] == s {
		delete(p.socks, s.fd)
	}
	s.deleted = true
	if s.status == pollIdle {
		p.release(s)
	}
}

func (p *Poller) release(s *sockState) {
	if s.group != nil {
		s.group.members--
		s.group = nil
	}
}

// acquireGroup returns a helper handle with room for one more socket,
// opening a new one when all are full.
func (p *Poller) acquireGroup() (*afdGroup, error) {
	for _, g := range p.groups {
		if g.members < afdGroupSize {
			g.members++
			return g, nil
		}
	}
	h, err := openAFDHelper(p.port, keyAFD)
	if err != nil {
		return nil, err
	}
	g := &afdGroup{helper: h, members: 1}
	p.groups = append(p.groups, g)
	return g, nil
}

// IOOp is one overlapped operation (ReadFile, WriteFile, ConnectNamedPipe,
// ...) on a handle given to AssociateHandle: the way handles that have no
// readiness, such as named pipes, share the Poller's port and goroutine with
// the sockets. Like the sockets' poll state, an IOOp must stay put while the
// kernel owns it; the Poller holds it from StartIO until its completion is
// dequeued. AssociateHandle, StartIO and AbortIO belong to the polling
// goroutine, like Add.
type IOOp struct {
	// Overlapped is what the operation is issued with; its address is how
	// the completion is matched back to this IOOp.
	Overlapped windows.Overlapped
	// Done runs on the polling goroutine, inside Wait once the batch of
	// readiness events is built, with the bytes transferred and nil or the
	// operation's error (ERROR_OPERATION_ABORTED when cancelled). It may
	// call any Poller method except Wait.
	Done func(op *IOOp, n uint32, err error)

	n      uint32
	status windows.NTStatus
}

// AssociateHandle binds h, opened for overlapped I/O, to the Poller's port,
// so every overlapped operation issued on it afterwards completes into Wait.
// A handle can be bound to one port only, for its whole life.
func (p *Poller) AssociateHandle(h windows.Handle) error {
	if p.closed.Load() {
		return fs.ErrClosed
	}
	if _, err := windows.CreateIoCompletionPort(h, p.port, keyIO, 0); err != nil {
		return NewSyscallError("CreateIoCompletionPort", err)
	}
	return nil
}

// StartIO hands op to the Poller just before the operation is issued with
// &op.Overlapped. If issuing then fails synchronously (any error other than
// ERROR_IO_PENDING), no completion will come and the caller must AbortIO;
// an operation that succeeds at once still completes through Wait, since the
// handle is not set to skip the port on success.
func (p *Poller) StartIO(op *IOOp) error {
	if p.closed.Load() {
		return fs.ErrClosed
	}
	if op.Done == nil {
		return fmt.Errorf("nodenet: poller: StartIO: %w", fs.ErrInvalid)
	}
	k := uintptr(unsafe.Pointer(&op.Overlapped))
	if _, ok := p.ioOps[k]; ok {
		return fmt.Errorf("nodenet: poller: StartIO: operation already in flight: %w", fs.ErrExist)
	}
	p.ioOps[k] = op
	return nil
}

// AbortIO takes back an op whose operation failed to start, so the Poller
// stops waiting for its completion.
func (p *Poller) AbortIO(op *IOOp) {
	delete(p.ioOps, uintptr(unsafe.Pointer(&op.Overlapped)))
}

// runIO calls the Done callbacks of the operations this Wait dequeued.
func (p *Poller) runIO() {
	run := p.ioRun
	for i, op := range run {
		run[i] = nil
		var err error
		if op.status != windows.STATUS_SUCCESS {
			err = ntError("overlapped I/O", op.status)
		}
		op.Done(op, op.n, err)
	}
	p.ioRun = run[:0]
}
