package socket

// PipeOptions are Node's readable.pipe(dst, options) options.
type PipeOptions struct {
	// NoEnd keeps dst open when the source ends (Node's {end: false}).
	NoEnd bool
}

// A socket's first pipe is kept in the socket itself (pipeTo and the
// fPipe flags): the read path hands data to it directly and emitEnd ends its
// destination, so c.Pipe(c, nil) — the echo server — costs a connection no
// allocation and no listener entries. That is only the same as Node's
// listeners when the pipe's listeners would have come first, so the inline
// form is used when the source has no 'data' or 'end' listener yet; any
// other pipe is a pipeState with listeners of its own.

// pipeState is a pipe served through listener entries (every pipe but an
// inline first one).
type pipeState struct {
	src, dst *Socket
	dataID   ListenerID
	endID    ListenerID
	drainID  ListenerID
	waiting  bool
	detached bool
}

// Pipe sends everything read from s to dst with backpressure both ways: when
// dst's Send returns false s is paused, and dst's 'drain' resumes it; s's
// 'end' ends dst unless opts.NoEnd. As in Node, piping resumes a paused
// source, unless dst is waiting for 'drain' already, in which case s waits
// for it too. The echo server is c.Pipe(c, nil). dst may live on another
// loop. Returns dst.
//
// On Linux a pipe between two TCP or Unix sockets of one loop moves the
// bytes with splice(2) when nothing in user space needs them (no 'data'
// listener, no encoding on s): see PipeSplice. By default (SpliceAuto) it
// splices only while s's reads are large — at 1 KiB a splice costs more
// CPU than the copy, at 64 KiB about 0.75× (docs/performance.md). Everything
// above holds on both paths, bytes parked in the kernel count toward dst's
// BufferSize, and an idle pair holds no kernel pipe (only its two sockets).
func (s *Socket) Pipe(dst *Socket, opts *PipeOptions) *Socket {
	noEnd := opts != nil && opts.NoEnd
	if s.loop.InLoop() {
		s.pipe(dst, noEnd) // no closure on the common path
		return dst
	}
	_ = s.loop.Post(func() { s.pipe(dst, noEnd) })
	return dst
}

func (s *Socket) pipe(dst *Socket, noEnd bool) {
	if s.pipeTo == nil && s.ev().Count(EventData) == 0 && s.ev().Count(EventEnd) == 0 {
		s.pipeTo = dst
		s.pipeAttached(noEnd)
		if dst.loop == s.loop && dst.is(stNeedDrain) {
			s.waitPipeDrain()
		} else {
			s.flow()
		}
		return
	}
	p := &pipeState{src: s, dst: dst}
	c := s.c()
	c.pipes = append(c.pipes, p)
	p.dataID = newListenerID()
	s.addListener(p.dataID, EventData, p.onData, false)
	if !noEnd {
		p.endID = newListenerID()
		s.addListener(p.endID, EventEnd, func() {
			if !p.detached {
				dst.End(nil, nil)
			}
		}, true)
	}
	if dst.loop == s.loop && dst.is(stNeedDrain) {
		p.wait()
	} else {
		s.flow()
	}
}

// pipeData is the inline pipe's 'data' listener.
func (s *Socket) pipeData(b []byte) {
	if !s.pipeTo.Send(b, nil) {
		s.waitPipeDrain()
	}
}

// waitPipeDrain pauses the inline pipe's source until its destination's
// 'drain'.
func (s *Socket) waitPipeDrain() {
	if s.has(fPipeWait) {
		return
	}
	s.pipeWaiting()
	s.pause() // inline: we are on our loop
	c := s.c()
	if c.pipeDrainFn == nil {
		c.pipeDrainFn = s.onPipeDrain
	}
	c.pipeDrainID = s.pipeTo.OnceDrain(c.pipeDrainFn)
	if pipeWaitHook != nil {
		pipeWaitHook(s)
	}
}

// pipeWaitHook, when set (tests only), runs each time an inline pipe has
// paused its source to wait for 'drain'.
var pipeWaitHook func(src *Socket)

// onPipeDrain is the inline pipe's 'drain' listener on its destination,
// which may be on another loop.
func (s *Socket) onPipeDrain() {
	if s.loop.InLoop() {
		s.pipeDrained()
		return
	}
	_ = s.loop.Post(s.pipeDrained)
}

func (s *Socket) pipeDrained() {
	if !s.has(fPipeWait) {
		return // unpiped meanwhile
	}
	s.pipeWaitOver()
	s.c().pipeDrainID = 0
	if s.pipeTo != nil {
		s.flow() // Resume
	}
}

// pipeEnd is the inline pipe's 'end' listener, run before the others.
func (s *Socket) pipeEnd() {
	if s.pipeTo != nil && s.pipeEnds() {
		s.pipeEndDropped() // a once listener in Node: gone after it ran
		s.pipeTo.End(nil, nil)
	}
}

// pipeListeners is how many listeners of ev the inline pipe stands for,
// from any goroutine.
func (s *Socket) pipeListeners(ev EventName) int {
	switch {
	case ev == EventData && s.pipeCarriesData(), ev == EventEnd && s.pipeEnds():
		return 1
	}
	return 0
}

// pipeRemoveAll is RemoveAllListeners for the inline pipe's share: as in
// Node, removing the 'data' listeners stops the data and removing the 'end'
// listeners stops the end.
func (s *Socket) pipeRemoveAll(ev EventName) {
	if s.pipeTo == nil {
		return
	}
	switch ev {
	case EventData:
		s.pipeDataDropped()
	case EventEnd:
		s.pipeEndDropped()
	}
	if !s.pipeCarriesData() && !s.pipeEnds() {
		s.unpipeFirst()
	}
}

// unpipeFirst stops the inline pipe.
func (s *Socket) unpipeFirst() {
	dst := s.pipeTo
	s.pipeTo = nil
	s.pipeDetached()
	if s.has(fPipeWait) {
		s.pipeWaitOver()
		if c := s.coldOrNil(); c != nil && c.pipeDrainID != 0 {
			dst.RemoveListener(c.pipeDrainID)
			c.pipeDrainID = 0
		}
		if c := s.coldOrNil(); c != nil && len(c.pipes) > 0 {
			s.pipeWaitEnded() // the other destinations carry on
		}
	}
}

func (p *pipeState) onData(b []byte) {
	if p.detached {
		return
	}
	if !p.dst.Send(b, nil) {
		p.wait()
	}
}

// wait pauses the source until the destination's 'drain'.
func (p *pipeState) wait() {
	if p.waiting {
		return
	}
	p.waiting = true
	p.src.Pause()
	p.drainID = p.dst.OnceDrain(func() {
		p.src.exec(func() {
			p.waiting = false
			if !p.detached {
				p.src.Resume()
			}
		})
	})
}

// detach stops the pipe (on the source's loop).
func (p *pipeState) detach() {
	if p.detached {
		return
	}
	p.detached = true
	p.src.removeListener(p.dataID)
	if p.endID != 0 {
		p.src.removeListener(p.endID)
	}
	if p.drainID != 0 {
		p.dst.RemoveListener(p.drainID)
	}
	if p.waiting {
		p.waiting = false
		p.src.pipeWaitEnded()
	}
}

// pipeWaitEnded: a destination that held the source paused for its 'drain'
// was unpiped. Node's unpipe runs that pipe's ondrain, so the source flows
// again unless another destination is still waiting; unpipe pauses it anyway
// when no destination is left.
func (s *Socket) pipeWaitEnded() {
	if s.has(fPipeWait) {
		return
	}
	if c := s.coldOrNil(); c != nil {
		for _, q := range c.pipes {
			if q.waiting && !q.detached {
				return
			}
		}
	}
	s.flow()
}

// Unpipe stops piping s into dst (or into every destination when dst is
// nil), as Node's readable.unpipe: once no destination is left the source
// is paused (IsPaused true, ReadableFlowing false), whether or not it has
// data listeners; Resume restarts it. Unpiping a destination it does not
// pipe to changes nothing. Bytes already handed to dst — spliced ones
// parked in the kernel included — are dst's.
func (s *Socket) Unpipe(dst *Socket) {
	s.exec(func() { s.unpipe(dst) })
}

func (s *Socket) unpipe(dst *Socket) {
	removed := false
	if s.pipeTo != nil && (dst == nil || s.pipeTo == dst) {
		s.unpipeFirst()
		removed = true
	}
	c := s.coldOrNil()
	if c != nil {
		kept := c.pipes[:0]
		for _, p := range c.pipes {
			if dst == nil || p.dst == dst {
				p.detach()
				removed = true
				continue
			}
			kept = append(kept, p)
		}
		clear(c.pipes[len(kept):])
		c.pipes = kept
	}
	// Node's unpipe pauses the source once its last destination is gone,
	// data listeners or not (a no-op on a destroyed socket).
	if removed && s.pipeTo == nil && (c == nil || len(c.pipes) == 0) {
		s.pause()
	}
}
