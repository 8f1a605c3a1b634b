//go:build windows

package socket

import (
	"errors"
	"strings"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/seam"
	"github.com/nodenet/nodenet/reactor"
	"golang.org/x/sys/windows"
)

// Windows named pipes (Path: \\.\pipe\name or \\?\pipe\name) as a Socket
// transport. Named pipes have no readiness: I/O on them is overlapped and
// completes on the loop's completion port. The Socket state machine is the
// same as for sockets; only where it would read, write, shut down or close a
// descriptor does it branch to this file (isNamedPipe):
//
//   - reading keeps one overlapped ReadFile in flight, into a buffer the pipe
//     owns, while the socket wants to read; a completion that arrives while
//     the socket is paused (or its flow undecided) is held and delivered on
//     resume, so nothing is lost and nothing more is read (backpressure: the
//     peer's writes stay pending once the pipe's buffer is full);
//   - writing copies the head of the write queue into a pipe-owned buffer
//     and keeps one overlapped WriteFile in flight; the queue is consumed
//     when it completes, so BufferSize, write callbacks and 'drain' mean what
//     they mean for sockets (the bytes are in the pipe);
//   - End: named pipes cannot half-close. As libuv does, once the queue is
//     written 'finish' follows; if the socket is still reading, the pipe is
//     closed (the peer reads EOF) when no data has come for eofTimeout while a
//     read is pending, and 'end' is reported locally; a socket that no
//     longer reads closes at once (finish destroys it);
//   - Destroy cancels both operations and closes the handle.
//
// Memory the kernel writes into (the read buffer, the OVERLAPPEDs inside the
// IOOps) belongs to the namedPipe, which the poller keeps reachable through
// the IOOp until the operation's completion has been dequeued, even after
// the socket let go of it; Go's heap does not move objects.

// eofTimeout is libuv's eof_timeout: after End, how long a pending read may
// go without data before the pipe is closed and EOF reported.
const eofTimeout = 50 * time.Millisecond

// pipeBufferSize is the size of each direction's pipe buffer, of a pipe's
// read buffer and of the most one WriteFile takes (libuv's 65536).
const pipeBufferSize = 64 << 10

// busyRetryLimit is how long Connect keeps retrying a pipe whose instances
// are all busy (libuv's WaitNamedPipe timeout) before ETIMEDOUT.
const busyRetryLimit = 30 * time.Second

type transport struct{ p *namedPipe }

type namedPipe struct {
	s *Socket
	h windows.Handle

	rop  nodenet.IOOp
	wop  nodenet.IOOp
	rbuf []byte
	wbuf []byte
	segs [][]byte

	reading, writing bool
	closed           bool

	// A read completion not delivered yet (paused or undecided flow).
	held, heldOff int
	heldEOF       bool
	deliverQueued bool

	// The completion being handled (set by Done, read by the *Fn methods).
	rn, wn     uint32
	rerr, werr error

	shutdown bool // End wrote everything: the libuv eof timer applies
	eofTimer *reactor.Timer

	onReadFn, onWriteFn, eofFn func()
	deliverFn                  func(any) // deliverHeld as a tick owned by the socket's handler
}

func (s *Socket) isNamedPipe() bool { return s.np.p != nil }

// IsPipeName reports whether path names a Windows named pipe
// (\\.\pipe\name or \\?\pipe\name, either slash), the only Path that
// Connect and Listen accept on Windows.
func IsPipeName(path string) bool {
	p := strings.ReplaceAll(path, "/", `\`)
	for _, prefix := range []string{`\\.\pipe\`, `\\?\pipe\`} {
		if len(p) > len(prefix) && strings.EqualFold(p[:len(prefix)], prefix) {
			return true
		}
	}
	return false
}

// attachPipe makes h, a connected pipe already bound to the loop's port,
// the socket's transport.
func (s *Socket) attachPipe(h windows.Handle) {
	p := &namedPipe{s: s, h: h, rbuf: make([]byte, pipeBufferSize)}
	p.rop.Done = p.readDone
	p.wop.Done = p.writeDone
	p.onReadFn = p.onRead
	p.onWriteFn = p.onWrite
	p.deliverFn = func(any) { p.deliverHeld() }
	p.eofFn = p.eofTimeout
	s.np.p = p
	s.setFD(h)
	s.setKind(kindUnix)
	s.loop.Attach(h, s.handler())
}

func init() {
	seam.NewAcceptedPipe = func(l *reactor.Loop, h windows.Handle, o seam.AcceptOptions) (any, error) {
		return newAcceptedPipe(l, h, o), nil
	}
}

// newAcceptedPipe wraps the server end of a named pipe a client connected
// to (seam.NewAcceptedPipe). h must be bound to l's completion port already
// (the server issued ConnectNamedPipe on it). It runs on l's goroutine; the
// caller emits 'connection'.
func newAcceptedPipe(l *reactor.Loop, h windows.Handle, o seam.AcceptOptions) *Socket {
	s := newSocket(l)
	// Named pipes have no TCP options: only the stream and owner options apply.
	so := acceptedStream(&o)
	so.NoDelay, so.KeepAlive, so.KeepAliveInitialDelay = nil, false, 0
	s.applyAccept(&o, &so)
	s.attachPipe(h)
	s.connected()
	s.updateRef()
	s.updateInterest()
	return s
}

// connectUnix on Windows opens the named pipe Path names. Opening is
// synchronous (CreateFile); 'connect' follows on the next loop iteration,
// as libuv reports it. When every instance of the pipe is busy, it retries
// on a loop timer for up to busyRetryLimit (libuv waits with
// WaitNamedPipe for as long) and then fails with ETIMEDOUT.
func (s *Socket) connectUnix(path string) {
	if !IsPipeName(path) {
		s.failPipeConnect(path, seam.NotPipeNameError("connect", path, 0))
		return
	}
	s.openPipe(path, s.c().connectGen, 0, time.Millisecond)
}

func (s *Socket) openPipe(path string, gen uint64, waited, delay time.Duration) {
	c := s.c()
	name, err := windows.UTF16PtrFromString(seam.PipeOSName(path))
	if err != nil {
		s.failPipeConnect(path, nodenet.NewHostPortError("connect", windows.ERROR_INVALID_PARAMETER, path, 0))
		return
	}
	h, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil,
		windows.OPEN_EXISTING, windows.FILE_FLAG_OVERLAPPED, 0)
	if errors.Is(err, windows.ERROR_PIPE_BUSY) {
		if waited >= busyRetryLimit {
			s.failPipeConnect(path, nodenet.NewHostPortError("connect", windows.ERROR_SEM_TIMEOUT, path, 0))
			return
		}
		s.loop.SetTimeout(delay, func() {
			if c.connectGen == gen && s.is(stConnecting) {
				s.openPipe(path, gen, waited+delay, min(2*delay, 50*time.Millisecond))
			}
		})
		return
	}
	if err != nil {
		s.failPipeConnect(path, nodenet.NewHostPortError("connect", err, path, 0))
		return
	}
	if err := s.loop.AssociateHandle(h); err != nil {
		windows.CloseHandle(h)
		s.failLater(err)
		return
	}
	s.attachPipe(h)
	s.loop.SetImmediate(func() {
		if c.connectGen == gen && s.is(stConnecting) && !s.is(stDestroyed) {
			s.afterConnect()
		}
	})
}

// failPipeConnect fails a pipe connect the way libuv does on Windows: every
// error of uv_pipe_connect2 (no such pipe, every instance busy for too
// long, a name it cannot convert) is reported through the connect
// request's callback, so Node emits 'connectionAttemptFailed' (the path,
// port 0, family 0) and then destroys, as for a Unix socket path.
func (s *Socket) failPipeConnect(path string, e error) {
	c := s.c()
	gen := c.connectGen
	s.loop.SetImmediate(func() {
		if c.connectGen != gen {
			return
		}
		s.emitAttemptFailed(path, 0, 0, e)
		if c.connectGen == gen && !s.is(stDestroyed) {
			s.destroyWith(e)
		}
	})
}

// npUpdate is updateInterest for a pipe: a read in flight while the socket
// wants to read (or the held completion delivered), a write in flight while
// bytes are queued.
func (s *Socket) npUpdate() {
	p := s.np.p
	if p.closed {
		return
	}
	want := s.wantRead()
	s.setReadingNow(want)
	if want {
		if p.held > 0 || p.heldEOF {
			if !p.deliverQueued {
				p.deliverQueued = true
				s.loop.NextTickArg(p.deliverFn, s.handler())
			}
		} else if !p.reading {
			p.startRead()
		}
	}
	if s.qlen() > 0 && !s.has(fCorked) && !p.writing {
		s.npStartWrite()
	}
}

func (p *namedPipe) startRead() {
	s := p.s
	p.rop.Overlapped = windows.Overlapped{}
	if err := s.loop.StartIO(&p.rop); err != nil {
		s.destroyWith(nodenet.NewSyscallError("read", err))
		return
	}
	p.reading = true
	if err := windows.ReadFile(p.h, p.rbuf, nil, &p.rop.Overlapped); err != nil && err != windows.ERROR_IO_PENDING {
		// No completion will come: report this one from the next tick, as
		// if it had (a broken pipe is EOF).
		s.loop.AbortIO(&p.rop)
		p.rn, p.rerr = 0, err
		s.loop.NextTick(p.onReadFn)
		return
	}
	if p.shutdown {
		p.armEOFTimer()
	}
}

// readDone and writeDone run inside the poller's Wait.
func (p *namedPipe) readDone(_ *nodenet.IOOp, n uint32, err error) {
	p.rn, p.rerr = n, err
	p.s.loop.CompleteIO(p.s.handler(), p.onReadFn)
}

func (p *namedPipe) writeDone(_ *nodenet.IOOp, n uint32, err error) {
	p.wn, p.werr = n, err
	p.s.loop.CompleteIO(p.s.handler(), p.onWriteFn)
}

func isPipeEOF(err error) bool {
	return errors.Is(err, windows.ERROR_BROKEN_PIPE) || errors.Is(err, windows.ERROR_PIPE_NOT_CONNECTED) ||
		errors.Is(err, windows.ERROR_NO_DATA)
}

func (p *namedPipe) onRead() {
	p.reading = false
	if p.eofTimer != nil {
		p.eofTimer.Stop()
	}
	s := p.s
	if p.closed || s.is(stDestroyed) {
		return
	}
	n, err := int(p.rn), p.rerr
	switch {
	case err != nil && isPipeEOF(err):
		if s.is(stPaused) {
			p.heldEOF = true
			return
		}
		s.onEOF()
		return
	case err != nil:
		s.destroyWith(nodenet.NewSyscallError("read", err))
		return
	case n == 0:
	case s.is(stFlowing):
		s.bytesRead.Add(int64(n))
		s.touch()
		s.deliver(p.rbuf[:n])
		if s.is(stDestroyed) {
			return
		}
	default:
		// Paused, or nobody decided to read yet: keep the bytes (nothing
		// more is read until the flow resumes).
		s.bytesRead.Add(int64(n))
		s.touch()
		p.held, p.heldOff = n, 0
		if s.flowUndecided() {
			s.dataWaiting()
		}
	}
	s.updateInterest()
}

// deliverHeld hands over a completion kept while the socket was paused.
func (p *namedPipe) deliverHeld() {
	p.deliverQueued = false
	s := p.s
	if p.closed || s.is(stDestroyed) || !s.wantRead() {
		return
	}
	s.dataTaken()
	if p.held > 0 {
		b := p.rbuf[p.heldOff : p.heldOff+p.held]
		p.held, p.heldOff = 0, 0
		s.deliver(b)
		if s.is(stDestroyed) {
			return
		}
	}
	if p.heldEOF {
		p.heldEOF = false
		s.onEOF()
		return
	}
	s.updateInterest()
}

// npStartWrite issues one overlapped WriteFile with the head of the queue.
func (s *Socket) npStartWrite() {
	p := s.np.p
	if p == nil || p.closed || p.writing || s.qlen() == 0 || s.has(fCorked) || !s.open() {
		return
	}
	if p.wbuf == nil {
		p.wbuf = make([]byte, pipeBufferSize)
	}
	p.segs = s.q.Peek(p.segs[:0])
	n := 0
	for _, seg := range p.segs {
		n += copy(p.wbuf[n:], seg)
		if n == len(p.wbuf) {
			break
		}
	}
	clear(p.segs)
	p.wop.Overlapped = windows.Overlapped{}
	if err := s.loop.StartIO(&p.wop); err != nil {
		s.writeFailed(err, nil)
		return
	}
	p.writing = true
	if err := windows.WriteFile(p.h, p.wbuf[:n], nil, &p.wop.Overlapped); err != nil && err != windows.ERROR_IO_PENDING {
		s.loop.AbortIO(&p.wop)
		p.wn, p.werr = 0, err
		s.loop.NextTick(p.onWriteFn)
	}
}

func (p *namedPipe) onWrite() {
	p.writing = false
	s := p.s
	if p.closed || s.is(stDestroyed) {
		return
	}
	if p.werr != nil {
		s.afterFlush(p.werr)
		return
	}
	s.q.Consume(min(int(p.wn), s.qlen()))
	s.afterFlush(nil)
	if !s.is(stDestroyed) {
		s.npStartWrite()
	}
}

// npShutdown is End's FIN on a pipe, after the queue was written: 'finish'
// now, and libuv's eof timer while a read is pending (a socket that does not
// read any more is destroyed by finish, which closes the pipe).
func (s *Socket) npShutdown() {
	p := s.np.p
	s.loop.NextTickArg(finishTick, s.handler())
	p.shutdown = true
	if p.reading {
		p.armEOFTimer()
	}
}

func (p *namedPipe) armEOFTimer() {
	if p.eofTimer == nil {
		p.eofTimer = p.s.loop.SetTimeout(eofTimeout, p.eofFn)
		p.eofTimer.Unref()
		return
	}
	p.eofTimer.Refresh()
}

// eofTimeout: no data came for eofTimeout after End while a read was
// pending. As libuv does, force both ends off and report EOF.
func (p *namedPipe) eofTimeout() {
	s := p.s
	if p.closed || s.is(stDestroyed) || !p.reading {
		return
	}
	p.closeHandle()
	s.onEOF()
}

func (p *namedPipe) closeHandle() {
	if p.closed {
		return
	}
	p.closed = true
	if p.eofTimer != nil {
		p.eofTimer.Stop()
	}
	_ = p.s.loop.Unregister(p.h)
	// Both operations end with ERROR_OPERATION_ABORTED (or their real
	// result); the poller keeps p alive until then.
	_ = windows.CancelIoEx(p.h, nil)
	windows.CloseHandle(p.h)
}

// npClose is destroy's close for a pipe.
func (s *Socket) npClose() {
	p := s.np.p
	p.closeHandle()
	s.np.p = nil
}
