package socket

import (
	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/buffer"
	"github.com/nodenet/nodenet/encoding"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
)

// Send is Node's socket.write(data, callback). It tries the kernel first and
// queues only what the kernel did not take. It returns false once the bytes
// of the writes not yet completed, this one included, reach the high-water
// mark (Node's `length < highWaterMark`, decided after the attempt: a write
// the kernel took whole returns true and no 'drain' follows): stop writing
// and wait for 'drain'. cb, if not
// nil, runs once the last byte of data has reached the kernel — or with the
// error if it never will (ERR_STREAM_DESTROYED after destroy, EPIPE ...) —
// always asynchronously, never inside Send.
//
// A Send after End destroys the socket with ERR_STREAM_WRITE_AFTER_END (or
// EPIPE "This socket has been ended by the other party" after the peer's
// FIN); after Destroy only cb hears of it.
//
// Send may be called from any goroutine. Off the loop data is copied and
// the write posted; the answer is decided at the call from the bytes queued
// plus those posted and not yet queued (this write included), and a false
// is followed by one 'drain' on the loop, as on it (see offloop.go).
func (s *Socket) Send(data []byte, cb func(error)) bool {
	if s.zero() {
		failCallback(cb, errZero())
		return false
	}
	if s.loop.InLoop() {
		return s.send(data, cb)
	}
	return s.sendOffLoop(append([]byte(nil), data...), cb)
}

// SendString is Node's socket.write(string, encoding, callback): s is
// encoded with enc ("" means utf8) before it is sent. An unknown encoding is
// ERR_UNKNOWN_ENCODING and nothing is sent.
func (s *Socket) SendString(str string, enc string, cb func(error)) (bool, error) {
	if s.zero() {
		return false, errZero()
	}
	e := encoding.UTF8
	if enc != "" {
		var err error
		if e, err = encoding.Parse(enc); err != nil {
			return false, unknownEncoding(err)
		}
		if e == encoding.Buffer {
			e = encoding.UTF8
		}
	}
	if e == encoding.UTF8 && s.loop.InLoop() {
		return s.sendString(str, cb), nil
	}
	b := encoding.Append(nil, str, e)
	if s.loop.InLoop() {
		return s.send(b, cb), nil
	}
	return s.sendOffLoop(b, cb), nil
}

// Write implements io.Writer on the same queue as Send: the bytes are
// accepted whole (n == len(p)) unless the socket can no longer be written to,
// in which case the error is returned. Write never blocks: use Send's result
// and OnDrain, or StreamOptions.MaxBufferSize, to bound memory.
func (s *Socket) Write(p []byte) (int, error) {
	if err := s.writeState(); err != nil {
		return 0, err
	}
	if s.loop.InLoop() {
		var werr error
		s.send(p, nil)
		if s.is(stErrored) {
			werr = s.errorValue()
		}
		if werr != nil {
			return 0, werr
		}
		return len(p), nil
	}
	s.sendOffLoop(append([]byte(nil), p...), nil)
	return len(p), nil
}

// WriteString implements io.StringWriter (UTF-8).
func (s *Socket) WriteString(str string) (int, error) {
	if err := s.writeState(); err != nil {
		return 0, err
	}
	if s.loop.InLoop() {
		s.sendString(str, nil)
		return len(str), nil
	}
	s.sendOffLoop([]byte(str), nil)
	return len(str), nil
}

// writeState is the io.Writer view of Node's write-after-end/destroy errors.
func (s *Socket) writeState() error {
	if s.zero() {
		return errZero()
	}
	if s.is(stDestroyed) {
		return nodenet.ErrStreamDestroyed
	}
	if s.is(endCalled) {
		return nodenet.ErrStreamWriteAfterEnd
	}
	return nil
}

// send is Send on the loop goroutine.
func (s *Socket) send(p []byte, cb func(error)) bool {
	if !s.writeAllowed(cb) {
		return false
	}
	if s.noHandle() {
		s.writeNoHandle(cb)
		return false
	}
	s.bytesWritten.Add(int64(len(p)))
	if s.has(fLayered) {
		return s.lay().Write(p, cb)
	}
	return s.sendBytes(p, cb)
}

// sendBytes puts p on the wire: the kernel first, the queue for the rest.
func (s *Socket) sendBytes(p []byte, cb func(error)) bool {
	p0 := p
	before := s.qlen()
	if len(p) > 0 && before == 0 && s.canWriteNow() && !s.isNamedPipe() {
		n, err := sysnet.Write(s.fd, p)
		if n == len(p) {
			// Done synchronously: in Node the write completed inside
			// _write, so the chunk no longer counts when write() decides
			// what to return — true, and no 'drain' follows.
			s.touch()
			if cb != nil {
				s.complete(cb, nil)
			}
			return s.afterSend(before)
		}
		if n < 0 {
			if !sysnet.IsWouldBlock(err) && !sysnet.IsInterrupted(err) {
				s.writeFailed(err, cb)
				return false
			}
			n = 0
		}
		p = p[n:]
	}
	return s.enqueue(p, cb, before+len(p0))
}

// sendString is send for UTF-8 text, queueing without a []byte conversion.
func (s *Socket) sendString(str string, cb func(error)) bool {
	if s.has(fLayered) || (s.qlen() == 0 && s.canWriteNow()) {
		return s.send([]byte(str), cb)
	}
	if !s.writeAllowed(cb) {
		return false
	}
	if s.noHandle() {
		s.writeNoHandle(cb)
		return false
	}
	before := s.qlen()
	s.bytesWritten.Add(int64(len(str)))
	if s.overMax(before + len(str)) {
		s.bufferFull(cb)
		return false
	}
	if len(str) > 0 {
		s.takeQueue().WriteString(str)
	}
	return s.queued(cb, before+len(str))
}

// enqueue queues what the kernel did not take; length is Node's buffered
// length counting the whole chunk, for the return rule (the part the kernel
// already took still counts until the chunk completes, as in Node).
func (s *Socket) enqueue(p []byte, cb func(error), length int) bool {
	if s.overMax(s.qlen() + len(p)) {
		s.bufferFull(cb)
		return false
	}
	if len(p) > 0 {
		s.takeQueue().Write(p)
	}
	return s.queued(cb, length)
}

// overMax applies StreamOptions.MaxBufferSize to a queue of n bytes.
func (s *Socket) overMax(n int) bool {
	c := s.coldOrNil()
	return c != nil && c.maxBuffer > 0 && n > c.maxBuffer
}

func (s *Socket) queued(cb func(error), length int) bool {
	switch {
	case cb == nil:
	case s.q == nil && !s.has(fSpliced):
		// An empty write with nothing queued before it: done already.
		s.complete(cb, nil)
	default:
		c := s.c()
		c.pending = append(c.pending, pendingWrite{end: s.takeQueue().Pushed(), cb: cb})
	}
	s.bufferSize.Store(int64(s.qlen()))
	if s.canWriteNow() {
		s.updateInterest()
	} else if s.is(stConnecting) && !s.has(fCorked) && !s.has(fLayered) {
		s.armConnectFlush()
	}
	s.touch()
	return s.afterSend(length)
}

// afterSend applies Node's return rule, decided after the write attempt:
// `length < highWaterMark || length === 0`, where length counts every
// chunk not yet completed whole (the part the kernel took of a chunk still
// counts until the rest follows), and false on a destroyed or errored
// socket. When it says false, 'drain' is armed.
func (s *Socket) afterSend(length int) bool {
	if length < int(s.hwm) || length == 0 {
		return s.st.Load()&(stDestroyed|stErrored) == 0
	}
	s.armDrain()
	if s.qlen() == 0 {
		// The kernel took it all already: drain on the next tick, as Node's
		// afterWrite does.
		s.scheduleDone()
	}
	return false
}

func (s *Socket) bufferFull(cb func(error)) {
	err := nodenet.ErrBufferFull
	if cb != nil {
		s.complete(cb, err)
	}
	s.destroyWith(nodenet.NewError(nodenet.CodeBufferFull, err.Message))
}

// writeAllowed applies Node's write-after-end and write-after-destroy rules.
//
// The post-FIN guard (EPIPE) comes first: in Node it replaces write() when
// 'end' is emitted, so it answers before the stream's destroyed check
// (NS-026; NC-043: writing to an auto-ended, destroyed server socket gives
// EPIPE, not ERR_STREAM_DESTROYED).
//
// The destroy is synchronous (Node's writeAfterFIN and errorOrDestroy call
// destroy() inside write(); only the 'error' event waits for the next tick,
// which destroyWith already does). Deferring the destroy itself let the
// automatic destroy that follows 'end' run first with no error, so a write
// in an 'end' handler lost its 'error' event and closed with hadError false
// (NC-042).
//
// After those, Node's stream rules in Node's order: a write after End is
// ERR_STREAM_WRITE_AFTER_END even when the socket was destroyed since (the
// destroy that error asks for is then a no-op), and a write after Destroy
// alone is ERR_STREAM_DESTROYED.
func (s *Socket) writeAllowed(cb func(error)) bool {
	return s.refuseWrite(cb, false) == nil
}

// refuseWrite is writeAllowed returning the error; fromEnd is End's own
// write of its data, which Node makes through the stream directly, so the
// post-FIN guard (a replacement of socket.write) does not apply to it.
func (s *Socket) refuseWrite(cb func(error), fromEnd bool) error {
	var err error
	switch {
	case !fromEnd && s.endedByPeer():
		err = &nodenet.Error{Code: "EPIPE", Message: "This socket has been ended by the other party", Err: sysnet.EPIPE}
	case s.writeSideClosed():
		err = nodenet.NewError(nodenet.CodeStreamWriteAfterEnd, "write after end")
	case s.is(stDestroyed):
		err = nodenet.ErrStreamDestroyed
	default:
		return nil
	}
	if cb != nil {
		s.complete(cb, err)
	}
	s.destroyWith(err) // a no-op when already destroyed: no 'error' then
	return err
}

// writeNoHandle is Node's write on a socket that has no handle: the write
// fails with ERR_SOCKET_CLOSED, which errors the stream at once (so an End
// in the same tick hears the same error) and, on the next tick, calls cb
// and destroys the socket ('error', then 'close').
func (s *Socket) writeNoHandle(cb func(error)) {
	var err error = nodenet.ErrSocketClosed
	if !s.is(stErrored) {
		s.c().setError(err)
		s.errored()
	}
	s.loop.NextTick(func() {
		if cb != nil {
			cb(err)
		}
		s.destroyWith(err)
	})
}

func (s *Socket) writeFailed(err error, cb func(error)) {
	e := nodenet.NewSyscallError("write", err)
	if cb != nil {
		s.complete(cb, e)
	}
	s.destroyWith(e)
}

// complete schedules a write callback for the next tick. One tick function
// serves all callbacks of a batch, so the hot path allocates no closure.
func (s *Socket) complete(cb func(error), err error) {
	c := s.c()
	c.done = append(c.done, writeDone{cb: cb, err: err})
	s.scheduleDone()
}

func (s *Socket) scheduleDone() {
	if !s.has(fDoneQueued) {
		s.setDoneQueued(true)
		s.loop.NextTickArg(runDoneTick, s.handler())
	}
}

// runDone is Node's afterWrite: 'drain' first (if a write returned false and
// the queue is empty), then the callbacks of the completed writes.
func (s *Socket) runDone() {
	s.setDoneQueued(false)
	s.maybeDrain()
	// Run the batch present now by index, then move whatever the callbacks
	// queued meanwhile (a later tick runs it) to the front: re-slicing from
	// the front would shrink the backing array until append reallocated it.
	c := s.c()
	n := len(c.done)
	for i := 0; i < n; i++ {
		d := c.done[i]
		c.done[i] = writeDone{}
		d.cb(d.err)
	}
	c.done = shiftDone(c.done, n)
}

func shiftDone(d []writeDone, n int) []writeDone {
	rest := copy(d, d[n:])
	clear(d[rest:])
	return d[:rest]
}

func (s *Socket) maybeDrain() {
	if s.drainDue() {
		s.disarmDrain()
		s.offLoopDrained()
		s.emit0(EventDrain)
	}
}

// flush writes the queue out on writability and completes what it can. A
// named pipe starts an overlapped write instead (if none is in flight); its
// completion comes back through afterFlush.
func (s *Socket) flush() {
	if s.fd == sysnet.Invalid || s.qlen() == 0 {
		return
	}
	if s.isNamedPipe() {
		s.npStartWrite()
		return
	}
	if s.has(fSpliced) {
		// Spliced bytes parked in a kernel pipe are older than the queue.
		s.pumpSplice()
		if s.is(stDestroyed) {
			return
		}
		if s.has(fSpliced) || s.q == nil || s.q.Len() == 0 || s.has(fCorked) {
			s.afterFlush(nil)
			return
		}
	}
	_, err := s.q.Flush(s.fd)
	s.afterFlush(err)
}

// afterFlush accounts for bytes the kernel took (already consumed from the
// queue): write callbacks, 'drain', interest, and the FIN End is waiting for.
func (s *Socket) afterFlush(err error) {
	left := s.qlen()
	s.bufferSize.Store(int64(left))
	ndone := 0
	// Queued writes come after the spliced bytes: none is done while some
	// are parked.
	if c := s.coldOrNil(); c != nil && s.q != nil && !s.has(fSpliced) {
		flushed := s.q.Flushed()
		k := 0
		for k < len(c.pending) && c.pending[k].end <= flushed {
			c.done = append(c.done, writeDone{cb: c.pending[k].cb})
			k++
		}
		if k > 0 {
			rest := copy(c.pending, c.pending[k:])
			clear(c.pending[rest:])
			c.pending = c.pending[:rest]
		}
		ndone = len(c.done)
	}
	if err != nil {
		s.writeFailed(err, nil)
		return
	}
	s.touch()
	if left == 0 {
		s.releaseQueue()
		s.updateInterest()
		if ndone > 0 || s.is(stNeedDrain) {
			s.scheduleDone()
		}
		s.maybeShutdown()
	} else {
		if ndone > 0 {
			s.scheduleDone()
		}
		if s.has(fSpliced) {
			s.updateInterest() // parked bytes left: watch for writability
		}
	}
}

// Cork buffers writes in the queue until Uncork, so they leave in one writev
// (Node's writable.cork). Calls nest.
func (s *Socket) Cork() {
	s.exec(func() {
		s.c().corked.Add(1)
		s.setCorked(true)
	})
}

// Uncork undoes one Cork; the last one flushes everything queued.
func (s *Socket) Uncork() {
	s.exec(func() {
		c := s.coldOrNil()
		if c == nil || c.corked.Load() == 0 {
			return
		}
		if c.corked.Add(-1) > 0 {
			return
		}
		s.setCorked(false)
		switch {
		case s.open():
			s.flush()
			s.updateInterest()
		case s.is(stConnecting) && s.qlen() > 0 && !s.has(fLayered):
			s.armConnectFlush() // Node's uncork writes them now: its listener is added here
		}
	})
}

// qlen is the number of queued bytes (the queue is nil when there are
// none), counting the spliced bytes parked ahead of the queue.
func (s *Socket) qlen() int {
	n := 0
	if s.q != nil {
		n = s.q.Len()
	}
	if s.has(fSpliced) {
		n += s.splicedLen()
	}
	return n
}

type poolKey struct{}

// poolFor is the write-queue chunk pool of loop l: one per loop, shared by
// all its sockets, touched only by that loop.
func poolFor(l *reactor.Loop) *buffer.Pool {
	return l.Local(poolKey{}, func() any { return buffer.NewPool(0) }).(*buffer.Pool)
}

// takeQueue borrows a write queue from the loop's pool when the socket has
// none: only a socket with bytes waiting holds one.
func (s *Socket) takeQueue() *buffer.Queue {
	if s.q == nil {
		s.q = poolFor(s.loop).GetQueue()
	}
	return s.q
}

// releaseQueue gives an empty queue back to the loop's pool. Every write
// callback waiting on it has completed by then (the queue is empty), so the
// next queue's offsets starting at 0 confuse nothing; the idle timer's
// progress count carries on through flushedBase.
func (s *Socket) releaseQueue() {
	q := s.q
	if q == nil || q.Len() > 0 {
		return
	}
	if c := s.coldOrNil(); c != nil {
		c.flushedBase += q.Flushed()
	}
	s.q = nil
	poolFor(s.loop).PutQueue(q)
}

// flushedTotal is the number of bytes the kernel took from this socket's
// queues so far, for the idle timer's notion of progress.
func (s *Socket) flushedTotal() uint64 {
	var n uint64
	if c := s.coldOrNil(); c != nil {
		n = c.flushedBase
	}
	if s.q != nil {
		n += s.q.Flushed()
	}
	return n
}
