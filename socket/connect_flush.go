package socket

import "github.com/nodenet/nodenet"

// Writes made while the socket connects wait in the queue. Node's socket
// sends them from a 'connect' listener of its own, added by the first such
// write (_writeGeneric's once('connect')): listeners the user added before
// that write run first and see the bytes still queued, listeners added
// after it run once the bytes went to the kernel. The first write's
// callback runs inside that listener (preceded by 'drain' when a write had
// returned false and everything went out); the other callbacks on the next
// tick. nodenet adds the same listener at the same moment.
//
// A 'connect' listener that destroys the socket before the flush ran leaves
// those writes unsent: Node's listener then fails them with
// ERR_SOCKET_CLOSED and bytesWritten counts none of them (destroyWith). A
// destroy while still connecting fails them with
// ERR_SOCKET_CLOSED_BEFORE_CONNECTION, and bytesWritten keeps counting the
// first write only (Node's _pendingData).

// armConnectFlush adds the flush listener after the first write queued
// while connecting. Loop goroutine.
func (s *Socket) armConnectFlush() {
	c := s.c()
	if c.connectFlushID != 0 || s.q == nil {
		return
	}
	c.connectFirstEnd = s.q.Pushed()
	c.connectFirstLen = s.q.Len()
	c.connectFlushID = newListenerID()
	s.addListener(c.connectFlushID, EventConnect, func() { s.connectFlush() }, true)
}

// connectFlush is that listener.
func (s *Socket) connectFlush() {
	c := s.c()
	c.connectFlushID = 0
	if s.is(stDestroyed) {
		// Destroyed by an earlier 'connect' listener: Node's _writeGeneric
		// finds no handle and fails the writes now, in order, and they no
		// longer count in bytesWritten.
		s.bytesWritten.Add(-int64(c.connectUnsent))
		c.connectUnsent = 0
		pending := c.pending
		c.pending = nil
		for _, p := range pending {
			p.cb(nodenet.ErrSocketClosed)
		}
		return
	}
	if s.has(fCorked) || s.qlen() == 0 || s.isNamedPipe() {
		if s.isNamedPipe() && !s.is(stDestroyed) {
			s.flush()
		}
		return
	}
	// The first write's callback runs here, synchronously, once its bytes
	// are out: take it off the pending list before the flush completes it.
	var first func(error)
	if len(c.pending) > 0 && c.pending[0].end == c.connectFirstEnd {
		first = c.pending[0].cb
		rest := copy(c.pending, c.pending[1:])
		c.pending[rest] = pendingWrite{}
		c.pending = c.pending[:rest]
	}
	firstEnd := c.connectFirstEnd
	s.flush()
	switch {
	case s.is(stDestroyed):
		if first != nil { // the flush itself failed
			err := s.errorValue()
			if err == nil {
				err = nodenet.ErrStreamDestroyed
			}
			s.complete(first, err)
		}
	case s.q == nil || s.q.Flushed() >= firstEnd:
		// Node's afterWrite for the first chunk: 'drain' if nothing is left
		// and a write returned false, then its callback.
		if s.qlen() == 0 && s.is(stNeedDrain) && !s.ending() {
			s.disarmDrain()
			s.emit0(EventDrain)
		}
		if first != nil {
			first(nil)
		}
	default:
		if first != nil { // partly written: it completes with the rest
			c.pending = append(c.pending, pendingWrite{})
			copy(c.pending[1:], c.pending)
			c.pending[0] = pendingWrite{end: firstEnd, cb: first}
		}
	}
}

// connectFlushDestroyed is destroyWith's part, before it drops the queue.
// While connecting, the flush listener goes and bytesWritten keeps the
// first write only. Connected (a 'connect' listener destroyed the socket
// before the flush listener ran), the writes wait for that listener, which
// follows in the same emit: it reports true, and destroyWith leaves the
// pending callbacks alone.
func (s *Socket) connectFlushDestroyed(c *socketCold, wasConnecting bool) (deferred bool) {
	if c == nil || c.connectFlushID == 0 {
		return false
	}
	if wasConnecting {
		s.removeListener(c.connectFlushID) // Node's stays, and would replay on a reconnect
		c.connectFlushID = 0
		// Node's writable buffer is dropped as 'close' is emitted (its
		// listener fails the writes then); its _pendingData still counts.
		c.closeBytesWritten = int64(c.connectFirstLen) + 1
		return false
	}
	c.connectUnsent = s.qlen()
	return true
}
