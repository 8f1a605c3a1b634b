package socket

// Writes from other goroutines.
//
// Send off the loop copies the data and posts the write. Its answer cannot
// wait for the loop, so it is decided at the call from what is known there:
// the bytes queued (BufferSize) plus the bytes of writes posted and not yet
// queued (offLoop), this one included, against the high-water mark. When
// that says false, a 'drain' is owed: the posted write arms it on the loop
// even if the kernel then takes everything at once (which on the loop
// would have answered true and owed nothing) — before this, a producer
// goroutine that followed Node's rule waited for a 'drain' that never came,
// and so did a Pipe into a socket on another loop.
//
// The listener a producer adds after its false is posted too, and may reach
// the loop after the 'drain' went out. So each false is numbered (offFalse)
// and the loop remembers the highest number a drain answered (offDrained):
// a drain listener added from another goroutine captures the number of the
// latest false at the call, and if that false was already answered when the
// listener arrives, the listener is called right away (once) instead of
// waiting for a drain that has been.

// sendOffLoop is Send from a goroutine other than the loop's: b is the
// caller's copy.
func (s *Socket) sendOffLoop(b []byte, cb func(error)) bool {
	n := int64(len(b))
	c := s.c() // safe off the loop: only its atomics are used here
	c.offLoop.Add(n)
	ok := s.bufferSize.Load()+c.offLoop.Load() < int64(s.hwm)
	writable := !s.is(stDestroyed) && !s.is(endCalled)
	if !ok && writable {
		c.offFalse.Add(1)
	}
	if err := s.loop.Post(func() {
		c.offLoop.Add(-n)
		owed := s.is(stNeedDrain)
		s.send(b, cb)
		if !owed {
			// The caller had its answer already: a 'drain' is owed only if
			// that answer was false (armOffLoopDrain), not because the
			// write, decided again here, would have said false.
			s.disarmDrain()
		}
		s.armOffLoopDrain(c)
	}); err != nil {
		c.offLoop.Add(-n)
		failCallback(cb, err)
		return false
	}
	// Node's write() on an ended or destroyed stream returns false (and
	// the posted write reports why to cb).
	return ok && writable
}

// armOffLoopDrain, on the loop after a posted write, turns the falses
// answered off the loop so far into a 'drain' owed: emitted once the queue
// is empty (on the next tick if it is already).
func (s *Socket) armOffLoopDrain(c *socketCold) {
	f := c.offFalse.Load()
	if f <= c.offArmed {
		return
	}
	c.offArmed = f
	if s.is(stDestroyed) || s.ending() {
		return // no 'drain' after destroy or End, as on the loop
	}
	s.armDrain()
	if s.qlen() == 0 {
		s.scheduleDone()
	}
}

// offLoopDrained notes, as 'drain' is emitted, that every false armed so
// far is answered.
func (s *Socket) offLoopDrained() {
	if c := s.coldOrNil(); c != nil {
		c.offDrained = c.offArmed
	}
}

// onDrain adds a 'drain' listener: inline on the loop; from another
// goroutine with the replay rule above (onDrainOffLoop).
func onDrain(s *Socket, fn func(), once bool) ListenerID {
	if s.loop.InLoop() || fn == nil {
		return on(s, EventDrain, fn, once, nil)
	}
	return s.onDrainOffLoop(fn, once)
}

// onDrainOffLoop adds a drain listener from another goroutine. want is the
// latest false answered off the loop when the caller asks (0: none); if
// the loop has already emitted the drain that answers it when the listener
// arrives, fn is called on the next tick — a once-listener instead of
// being added, a lasting one in addition.
func (s *Socket) onDrainOffLoop(fn func(), once bool) ListenerID {
	id := newListenerID()
	var want uint64
	if c := s.coldOrNil(); c != nil {
		want = c.offFalse.Load()
	}
	s.exec(func() {
		c := s.coldOrNil()
		missed := want > 0 && c != nil && want <= c.offDrained
		if !missed || !once {
			s.addListener(id, EventDrain, fn, once)
		}
		if missed {
			s.loop.NextTickArg(func(any) {
				if !s.is(stDestroyed) {
					fn()
				}
			}, s.handler())
		}
	})
	return id
}
