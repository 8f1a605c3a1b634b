package tls

import (
	"io"
	"net"
	"sync"
	"time"
)

// wire is the net.Conn crypto/tls reads records from and writes records to.
// It has two modes:
//
//   - During the handshake a pool goroutine runs crypto/tls, which reads
//     until it has what it needs: Read waits for bytes the loop received
//     (Input appends them under the mutex and signals), and Write posts the
//     records to the loop, which sends them. The goroutine is the only
//     caller of the tls.Conn then; the loop touches only the wire.
//   - After the handshake only the loop uses the tls.Conn, and Read never
//     waits: it hands out what is buffered and otherwise returns
//     errWouldBlock, a temporary net.Error, which crypto/tls's record reader
//     leaves unrecorded (the partial record stays in its buffer), so the next
//     Read resumes where this one stopped. Write sends at once.
type wire struct {
	e *engine

	mu      sync.Mutex
	cond    sync.Cond
	onLoop  bool   // the handshake is over: Read does not wait
	own     []byte // received bytes crypto/tls has not read, owned
	lent    []byte // loop mode, inside Input: the loop's read buffer
	eof     bool   // the peer's FIN arrived
	closed  error  // the socket was destroyed: Read fails with this
	allSent bool   // loop mode: every SendRaw since the last reset said true
}

// errWouldBlock is what Read returns on the loop when nothing is buffered.
var errWouldBlock net.Error = wouldBlock{}

type wouldBlock struct{}

func (wouldBlock) Error() string   { return "nodenet/tls: no complete record buffered" }
func (wouldBlock) Timeout() bool   { return true }
func (wouldBlock) Temporary() bool { return true }

func (w *wire) Read(p []byte) (int, error) {
	w.mu.Lock()
	if !w.onLoop {
		for len(w.own) == 0 && !w.eof && w.closed == nil {
			w.cond.Wait()
		}
	}
	n, err := w.take(p)
	w.mu.Unlock()
	return n, err
}

func (w *wire) take(p []byte) (int, error) {
	switch {
	case len(w.own) > 0:
		n := copy(p, w.own)
		w.own = w.own[n:]
		if len(w.own) == 0 {
			w.own = nil // an idle connection keeps no buffer
		}
		return n, nil
	case len(w.lent) > 0:
		n := copy(p, w.lent)
		w.lent = w.lent[n:]
		return n, nil
	case w.closed != nil:
		return 0, w.closed
	case w.eof:
		return 0, io.EOF
	}
	return 0, errWouldBlock
}

// feed appends bytes for the handshake goroutine (or the wait for a whole
// ClientHello) and wakes the goroutine.
func (w *wire) feed(b []byte) {
	w.mu.Lock()
	w.own = append(w.own, b...)
	w.mu.Unlock()
	w.cond.Signal()
}

// keep copies what crypto/tls left of the loop's read buffer before the
// buffer is reused (the user paused in the middle of a read).
func (w *wire) keep() {
	if len(w.lent) == 0 {
		w.lent = nil
		return
	}
	w.mu.Lock()
	w.own = append(w.own, w.lent...)
	w.mu.Unlock()
	w.lent = nil
}

func (w *wire) setEOF() {
	w.mu.Lock()
	w.eof = true
	w.mu.Unlock()
	w.cond.Broadcast()
}

func (w *wire) close(err error) {
	w.mu.Lock()
	if w.closed == nil {
		w.closed = err
	}
	w.own = nil
	w.mu.Unlock()
	w.cond.Broadcast()
}

func (w *wire) buffered() int {
	w.mu.Lock()
	n := len(w.own)
	w.mu.Unlock()
	return n + len(w.lent)
}

func (w *wire) Write(p []byte) (int, error) {
	e := w.e
	if w.onLoop {
		if e.tr.Destroyed() {
			return 0, net.ErrClosed
		}
		if !e.tr.SendRaw(p, nil) {
			w.allSent = false
		}
		return len(p), nil
	}
	// The handshake goroutine: the loop sends it, in order (Post is FIFO
	// per goroutine, and handshakeDone is posted after the last record).
	b := append([]byte(nil), p...)
	if err := e.loop.Post(func() { e.sendHandshake(b) }); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close is never called by the engine (it never calls tls.Conn.Close).
func (w *wire) Close() error { return nil }

func (w *wire) LocalAddr() net.Addr                { return wireAddr{} }
func (w *wire) RemoteAddr() net.Addr               { return wireAddr{} }
func (w *wire) SetDeadline(t time.Time) error      { return nil }
func (w *wire) SetReadDeadline(t time.Time) error  { return nil }
func (w *wire) SetWriteDeadline(t time.Time) error { return nil }

type wireAddr struct{}

func (wireAddr) Network() string { return "tcp" }
func (wireAddr) String() string  { return "nodenet-socket" }
