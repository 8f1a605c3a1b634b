package socket

import "github.com/nodenet/nodenet/encoding"

// The stream state a Node program reads from its net.Socket (the properties
// net.Socket inherits from stream.Duplex). Every getter here reads atomic
// state, so it is exact from any goroutine; the loop changes that state, so
// a value read off the loop is a snapshot that may be stale a moment later,
// as any value shared between goroutines.

// Flowing is Node's readable.readableFlowing, a tri-state: null until
// something decides whether the socket is consumed, true while data flows
// to listeners, false once paused.
type Flowing int8

const (
	// FlowingNull: no data listener, Resume or Pipe yet, and not paused
	// (Node's null). nodenet does not read such a socket's data.
	FlowingNull Flowing = iota
	// FlowingTrue: a data listener, Resume or Pipe started the flow.
	FlowingTrue
	// FlowingFalse: Pause (or PauseOnConnect, or a pipe's backpressure)
	// stopped it.
	FlowingFalse
)

// String is how Node prints the value: "null", "true" or "false".
func (f Flowing) String() string {
	switch f {
	case FlowingTrue:
		return "true"
	case FlowingFalse:
		return "false"
	}
	return "null"
}

// ReadableFlowing is Node's socket.readableFlowing.
func (s *Socket) ReadableFlowing() Flowing {
	st := s.st.Load()
	switch {
	case st&stFlowing != 0:
		return FlowingTrue
	case st&stPaused != 0:
		return FlowingFalse
	}
	return FlowingNull
}

// IsPaused is Node's socket.isPaused(): true after Pause until Resume.
func (s *Socket) IsPaused() bool { return s.is(stPaused) }

// ReadableEnded is Node's socket.readableEnded: 'end' has been emitted.
func (s *Socket) ReadableEnded() bool { return s.is(stEndEmitted) }

// ReadableDidRead is Node's socket.readableDidRead: a 'data' event has been
// emitted on the current connection.
func (s *Socket) ReadableDidRead() bool { return s.is(stDataEmitted) }

// ReadableAborted is Node's socket.readableAborted: the socket was
// destroyed (or errored) before 'end' was emitted.
func (s *Socket) ReadableAborted() bool {
	st := s.st.Load()
	return st&stReadable != 0 && st&(stDestroyed|stErrored) != 0 && st&stEndEmitted == 0
}

// ReadableEncoding is Node's socket.readableEncoding: the encoding given to
// SetEncoding, by Node's canonical name ("utf8", "utf16le", "latin1",
// "hex", ...); "" (Node's null) when data listeners receive raw bytes.
func (s *Socket) ReadableEncoding() string {
	c := s.coldOrNil()
	if c == nil {
		return ""
	}
	if e := encoding.Encoding(c.enc.Load()); e != encoding.Buffer {
		return e.String()
	}
	return ""
}

// ReadableHighWaterMark is Node's socket.readableHighWaterMark. A Node
// socket's highWaterMark option sets both sides, and so does nodenet's; on
// the read side nodenet buffers nothing (see ReadableLength), so the value
// is reported, not used.
func (s *Socket) ReadableHighWaterMark() int { return int(s.hwm) }

// ReadableLength is Node's socket.readableLength: the bytes received and
// held in user space for a reader. It is always 0 in nodenet, on purpose: a
// socket that is not flowing leaves unread data in the kernel, where TCP
// pushes back on the peer (docs/porting.md), and a flowing one hands each
// read to its listeners at once. Node buffers up to highWaterMark instead,
// so a paused Node socket can report more.
func (s *Socket) ReadableLength() int { return 0 }

// WritableEnded is Node's socket.writableEnded: End has been called (from
// any goroutine, the moment it was called). 'finish' may not have followed
// yet: see WritableFinished.
func (s *Socket) WritableEnded() bool { return s.is(endCalled) }

// WritableFinished is Node's socket.writableFinished: 'finish' has been
// emitted (every byte reached the kernel and our FIN was sent).
func (s *Socket) WritableFinished() bool { return s.is(stFinished) }

// WritableNeedDrain is Node's socket.writableNeedDrain: a write returned
// false and 'drain' has not been emitted yet (false once End was called or
// the socket was destroyed, as in Node).
func (s *Socket) WritableNeedDrain() bool {
	return s.st.Load()&(stNeedDrain|stDestroyed|endCalled) == stNeedDrain
}

// WritableCorked is Node's socket.writableCorked: how many Cork calls are
// waiting for their Uncork.
func (s *Socket) WritableCorked() int {
	if c := s.coldOrNil(); c != nil {
		return int(c.corked.Load())
	}
	return 0
}

// Errored is Node's socket.errored: the error the socket was destroyed
// with, nil (Node's null) if none.
func (s *Socket) Errored() error { return s.errorValue() }

// Closed is Node's socket.closed. Node sets it when destroy() has run — the
// handle is closed then — before 'close' is emitted, so it is Destroyed.
func (s *Socket) Closed() bool { return s.is(stDestroyed) }
