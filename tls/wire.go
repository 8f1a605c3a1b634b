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
//     until it has what it needs: Read waits for a whole record the loop
//     received (Input appends bytes under the mutex and signals), and Write
//     posts the records to the loop, which sends them. The goroutine is the
//     only caller of the tls.Conn then; the loop touches only the wire.
//   - After the handshake only the loop uses the tls.Conn, and Read never
//     waits. It hands crypto/tls one whole record at a time, and nothing
//     while no whole record is buffered (errWouldBlock, a temporary
//     net.Error, which crypto/tls's record reader leaves unrecorded). So
//     crypto/tls decrypts only whole records, holds no partial one (its
//     input buffer is empty between records), and pump asks it for
//     plaintext only when a record is there: each crypto/tls read that
//     reaches the wire costs one allocation inside crypto/tls
//     (readFromUntil's atLeastReader), and one record per read makes that
//     one per record received, none for the empty read a burst would end
//     with. A header crypto/tls would reject at once (an unknown type, a
//     length past the limit) is handed over as it is, for crypto/tls to
//     reject. Write sends at once.
type wire struct {
	e *engine

	mu     sync.Mutex
	own    []byte // received bytes crypto/tls has not read, owned
	lent   []byte // loop mode, inside Input: the loop's read buffer
	closed error  // the socket was destroyed: Read fails with this
	// recLeft is what is left to hand out of the record being handed out
	// (loop mode); 0 between records.
	recLeft int
	onLoop  bool // the handshake is over: Read does not wait
	eof     bool // the peer's FIN arrived
	allSent bool // loop mode: every SendRaw since the last reset said true
}

// The record layer's limits, as crypto/tls checks them.
const (
	recordHeaderLen = 5
	maxCiphertext   = 16384 + 2048
)

// errWouldBlock is what Read returns on the loop when nothing is buffered.
var errWouldBlock net.Error = wouldBlock{}

type wouldBlock struct{}

func (wouldBlock) Error() string   { return "nodenet/tls: no complete record buffered" }
func (wouldBlock) Timeout() bool   { return true }
func (wouldBlock) Temporary() bool { return true }

func (w *wire) Read(p []byte) (int, error) {
	w.mu.Lock()
	if !w.onLoop {
		hs := w.e.hs // the handshake goroutine's: dropped only after it is done
		for !w.hasRecord() {
			hs.waiting = true
			hs.cond.Wait()
			hs.waiting = false
		}
	}
	n, err := w.take(p)
	w.mu.Unlock()
	return n, err
}

// take hands out the rest of the current record, or the next whole one.
// The handshake goroutine is framed the same way: were it handed whatever
// had arrived, crypto/tls could end the handshake holding part of a record
// whose rest the loop would then take for a header.
func (w *wire) take(p []byte) (int, error) {
	if w.closed != nil {
		return 0, w.closed
	}
	if w.recLeft == 0 {
		n, ok := w.nextRecord()
		if !ok {
			return w.takeEnd()
		}
		w.recLeft = n
	}
	n := w.copyOut(p[:min(len(p), w.recLeft)])
	w.recLeft -= n
	return n, nil
}

// takeEnd is what take answers when no record is ready.
func (w *wire) takeEnd() (int, error) {
	switch {
	case w.closed != nil:
		return 0, w.closed
	case w.eof:
		return 0, io.EOF
	}
	return 0, errWouldBlock
}

// avail is the number of buffered bytes; at(i) the i-th of them.
func (w *wire) avail() int { return len(w.own) + len(w.lent) }

func (w *wire) at(i int) byte {
	if i < len(w.own) {
		return w.own[i]
	}
	return w.lent[i-len(w.own)]
}

// nextRecord is the length of the record that starts the buffered bytes
// if all of it is there; a header crypto/tls rejects, or the bytes left
// before a FIN, are handed over as they are.
func (w *wire) nextRecord() (int, bool) {
	a := w.avail()
	if a == 0 {
		return 0, false
	}
	if a < recordHeaderLen {
		return a, w.eof
	}
	typ := w.at(0)
	n := recordHeaderLen + (int(w.at(3))<<8 | int(w.at(4)))
	switch {
	case typ < 20 || typ > 24 || n-recordHeaderLen > maxCiphertext:
		return a, true // crypto/tls rejects it from the header
	case n <= a:
		return n, true
	}
	return a, w.eof // a partial record before a FIN: crypto/tls says so
}

// hasRecord reports whether a Read would hand out a record (or the end).
func (w *wire) hasRecord() bool {
	if w.recLeft > 0 || w.eof || w.closed != nil {
		return true
	}
	_, ok := w.nextRecord()
	return ok
}

// copyOut moves up to len(p) buffered bytes into p, oldest first.
func (w *wire) copyOut(p []byte) int {
	n := 0
	if len(w.own) > 0 {
		n = copy(p, w.own)
		w.own = w.own[n:]
		if len(w.own) == 0 {
			w.own = nil // an idle connection keeps no buffer
		}
	}
	if n < len(p) && len(w.lent) > 0 {
		m := copy(p[n:], w.lent)
		w.lent = w.lent[m:]
		n += m
	}
	return n
}

// feed appends bytes for the handshake goroutine (or the wait for a whole
// ClientHello) and wakes the goroutine. It reports whether that made a
// waiting goroutine runnable: it waited for a record, and one is whole.
func (w *wire) feed(b []byte) (woke bool) {
	hs := w.e.hs // not nil: feed is for the handshake
	w.mu.Lock()
	w.own = append(w.own, b...)
	woke = hs.waiting && w.hasRecord()
	w.mu.Unlock()
	hs.cond.Signal()
	return woke
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
	w.wake()
}

func (w *wire) close(err error) {
	w.mu.Lock()
	if w.closed == nil {
		w.closed = err
	}
	w.own = nil
	w.mu.Unlock()
	w.wake()
}

// wake wakes a handshake goroutine waiting in Read, if the handshake is
// not over (loop goroutine: hs is dropped there).
func (w *wire) wake() {
	if hs := w.e.hs; hs != nil {
		hs.cond.Broadcast()
	}
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
	if err := e.t.Loop().Post(func() { e.sendHandshake(b) }); err != nil {
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
