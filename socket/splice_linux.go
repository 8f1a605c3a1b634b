//go:build linux

package socket

import (
	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
)

// Pipe by splice(2). An eligible pipe (see PipeSplice and spliceDst) moves a
// readable source's bytes into a kernel pipe lent to the destination
// (spliceIn: splice socket → pipe, then at once pipe → destination), so they
// never enter user space. What the destination cannot take yet stays parked
// in that pipe: the pipe is the head of the destination's write queue. It
// counts toward BufferSize, keeps write interest on, is written out before
// anything Send queues later (flush pumps it first), holds back End's FIN,
// and is dropped by Destroy, exactly as queued bytes are. A source splices
// only while the destination has nothing queued from Send, so the order of
// bytes is always the order in which they were read or sent.
//
// The pipe goes back to its loop's pool the moment it is empty, so an idle
// proxied pair holds no pipe at all and a loop keeps open only the pipes
// that hold bytes plus at most kpipeMaxFree spare ones; when no pipe can be
// had (EMFILE) that read copies instead.
//
// Backpressure follows Node's pipe: after each splice the destination's
// buffered length (parked + queued bytes) is compared with its high-water
// mark, as write() would compare it, and at or above it the source pauses
// until the destination's 'drain' (the inline pipe's own wait, fPipeWait).
// A full kernel pipe counts as a full buffer: a splice into a pipe that
// already holds bytes that fails with EAGAIN means, most likely, that its
// slots are full (the socket's skbs fill one slot per fragment, so that
// can happen below the byte capacity), and the source waits for 'drain'
// rather than spin on a readable socket it cannot move.
//
// SPLICE_F_NONBLOCK makes the pipe side nonblocking; the sockets are. A
// partial move leaves the rest parked. EOF (0 from socket → pipe) is the
// source's EOF. EINVAL or ENOSYS from socket → pipe moved nothing: the
// source copies from then on. From pipe → socket the bytes are already out
// of the source: they are read back out of the pipe into the head of the
// destination's write queue (unsplice), and the destination is never
// spliced into again. Any other error is the error the copy path's read or
// write would have reported, with the same effect.

const (
	// kpipeSize is the capacity asked of each pipe (F_SETPIPE_SZ): 1 MiB,
	// 256 slots, as Go's io.Copy asks of its pipes (maxSpliceSize). One
	// readable event moves everything the source's receive queue holds up
	// to that (spliceIn), in one splice in and one splice out: streaming
	// through the proxy, a 64 KiB cap per event cost 11× the splices per MB
	// and the peers' wakeups that go with each call (docs/performance.md,
	// "How much per splice"). Pipe memory is only the slot array while
	// empty; pages are referenced only while bytes are parked. When the
	// kernel refuses the size (pipe-max-size, the user's pipe quota) the
	// pipe keeps its default capacity and splices less per call.
	kpipeSize = 1 << 20
	// kpipeMaxFree is how many empty pipes a loop keeps for reuse.
	kpipeMaxFree = 32
)

// SpliceAuto's thresholds, from the measurements in docs/performance.md
// ("Pipe: when to splice": splice ÷ copy of proxy CPU is 1.08 at 1 KiB,
// 0.99 at 4 KiB, 1.05 at 16 KiB, 0.73 at 64 KiB): a source
// starts splicing after a copied read of at least spliceOnAt bytes and
// goes back to copying once the running size of its splices (spliceState.
// avg: each splice weighs half, the ones before it the other half) falls
// below spliceOffAt. One small splice is not enough: a large write often
// arrives in two pieces — over loopback a 64 KiB write is a 65,483-byte
// segment (the 65,536-byte MTU less the headers) and a 53-byte one — and
// switching off on the 53 bytes copied the next 64 KiB (docs/performance.md,
// "A message's tail").
const (
	spliceOnAt  = 16 << 10
	spliceOffAt = 4 << 10
)

// kpipe is one kernel pipe: its two ends, its capacity and the bytes in it.
type kpipe struct {
	r, w sysnet.FD
	cap  int
	n    int
}

// kpipePool is a loop's spare pipes. Loop goroutine only.
type kpipePool struct {
	free   []*kpipe
	open   int    // pipes of this loop open now (lent and spare)
	moved  uint64 // bytes spliced into this loop's pipes (tests)
	calls  uint64 // splices from a source that moved bytes (tests)
	closed bool
}

type kpipeKey struct{}

// kpipesFor is l's pool. Loop goroutine only.
func kpipesFor(l *reactor.Loop) *kpipePool {
	return l.Local(kpipeKey{}, func() any {
		p := new(kpipePool)
		if kpipePoolHook != nil {
			kpipePoolHook(l, p)
		}
		return p
	}).(*kpipePool)
}

// kpipePoolHook, when set (tests only), sees each loop's pool made.
var kpipePoolHook func(*reactor.Loop, *kpipePool)

func (p *kpipePool) get() (*kpipe, error) {
	if n := len(p.free); n > 0 {
		k := p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
		return k, nil
	}
	if p.closed {
		return nil, nodenet.ErrLoopStopped
	}
	r, w, c, err := sysnet.Pipe(kpipeSize)
	if err != nil {
		return nil, err
	}
	p.open++
	return &kpipe{r: r, w: w, cap: c}, nil
}

// put takes back an empty pipe, or closes it (bytes still in it are
// dropped: a pipe cannot be emptied without reading them).
func (p *kpipePool) put(k *kpipe) {
	if k.n != 0 || p.closed || len(p.free) >= kpipeMaxFree {
		p.destroy(k)
		return
	}
	p.free = append(p.free, k)
}

func (p *kpipePool) destroy(k *kpipe) {
	sysnet.Close(k.r)
	sysnet.Close(k.w)
	k.r, k.w, k.n = sysnet.Invalid, sysnet.Invalid, 0
	p.open--
}

// Close closes the spare pipes; the loop calls it when it is stopped
// (after its sockets were torn down, which gave their pipes back).
func (p *kpipePool) Close() error {
	for _, k := range p.free {
		p.destroy(k)
	}
	p.free = nil
	p.closed = true
	return nil
}

// spliceState is a socket's part in splicing (in socketCold).
type spliceState struct {
	kp  *kpipe // as a destination: the pipe parking bytes for it, nil when none
	avg int32  // as a source under SpliceAuto: the running size of its splices
	on  bool   // as a source under SpliceAuto: its reads are large, splice them
	off bool   // the kernel refused to splice this socket: copy from now on
}

func spliceable(k sockKind) bool { return k == kindTCP4 || k == kindTCP6 || k == kindUnix }

// spliceDst is the destination the next read of s (a flowing source with an
// inline pipe) may splice into, or nil when it must copy.
func (s *Socket) spliceDst() *Socket {
	mode := PipeSplice(pipeSplice.Load())
	if mode == SpliceNever {
		return nil
	}
	c := s.coldOrNil()
	if mode == SpliceAuto && (c == nil || !c.spl.on) {
		return nil
	}
	if c != nil && (c.spl.off || len(c.pipes) > 0) {
		return nil
	}
	d := s.pipeTo
	if d.loop != s.loop {
		return nil // first: another loop's socket is not ours to read
	}
	if !s.pipeCarriesData() || s.has(fEncoded|fLayered) || d.has(fLayered) || !spliceable(s.kind()) || !spliceable(d.kind()) {
		return nil
	}
	if d.fd == sysnet.Invalid || !d.open() || d.has(fCorked) || d.st.Load()&(stWritable|stDestroyed|stEnding) != stWritable {
		return nil
	}
	if d.q != nil && d.q.Len() > 0 {
		return nil // Send queued bytes: they go first, so copy behind them
	}
	if dc := d.coldOrNil(); dc != nil && dc.spl.off {
		return nil
	}
	if s.ev().Count(EventData) != 0 {
		return nil
	}
	return d
}

// spliceIn serves one readable event of s by splicing into d. It returns
// false, having consumed nothing, when this read must copy instead.
func (s *Socket) spliceIn(d *Socket) bool {
	dc := d.c()
	pool := kpipesFor(s.loop)
	kp := dc.spl.kp
	fresh := kp == nil // d has nothing parked: try to pass the bytes on at once
	if fresh {
		var err error
		if kp, err = pool.get(); err != nil {
			return false
		}
	} else if kp.n >= kp.cap {
		s.spliceWait(d)
		return true
	}
	n, err := sysnet.Splice(kp.w, s.fd, s.spliceRoom(d, kp))
	if n <= 0 {
		if fresh {
			pool.put(kp)
		}
		switch {
		case n == 0:
			s.onEOF()
		case sysnet.IsWouldBlock(err):
			if !fresh {
				s.spliceWait(d) // the pipe is full: wait until d takes some
			}
		case sysnet.IsInterrupted(err):
		case sysnet.IsSpliceUnsupported(err):
			s.c().spl.off = true
			return false
		default:
			s.destroyWith(nodenet.NewSyscallError("read", err))
		}
		return true
	}
	pool.moved += uint64(n)
	pool.calls++
	s.bytesRead.Add(int64(n))
	s.touch()
	d.bytesWritten.Add(int64(n))
	d.touch() // a write to it, for its idle timer, as Send is
	kp.n += n
	if sc := s.c(); sc.spl.on {
		sc.spl.avg = int32((int(sc.spl.avg) + n) / 2)
		if sc.spl.avg < spliceOffAt {
			sc.spl.on = false // small reads: copy them (SpliceAuto)
		}
	}
	if fresh {
		dc.spl.kp = kp
		d.setSpliced(true)
	}
	if d.overMax(d.qlen()) {
		d.bufferFull(nil) // StreamOptions.MaxBufferSize, as enqueue applies it
	} else if fresh {
		d.flush() // pumps the pipe; may destroy d (and s, when d is s)
	} else {
		d.bufferSize.Store(int64(d.qlen()))
	}
	if s.is(stDestroyed) {
		return true
	}
	if d.is(stDestroyed) || d.qlen() >= int(d.hwm) {
		s.spliceWait(d) // write() would have returned false
	}
	return true
}

// spliceRoom is how much one readable event of s may splice into d's pipe
// kp: whatever room the pipe has, so that the source's whole receive queue
// (up to the pipe's capacity) crosses in one splice in and one splice out.
// The bytes never enter user space, and those d cannot take at once stay
// parked in the kernel, counted in d's BufferSize, with the source paused
// until 'drain' — the high-water mark is overshot by at most the pipe's
// capacity, where a copy overshoots by at most the loop's read buffer.
// Under Options.MaxBufferSize the copy's bound applies instead (a read
// buffer at a time), so a splice trips that limit only where a copied read
// would have. One splice of 1 MiB is a fraction of a millisecond of kernel
// time, so one busy source does not starve the loop's others.
func (s *Socket) spliceRoom(d *Socket, kp *kpipe) int {
	n := kp.cap - kp.n
	if dc := d.coldOrNil(); dc != nil && dc.maxBuffer > 0 {
		n = min(n, len(s.loop.ReadBuffer()))
	}
	return n
}

// spliceLearn is SpliceAuto's rule for a copied read of n bytes.
func (s *Socket) spliceLearn(n int) {
	if n >= spliceOnAt && PipeSplice(pipeSplice.Load()) == SpliceAuto {
		c := s.c()
		c.spl.on, c.spl.avg = true, int32(n)
	}
}

// spliceWait pauses s until d drains, as the copy path does when Send
// returns false.
func (s *Socket) spliceWait(d *Socket) {
	d.armDrain()
	s.waitPipeDrain()
}

// splicedLen is the number of bytes parked in the socket's pipe.
func (s *Socket) splicedLen() int { return s.c().spl.kp.n }

// pumpSplice writes what the socket's pipe parks to its descriptor, gives
// the pipe back once it is empty, and reports the write's error as the copy
// path would.
func (s *Socket) pumpSplice() {
	c := s.c()
	kp := c.spl.kp
	m, err := sysnet.Splice(s.fd, kp.r, kp.n)
	if m > 0 {
		kp.n -= m
		c.flushedBase += uint64(m)
		s.touch()
		if kp.n == 0 {
			s.releaseSplice()
		}
		return
	}
	switch {
	case m == 0 || sysnet.IsWouldBlock(err) || sysnet.IsInterrupted(err):
	case sysnet.IsSpliceUnsupported(err):
		c.spl.off = true
		if err := s.unsplice(); err != nil {
			s.writeFailed(err, nil)
		}
	default:
		s.writeFailed(err, nil)
	}
}

func (s *Socket) releaseSplice() {
	c := s.c()
	kpipesFor(s.loop).put(c.spl.kp)
	c.spl.kp = nil
	s.setSpliced(false)
}

// dropSplice is destroy's share: parked bytes are dropped with the pipe, as
// queued bytes are with the queue.
func (s *Socket) dropSplice() {
	if s.has(fSpliced) {
		s.releaseSplice()
	}
}

// unsplice moves the parked bytes back to user space, at the head of the
// write queue, when the kernel refuses to splice into this socket. It is
// the fallback of a fallback and may allocate.
func (s *Socket) unsplice() error {
	c := s.c()
	kp := c.spl.kp
	nq := poolFor(s.loop).GetQueue()
	buf := make([]byte, 16<<10)
	for kp.n > 0 {
		m, err := sysnet.ReadPipe(kp.r, buf[:min(len(buf), kp.n)])
		if m <= 0 {
			poolFor(s.loop).PutQueue(nq)
			if err == nil {
				err = sysnet.EINVAL
			}
			return nodenet.NewSyscallError("splice", err)
		}
		nq.Write(buf[:m])
		kp.n -= m
	}
	s.releaseSplice()
	if old := s.q; old != nil {
		// What Send queued behind the parked bytes follows them; its
		// callbacks' offsets move by the difference.
		f0, shift := old.Flushed(), nq.Len()
		var segs [8][]byte
		for _, seg := range old.Peek(segs[:0]) {
			nq.Write(seg)
		}
		for i := range c.pending {
			c.pending[i].end = c.pending[i].end - f0 + uint64(shift)
		}
		c.flushedBase += f0
		poolFor(s.loop).PutQueue(old)
	}
	s.q = nq
	s.updateInterest() // the queue now holds what the pipe did
	return nil
}
