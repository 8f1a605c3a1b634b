package tls

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nodenet/nodenet/internal/seam"
	"github.com/nodenet/nodenet/reactor"
)

// engineState is where a connection is in its TLS life.
type engineState uint8

const (
	esIdle        engineState = iota // a client waiting for its TCP connection
	esHello                          // a server buffering the ClientHello on the loop
	esHandshaking                    // crypto/tls runs on a pool goroutine
	esSecure                         // established: everything runs on the loop
	esDone                           // failed or destroyed
)

// engine is the seam.Layer of one TLSSocket: crypto/tls between the
// socket's descriptor and its user. It lives inside the TLSSocket (one
// allocation for both) and, but for the handshake goroutine's use of conn
// and wire, is touched only on the socket's loop.
type engine struct {
	// slot is what the socket keeps of its layer (Layer: this engine).
	slot seam.Slot
	t    *TLSSocket
	tr   seam.Transport
	conn *tls.Conn
	// hs is the state only the handshake needs: allocated with the engine
	// and dropped when the handshake is over (handshakeDone), so that an
	// established connection does not carry it.
	hs *handshake
	w  wire

	// plainBuf is the loop's buffer for decrypted records (one record's
	// plaintext at most: 16 KiB), shared by the loop's TLS sockets.
	plainBuf *[]byte

	// plain is one record's plaintext, decrypted while the user did not
	// want data (no data listener, or paused): the engine keeps reading
	// records until one holds data, so that session tickets, key updates
	// and close_notify are seen, and then stops until the user flows.
	plain []byte

	heldSize atomic.Int64 // hs.heldBytes, for BufferSize from any goroutine

	cancelled atomic.Bool // destroyed: a queued handshake is skipped
	server    bool
	state     engineState
	heldFull  bool // a held write returned false: 'drain' follows the release
	endWanted bool // End was called before the handshake finished
	notified  bool // close_notify sent
	ended     bool // EndOfInput reported
	// pumpQueued: a pumpTick is queued.
	pumpQueued bool
	// mayHold: crypto/tls may hold records it read during the handshake
	// (the wire handed it whatever had arrived then); pump reads until it
	// says it has none, then only when the wire has a whole record.
	mayHold bool
}

// handshake is the part of an engine that only its handshake uses.
type handshake struct {
	// cond wakes the handshake goroutine waiting in wire.Read (its L is
	// the wire's mu); waiting says it waits.
	cond    sync.Cond
	waiting bool

	// Writes made before the handshake finished, sent once it has.
	held      []heldWrite
	heldBytes int
	hwm       int // the socket's, for the held writes' return value

	timer *reactor.Timer // the server's handshake timeout

	// Written by the handshake goroutine before it posts handshakeDone.
	err    error
	verify verifyResult

	// sni is the reply channel of an SNICallback the loop is running.
	sni chan sniReply
	// localCert is the certificate this side presents (set by Connect, or
	// by the handshake goroutine as it picks one).
	localCert *x509.Certificate
}

type sniReply struct {
	ctx *SecureContext
	err error
}

// askSNI runs the user's SNICallback on the loop for the handshake
// goroutine, which waits for its answer (or for the socket's end).
func (e *engine) askSNI(fn func(string, func(error, *SecureContext)), name string) (*SecureContext, error) {
	ch := make(chan sniReply, 1)
	err := e.t.Loop().Post(func() {
		if e.state == esDone {
			ch <- sniReply{err: net.ErrClosed}
			return
		}
		e.hs.sni = ch
		var answered atomic.Bool
		e.t.guard(func() {
			fn(name, func(err error, ctx *SecureContext) {
				if !answered.CompareAndSwap(false, true) {
					return
				}
				_ = e.t.Loop().Exec(func() {
					if e.hs != nil && e.hs.sni == ch {
						e.hs.sni = nil
						ch <- sniReply{ctx: ctx, err: err}
					}
				})
			})
		})
	})
	if err != nil {
		return nil, err
	}
	r := <-ch
	return r.ctx, r.err
}

type heldWrite struct {
	p  []byte
	cb func(error)
}

// plainBufKey keys the per-loop plaintext buffer in reactor.Loop.Local.
type plainBufKey struct{}

func plainBufFor(l *reactor.Loop) *[]byte {
	return l.Local(plainBufKey{}, func() any {
		b := make([]byte, maxPlaintext)
		return &b
	}).(*[]byte)
}

// maxPlaintext is the largest plaintext of one TLS record.
const maxPlaintext = 16 << 10

func (e *engine) init(t *TLSSocket, server bool) {
	e.slot.Layer = e
	e.t = t
	e.server = server
	e.w.e = e
	e.hs = &handshake{}
	e.hs.cond.L = &e.w.mu
}

// attach installs the engine on t's socket. Loop goroutine.
func (e *engine) attach() error {

	tr, err := seam.Attach(e.t.Socket, &e.slot)
	if err != nil {
		return err
	}
	e.tr = tr
	e.hs.hwm = e.t.Socket.WritableHighWaterMark()
	e.plainBuf = plainBufFor(tr.Loop())
	return nil
}

// --- seam.Layer ---

// Input takes bytes read from the kernel.
func (e *engine) Input(raw []byte) {
	switch e.state {
	case esHello:
		e.w.feed(raw)
		if helloReady(e.w.own) {
			e.startHandshake()
		}
	case esHandshaking:
		if e.w.feed(raw) {
			yieldToHandshake()
		}
	case esSecure:
		e.w.lent = raw
		e.pump()
		e.w.keep()
	}
}

// InputEOF: the peer's FIN.
func (e *engine) InputEOF() {
	switch e.state {
	case esIdle, esHello:
		e.fail(errHangUp(e.server, nil))
	case esHandshaking:
		e.w.setEOF() // crypto/tls fails with io.EOF: handshakeDone reports it
	case esSecure:
		e.w.setEOF()
		e.pump()
	}
}

// InputError: the kernel read failed (a reset). A server's handshake
// reports it as 'tlsClientError', as Node does ("read ECONNRESET"); else
// the socket errs with it.
func (e *engine) InputError(err error) {
	if e.server && e.t.srv != nil && (e.state == esHello || e.state == esHandshaking) {
		e.fail(err)
		return
	}
	e.state = esDone
	e.tr.Destroy(err)
}

// Write takes the user's plaintext.
func (e *engine) Write(p []byte, cb func(error)) bool {
	switch e.state {
	case esSecure:
		return e.seal(p, cb)
	case esDone:
		return e.tr.SendRaw(nil, cb) // destroyed: cb hears it
	}
	hs := e.hs // not nil: the handshake is not over
	hs.held = append(hs.held, heldWrite{p: append([]byte(nil), p...), cb: cb})
	hs.heldBytes += len(p)
	e.heldSize.Store(int64(hs.heldBytes))
	if hs.heldBytes < hs.hwm {
		return true
	}
	e.heldFull = true
	return false
}

// Shutdown holds the FIN until the handshake is over and close_notify has
// been queued.
func (e *engine) Shutdown() bool {
	switch e.state {
	case esSecure:
		if !e.notified {
			e.notified = true
			_ = e.conn.CloseWrite() // the alert goes out through the wire
		}
		return false
	case esDone:
		return false
	}
	e.endWanted = true
	return true
}

// Connected: the client's TCP connection is up; it speaks first.
func (e *engine) Connected() {
	if e.state == esIdle && !e.server {
		e.startHandshake()
	}
}

// Flow: the user wants data; deliver what is held on the next tick (Node
// resumes on process.nextTick).
func (e *engine) Flow() {
	if e.state != esSecure {
		return
	}
	e.schedulePump()
	e.updateReading()
}

// Pause: the user stopped wanting data.
func (e *engine) Pause() { e.updateReading() }

// Destroyed: the socket is gone; stop the handshake and drop what is held.
func (e *engine) Destroyed() {
	e.stopTimer()
	e.cancelled.Store(true)
	e.w.close(net.ErrClosed)
	e.plain = nil
	e.state = esDone
	hs := e.hs
	if hs == nil {
		return
	}
	if hs.sni != nil {
		hs.sni <- sniReply{err: net.ErrClosed}
		hs.sni = nil
	}
	held := hs.held
	hs.held, hs.heldBytes = nil, 0
	e.heldSize.Store(0)
	for _, h := range held {
		if h.cb != nil {
			e.tr.SendRaw(nil, h.cb) // ERR_STREAM_DESTROYED, on the next tick
		}
	}
}

// --- reading ---

func pumpTick(a any) {
	e := a.(*engine)
	e.pumpQueued = false
	e.pump()
	e.w.keep()
}

func (e *engine) schedulePump() {
	if !e.pumpQueued {
		e.pumpQueued = true
		e.t.Loop().NextTickArg(pumpTick, e)
	}
}

// pump decrypts buffered records and delivers their plaintext while the
// user wants it. crypto/tls decrypts a record only once all of it is
// buffered; when nothing complete is left, the wire says errWouldBlock and
// pump returns (the partial record waits in crypto/tls's input buffer).
func (e *engine) pump() {
	for e.state == esSecure && !e.tr.Destroyed() && !e.ended {
		if e.plain != nil {
			if !e.tr.Flowing() {
				break
			}
			p := e.plain
			e.plain = nil
			e.tr.Deliver(p)
			continue
		}
		if !e.mayHold && !e.w.hasRecord() {
			break // nothing to decrypt: spare crypto/tls a read that allocates
		}
		n, err := e.conn.Read(*e.plainBuf)
		if err == errWouldBlock {
			e.mayHold = false
		}
		if n > 0 {
			if e.tr.Flowing() {
				e.tr.Deliver((*e.plainBuf)[:n])
			} else {
				e.plain = append([]byte(nil), (*e.plainBuf)[:n]...)
			}
		}
		if err != nil {
			if err != errWouldBlock {
				e.readFailed(err)
			}
			break
		}
	}
	e.updateReading()
}

func (e *engine) readFailed(err error) {
	if e.plain != nil {
		// 'end' or the error waits for the data before it (Node delivers
		// buffered data first); pump comes back here when the user flows.
		return
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		// close_notify, a FIN at a record boundary, even a FIN inside a
		// record: Node emits 'end' for all three (checked with Node 26;
		// crypto/tls accepts the second and reports the third).
		e.ended = true
		e.tr.EndOfInput()
		return
	}
	e.state = esDone
	e.tr.Destroy(readError(err))
}

// updateReading tells the socket whether to read the kernel: always while
// handshaking, and afterwards while the user flows or nothing is held.
func (e *engine) updateReading() {
	var want bool
	switch e.state {
	case esHello, esHandshaking:
		want = true
	case esSecure:
		want = !e.ended && (e.plain == nil || e.tr.Flowing())
	}
	e.tr.SetReading(want)
}

// --- writing ---

// seal encrypts p into records that go straight to the socket's kernel
// path (or queue). Returns Node's write() result.
func (e *engine) seal(p []byte, cb func(error)) bool {
	if len(p) == 0 {
		return e.tr.SendRaw(nil, cb)
	}
	e.w.allSent = true
	if _, err := e.conn.Write(p); err != nil {
		if !e.tr.Destroyed() {
			e.state = esDone
			e.tr.Destroy(writeError(err))
		}
		e.tr.SendRaw(nil, cb)
		return false
	}
	ok := e.w.allSent
	if cb != nil {
		// An empty write completes when everything before it has reached
		// the kernel: the last record of p.
		ok = e.tr.SendRaw(nil, cb) && ok
	}
	return ok
}

// sendHandshake sends a record the handshake goroutine wrote.
func (e *engine) sendHandshake(b []byte) {
	if e.state == esDone || e.tr.Destroyed() {
		return
	}
	e.tr.SendRaw(b, nil)
}

// --- handshake ---

// startHandshake queues the handshake on the pool. The server's timer
// started at attach; a client has no handshake timeout (as in Node: its
// socket's own timeout applies).
func (e *engine) startHandshake() {
	e.state = esHandshaking
	e.updateReading()
	e.tr.SetBusy(true) // the loop waits for handshakeDone
	if poolFor(e.server).submit(e) {
		yieldToHandshake()
	}
}

// yieldToHandshake passes the loop's goroutine through the Go scheduler
// right after it made a handshake goroutine runnable (started it, or woke
// it with the peer's next flight), so that the handshake runs now on this
// thread, until it waits for its peer or finishes, and its records are
// sent in the loop's next pass. Without it, with one P (GOMAXPROCS=1, or
// every P busy) the runnable handshake waited behind the loop's next
// epoll_wait until the runtime's monitor (sysmon) took the P from the
// blocked loop and started another thread for it, and the loop, woken by
// the handshake's records, then found its P taken and slept again: ~8
// context switches per TLS 1.3 handshake, and sysmon kept waking every 20
// µs. Measured on tls-hs-ecdsa (perf stat, server pinned to one CPU): 8.1
// context switches and 383 µs of server CPU per handshake before, 0.7 and
// 255-279 µs after (crypto/tls's own server, goroutine per connection,
// 260-276 µs). With an idle P the handshake already runs there and the
// yield costs only a pass through the scheduler.
func yieldToHandshake() { runtime.Gosched() }

// runHandshake runs on a pool goroutine: crypto/tls, then the checks that
// need no user code (certificate chains), off the loop.
func (e *engine) runHandshake() {
	var err error
	if e.cancelled.Load() {
		err = net.ErrClosed
	} else {
		err = e.conn.HandshakeContext(context.Background())
		if err == nil {
			e.hs.verify = e.t.verifyPeer(e.conn.ConnectionState())
		}
	}
	e.hs.err = err
	_ = e.t.Loop().Post(e.handshakeDone)
}

// handshakeDone is the end of the handshake, back on the loop.
func (e *engine) handshakeDone() {
	e.tr.SetBusy(false)
	defer e.dropHandshake()
	if e.state != esHandshaking {
		return
	}
	e.stopTimer()
	e.w.mu.Lock()
	e.w.onLoop = true
	e.w.mu.Unlock()
	if e.tr.Destroyed() {
		e.state = esDone
		return
	}
	if e.hs.err != nil {
		e.fail(handshakeError(e.hs.err, e.server))
		return
	}
	e.state = esSecure
	e.mayHold = true
	if !e.t.secured() {
		return // rejected (the socket is destroyed)
	}
	e.release()
	if e.state != esSecure || e.tr.Destroyed() {
		return
	}
	e.t.emitSecure()
	if e.state != esSecure || e.tr.Destroyed() {
		return
	}
	e.schedulePump() // records that came with the peer's last flight
	e.updateReading()
}

// dropHandshake lets the handshake's state go once the handshake
// goroutine is done with it (it posted handshakeDone) and the loop has
// used it: from here the state is esSecure or esDone, in which nothing
// reads it. Measured: an idle established connection's TLSSocket is 640
// bytes of heap with it inside, and less without (docs/tls.md).
func (e *engine) dropHandshake() {
	e.stopTimer()
	e.hs = nil
}

// release sends the writes held during the handshake, then End's FIN.
func (e *engine) release() {
	held := e.hs.held
	e.hs.held, e.hs.heldBytes = nil, 0
	e.heldSize.Store(0)
	for _, h := range held {
		e.seal(h.p, h.cb)
		if e.state != esSecure {
			return
		}
	}
	if e.heldFull {
		e.heldFull = false
		e.tr.NeedDrain()
	}
	if e.endWanted {
		e.endWanted = false
		e.tr.Shutdown()
	}
}

// fail ends a handshake that did not succeed.
func (e *engine) fail(err error) {
	e.stopTimer()
	e.state = esDone
	e.t.handshakeFailed(err)
}

func (e *engine) stopTimer() {
	if hs := e.hs; hs != nil && hs.timer != nil {
		hs.timer.Stop()
		hs.timer = nil
	}
}

// startTimer arms the server's handshake timeout (Node's handshakeTimeout).
func (e *engine) startTimer(d time.Duration) {
	if d <= 0 {
		return
	}
	e.hs.timer = e.t.Loop().SetTimeout(d, e.timedOut)
	e.hs.timer.Unref()
}

func (e *engine) timedOut() {
	e.hs.timer = nil // the timer runs only while hs is there (stopTimer)
	if e.state != esHello && e.state != esHandshaking {
		return
	}
	e.state = esDone
	e.w.close(net.ErrClosed)
	e.t.handshakeTimedOut()
}

// helloReady reports whether the server's buffered bytes are enough for
// crypto/tls to go without waiting: the whole first handshake message (the
// ClientHello, which may span records), or a first record crypto/tls will
// reject as it stands.
func helloReady(b []byte) bool {
	const maxRecord = 16384 + 2048
	if len(b) > 1<<17 {
		return true
	}
	var hdr [4]byte
	nhdr, have, need := 0, 0, -1
	for off := 0; off+5 <= len(b); {
		if b[off] != 0x16 { // not a handshake record
			return true
		}
		n := int(b[off+3])<<8 | int(b[off+4])
		if n == 0 || n > maxRecord {
			return true
		}
		end := off + 5 + n
		if end > len(b) {
			return false
		}
		payload := b[off+5 : end]
		for nhdr < 4 && len(payload) > 0 {
			hdr[nhdr] = payload[0]
			payload = payload[1:]
			nhdr++
		}
		have += len(payload)
		if nhdr == 4 && need < 0 {
			if hdr[0] != 1 { // not a ClientHello
				return true
			}
			need = int(hdr[1])<<16 | int(hdr[2])<<8 | int(hdr[3])
			if need > 1<<16 {
				return true
			}
		}
		if need >= 0 && have >= need {
			return true
		}
		off = end
	}
	return len(b) >= 5 && b[0] != 0x16
}
