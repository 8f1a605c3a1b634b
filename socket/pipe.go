package socket

// PipeOptions are Node's readable.pipe(dst, options) options.
type PipeOptions struct {
	// NoEnd keeps dst open when the source ends (Node's {end: false}).
	NoEnd bool
}

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
// 'end' ends dst unless opts.NoEnd. The echo server is c.Pipe(c, nil). dst
// may live on another loop. Returns dst.
func (s *Socket) Pipe(dst *Socket, opts *PipeOptions) *Socket {
	p := &pipeState{src: s, dst: dst}
	s.exec(func() {
		s.pipes = append(s.pipes, p)
		p.dataID = newListenerID()
		s.events.add(p.dataID, EventData, p.onData, false)
		if opts == nil || !opts.NoEnd {
			p.endID = newListenerID()
			s.events.add(p.endID, EventEnd, func() {
				if !p.detached {
					dst.End(nil, nil)
				}
			}, true)
		}
		s.dataListenerAdded()
	})
	return dst
}

func (p *pipeState) onData(b []byte) {
	if p.detached {
		return
	}
	if !p.dst.Send(b, nil) && !p.waiting {
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
}

// detach stops the pipe (on the source's loop).
func (p *pipeState) detach() {
	if p.detached {
		return
	}
	p.detached = true
	p.src.events.remove(p.dataID)
	if p.endID != 0 {
		p.src.events.remove(p.endID)
	}
	if p.drainID != 0 {
		p.dst.RemoveListener(p.drainID)
	}
}

// Unpipe stops piping s into dst (or into every destination when dst is
// nil), as Node's readable.unpipe. The source is not paused or resumed.
func (s *Socket) Unpipe(dst *Socket) {
	s.exec(func() {
		kept := s.pipes[:0]
		for _, p := range s.pipes {
			if dst == nil || p.dst == dst {
				p.detach()
				continue
			}
			kept = append(kept, p)
		}
		s.pipes = kept
	})
}
