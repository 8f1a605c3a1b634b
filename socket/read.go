package socket

import (
	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/encoding"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
)

// handler is the Socket as its loop sees it: the readiness, panic and stop
// callbacks of reactor.Handler, PanicHandler and Stopper. They are methods
// of this unexported type rather than of Socket so that no user can call
// them (HandleEvent called from another goroutine raced with the loop and
// could index past the write queue); (*handler)(s) is a pointer
// conversion, so registering costs no allocation.
type handler Socket

var (
	_ reactor.Handler      = (*handler)(nil)
	_ reactor.PanicHandler = (*handler)(nil)
	_ reactor.Stopper      = (*handler)(nil)
)

// handler returns the socket's face towards its loop.
func (s *Socket) handler() *handler { return (*handler)(s) }

// HandleEvent is the socket's readiness callback; the loop calls it.
func (h *handler) HandleEvent(ev nodenet.Events) { (*Socket)(h).handleEvent(ev) }

// HandlePanic destroys the socket with the panic a user callback raised
// while the socket was handling an event or running one of its deferred
// steps (close.go's ticks), or with a deferred poller change's failure; the
// loop has logged it.
func (h *handler) HandlePanic(err error) { (*Socket)(h).destroyWith(err) }

// LoopStopped destroys the socket when its loop is stopped under it.
func (h *handler) LoopStopped(err error) { (*Socket)(h).destroyWith(err) }

// handleEvent serves one readiness event.
func (s *Socket) handleEvent(ev nodenet.Events) {
	if s.is(stConnecting) {
		if c := s.coldOrNil(); c != nil && c.attempt != nil {
			s.onConnectEvent(ev)
			return
		}
	}
	if s.fd == sysnet.Invalid || s.is(stDestroyed) {
		return
	}
	if ev&nodenet.EventWrite != 0 && s.qlen() > 0 {
		s.flush()
		if s.is(stDestroyed) {
			return
		}
	}
	if ev&(nodenet.EventRead|nodenet.EventHup|nodenet.EventErr) == 0 {
		return
	}
	if s.has(fReadingNow) {
		s.readOnce()
		return
	}
	if ev&(nodenet.EventHup|nodenet.EventErr) != 0 {
		// Hang-up and error readiness cannot be masked in epoll, and this
		// socket is not reading: surface a pending error, else stop watching
		// until reading resumes, so a level-triggered HUP cannot spin.
		if err := sysnet.SoError(s.fd); err != nil {
			s.readFailed(nodenet.NewSyscallError("read", err))
			return
		}
		if s.qlen() == 0 {
			s.detach()
		}
	}
}

// readOnce reads once into the loop's shared buffer. Level-triggered polling
// brings us back if more is waiting, so one busy peer cannot starve the rest.
func (s *Socket) readOnce() {
	buf := s.loop.ReadBuffer()
	if !s.is(stFlowing) && !s.has(fLayered) {
		s.peekUndecided(buf)
		return
	}
	if s.pipeTo != nil {
		if d := s.spliceDst(); d != nil && s.spliceIn(d) {
			return
		}
	}
	n, err := sysnet.Read(s.fd, buf)
	switch {
	case n > 0 && s.has(fLayered):
		s.touch()
		s.lay().Input(buf[:n]) // it counts and delivers the plaintext
	case n > 0:
		s.bytesRead.Add(int64(n))
		s.touch()
		if s.pipeTo != nil {
			s.spliceLearn(n)
		}
		s.deliver(buf[:n])
	case n == 0 && s.has(fLayered):
		s.eof()
		s.updateInterest()
		s.lay().InputEOF() // it calls onEOF after the plaintext before the FIN
	case n == 0:
		s.onEOF()
	case sysnet.IsWouldBlock(err) || sysnet.IsInterrupted(err):
	default:
		s.readFailed(nodenet.NewSyscallError("read", err))
	}
}

func (s *Socket) deliver(p []byte) {
	if s.has(fEncoded) {
		c := s.c()
		c.decBuf = c.dec.Decode(c.decBuf[:0], p)
		if len(c.decBuf) == 0 {
			return
		}
		p = c.decBuf
	}
	s.dataEmitted()
	if s.pipeTo != nil && s.pipeCarriesData() {
		s.pipeData(p)
	}
	s.emitData(p)
}

// peekUndecided serves a socket that nobody reads from yet (no data
// listener, never paused or resumed). Node's sockets start reading at once
// (read(0) after connect or accept), so a peer's FIN with no data before it
// emits 'end' and 'close' even without a data listener (NC-044, NC-047; a
// client that only writes and ends would otherwise never close). nodenet
// must not consume data nobody asked for, so it peeks: EOF alone is consumed
// as EOF; data stays in the kernel (backpressure, as Node keeps it buffered
// and never emits 'end') and read interest is dropped until a data listener
// or Resume decides the flow.
//
// A socket paused after it started reading is served the same way (see
// wantPeek): Node's pause() leaves the handle reading, so a bare FIN emits
// 'end' (and, without allowHalfOpen, 'finish' and 'close') while paused,
// whereas data that arrives first is kept and 'end' waits for Resume, as in
// Node where it waits in the stream's buffer (verified with Node 20).
func (s *Socket) peekUndecided(buf []byte) {
	n, err := sysnet.Peek(s.fd, buf[:1])
	switch {
	case n > 0:
		s.dataWaiting()
		s.updateInterest()
	case n == 0 && err == nil:
		s.onEOF()
	case sysnet.IsWouldBlock(err) || sysnet.IsInterrupted(err):
	default:
		s.destroyWith(nodenet.NewSyscallError("read", err))
	}
}

// onEOF: the peer shut down its side. 'end' follows on the next tick (after
// the data already delivered), as in Node.
func (s *Socket) onEOF() {
	s.eof()
	s.updateInterest()
	if s.has(fEncoded) {
		c := s.c()
		if rest := c.dec.End(c.decBuf[:0]); len(rest) > 0 {
			c.decBuf = rest
			s.emitData(rest)
			if s.is(stDestroyed) {
				return
			}
		}
	}
	s.loop.NextTickArg(emitEndTick, s.handler())
}

func (s *Socket) emitEnd() {
	if s.is(stDestroyed) || s.is(stEndEmitted) {
		return
	}
	s.endEmitted()
	s.pipeEnd()
	s.emit0(EventEnd)
	if s.is(stDestroyed) {
		return
	}
	switch {
	case !s.is(stAllowHalfOpen) && !s.ending():
		// Node ends our side on the next tick, after 'end' listeners ran.
		s.loop.NextTick(func() {
			if !s.is(stDestroyed) && !s.ending() {
				s.end(nil, nil)
			}
		})
	case s.is(stFinished):
		s.destroyWith(nil)
	}
}

// Pause stops reading: the socket stops polling for readability, so the
// kernel's receive buffer fills and TCP pushes back on the peer. Nothing is
// lost. Returns the socket.
//
// As in Node, a socket paused after it started reading still notices a
// peer's bare FIN: 'end' is emitted (then 'finish' and 'close' unless
// AllowHalfOpen) when no data is waiting; a socket paused before it ever
// read (before or inside its 'connect' listener) notices it on Resume.
func (s *Socket) Pause() *Socket {
	s.exec(s.pause)
	return s
}

// pause is Pause on the loop. On a destroyed socket it does nothing, as
// Node's Readable.pause.
func (s *Socket) pause() {
	if s.is(stDestroyed) {
		return
	}
	s.pausing()
	s.updateInterest()
	if s.has(fLayered) {
		s.lay().Pause()
	}
}

// Resume restarts reading after Pause (or starts it without a data
// listener, in which case the data is discarded, as in Node).
func (s *Socket) Resume() *Socket {
	s.exec(s.flow)
	return s
}

// flow is Resume on the loop. Asking for data also starts the handle
// reading (fReadStarted), even before 'connect' and even if Pause follows:
// in Node, resume() or a data listener calls _read, which starts reading at
// connect whatever pause() did meanwhile (verified with Node 20).
func (s *Socket) flow() {
	if s.is(stDestroyed) {
		return // Node's Readable.resume does nothing once destroyed
	}
	s.flowing()
	s.updateInterest()
	if s.has(fLayered) {
		s.lay().Flow()
	}
}

func (s *Socket) dataListenerAdded() {
	if s.flowUndecided() {
		s.flow()
	}
}

// SetEncoding makes data listeners receive text decoded from that encoding
// (utf8, utf16le/ucs2, latin1/binary, ascii, hex, base64, base64url), as
// UTF-8 bytes; a character split across two reads is held back and never
// split across two data events. "" means utf8, as Node's setEncoding() with
// no argument; "buffer" (nodenet's own) restores raw bytes. An unknown name
// is ERR_UNKNOWN_ENCODING.
func (s *Socket) SetEncoding(name string) error {
	if s.zero() {
		return errZero() // the zero value first, then the argument
	}
	if name == "" {
		name = "utf8"
	}
	enc, err := encoding.Parse(name)
	if err != nil {
		return unknownEncoding(err)
	}
	s.exec(func() {
		c := s.c()
		c.enc.Store(uint32(enc))
		c.dec.Reset(enc)
		s.setEncoded(enc != encoding.Buffer)
	})
	return nil
}

func unknownEncoding(err error) error {
	return &nodenet.Error{Code: nodenet.CodeUnknownEncoding, Message: err.Error(), Err: err}
}

// updateInterest registers exactly the interest the socket's state needs:
// read while flowing, write while bytes are queued (never an idle EPOLLOUT),
// and updates the loop ref, which depends on the same state (updateRef).
func (s *Socket) updateInterest() {
	if s.fd == sysnet.Invalid || !s.open() {
		return
	}
	if s.wantRead() {
		s.readStarted()
	}
	if s.isNamedPipe() {
		s.npUpdate() // keeps a read and a write in flight instead
		s.updateRef()
		return
	}
	s.updateRef()
	want := s.interest()
	s.setReadingNow(want&nodenet.EventRead != 0)
	if s.has(fDetached) {
		if want == 0 {
			return
		}
		if err := s.loop.Register(s.fd, want, s.handler()); err != nil {
			s.destroyWith(err)
			return
		}
		s.setDetached(false)
		return
	}
	if err := s.loop.SetInterest(s.fd, want); err != nil {
		s.destroyWith(err)
	}
}

// interest is what the socket's state needs polled: read while flowing (or
// paused after reading started, to see a bare FIN: wantPeek), write while
// bytes are queued.
func (s *Socket) interest() nodenet.Events {
	var want nodenet.Events
	if s.wantRead() || s.wantPeek() {
		want |= nodenet.EventRead
	}
	if s.qlen() > 0 && (!s.has(fCorked) || s.has(fSpliced)) {
		want |= nodenet.EventWrite
	}
	return want
}

// detach stops watching the descriptor entirely (see handleEvent).
func (s *Socket) detach() {
	if s.has(fDetached) || s.fd == sysnet.Invalid {
		return
	}
	_ = s.loop.Unregister(s.fd)
	s.setDetached(true)
}
