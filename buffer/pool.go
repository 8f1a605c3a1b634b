package buffer

import "github.com/nodenet/nodenet/internal/sysnet"

// DefaultChunkSize is the chunk size NewPool uses when given 0: the 16 KiB
// default highWaterMark of the Node reference, so a socket that queues up to
// the point where write() starts returning false holds about one chunk.
const DefaultChunkSize = 16 << 10

// slabChunks is how many chunks one slab allocation holds: enough that a loop
// under load allocates rarely, few enough that a retained idle slab is small.
const slabChunks = 64

// DefaultMaxFree is how many free chunks a Pool keeps by default before it
// hands idle slabs back to the garbage collector: two slabs, so a loop whose
// load hovers around a slab boundary does not allocate and free a slab on
// every burst.
const DefaultMaxFree = 2 * slabChunks

// chunk is one fixed-size piece of a slab. Queues hold *chunk rather than
// []byte so that returning it finds its slab without a lookup.
type chunk struct {
	buf  []byte
	slab *slab
	idx  uint8
}

// slab is one allocation of slabChunks chunks. It keeps its own free list so
// the Pool can tell when every chunk of it is free and the whole slab, the unit
// the garbage collector can actually reclaim, may be dropped.
type slab struct {
	chunks [slabChunks]chunk
	free   [slabChunks]uint8 // stack of free chunk indices
	nfree  int
	pos    int // index in Pool.avail, or -1 while the slab has no free chunk
}

// Pool hands out the fixed-size chunks that Queues store bytes in. One Pool
// serves every socket of an event loop: chunks freed by one connection's
// drained queue are reused by the next connection that has to queue, so the
// steady state of a server allocates nothing.
//
// A Pool is not safe for concurrent use; it belongs to one event loop. The zero
// value is a usable Pool with DefaultChunkSize and DefaultMaxFree.
type Pool struct {
	size    int
	maxFree int
	avail   []*slab // slabs with at least one free chunk; the last is used first
	inUse   int
	free    int
	slabs   int

	// rings are spare chunk rings that queues borrow during a burst.
	rings [][]*chunk

	// queues are spare empty Queues (GetQueue, PutQueue): a socket holds a
	// Queue only while it has bytes waiting, so an idle socket pays nothing
	// for one and a slow reader's repeated bursts do not allocate.
	queues []*Queue

	// iov is the gather-write scratch array. It lives in the Pool rather than
	// in each Queue because a loop flushes one queue at a time, so a loop
	// needs one array however many sockets it has, and an idle socket pays
	// nothing for it.
	iov []sysnet.Iovec
}

// PoolStats is a snapshot of a Pool's chunk accounting, for tests and metrics.
type PoolStats struct {
	InUse int // chunks held by queues
	Free  int // chunks on free lists, ready for reuse
	Slabs int // slabs currently retained by the Pool
}

// NewPool returns a Pool of chunkSize-byte chunks; chunkSize <= 0 means
// DefaultChunkSize. Smaller chunks waste less memory per mostly-idle socket,
// larger ones mean fewer iovecs per gather write.
func NewPool(chunkSize int) *Pool {
	if chunkSize <= 0 {
		chunkSize = DefaultChunkSize
	}
	return &Pool{size: chunkSize, maxFree: DefaultMaxFree}
}

// ChunkSize reports the size of the Pool's chunks.
func (p *Pool) ChunkSize() int {
	p.defaults()
	return p.size
}

// SetMaxFree caps how many free chunks the Pool retains; past the cap, slabs
// whose chunks are all free go to the garbage collector, which is how an idle
// server gives back the memory a burst of slow clients made it take. The cap
// is at least one slab (64 chunks) so that a queue that fills and drains in a
// loop does not allocate a slab on every cycle. Slabs already idle beyond the
// new cap are dropped now.
func (p *Pool) SetMaxFree(n int) {
	p.defaults()
	p.maxFree = max(n, slabChunks)
	for i := len(p.avail) - 1; i >= 0 && p.free > p.maxFree; i-- {
		// release moves the last slab into slot i; it was already looked at.
		if p.avail[i].nfree == slabChunks {
			p.release(p.avail[i])
		}
	}
}

// Stats reports how many chunks are in use and free, so tests can check that
// queues return every chunk and that idle memory is given back.
func (p *Pool) Stats() PoolStats {
	return PoolStats{InUse: p.inUse, Free: p.free, Slabs: p.slabs}
}

// defaults makes the zero Pool usable. It is called only off the steady path.
func (p *Pool) defaults() {
	if p.size <= 0 {
		p.size = DefaultChunkSize
	}
	if p.maxFree < slabChunks {
		p.maxFree = DefaultMaxFree
	}
}

// get takes a chunk from the most recently refilled slab, allocating a new
// slab only when no chunk is free.
func (p *Pool) get() *chunk {
	if len(p.avail) == 0 {
		p.grow()
	}
	s := p.avail[len(p.avail)-1]
	s.nfree--
	c := &s.chunks[s.free[s.nfree]]
	if s.nfree == 0 {
		p.avail[len(p.avail)-1] = nil
		p.avail = p.avail[:len(p.avail)-1]
		s.pos = -1
	}
	p.free--
	p.inUse++
	return c
}

// put returns a chunk to its slab and drops the slab if it is now entirely
// free and the Pool holds more free chunks than its cap.
func (p *Pool) put(c *chunk) {
	s := c.slab
	s.free[s.nfree] = c.idx
	s.nfree++
	p.free++
	p.inUse--
	if s.nfree == 1 {
		s.pos = len(p.avail)
		p.avail = append(p.avail, s)
	}
	if s.nfree == slabChunks && p.free > p.maxFree {
		p.release(s)
	}
}

func (p *Pool) grow() {
	p.defaults()
	s := &slab{nfree: slabChunks, pos: len(p.avail)}
	mem := make([]byte, slabChunks*p.size)
	for i := range s.chunks {
		lo, hi := i*p.size, (i+1)*p.size
		s.chunks[i] = chunk{buf: mem[lo:hi:hi], slab: s, idx: uint8(i)}
		// Pop order 0, 1, 2, ...: a queue's chunks are adjacent in memory.
		s.free[i] = uint8(slabChunks - 1 - i)
	}
	p.avail = append(p.avail, s)
	p.free += slabChunks
	p.slabs++
}

// release forgets a slab whose chunks are all free. Nothing else refers to it
// (queues clear the ring slots and iovecs of chunks they return), so the
// garbage collector reclaims it.
func (p *Pool) release(s *slab) {
	last := len(p.avail) - 1
	p.avail[s.pos] = p.avail[last]
	p.avail[s.pos].pos = s.pos
	p.avail[last] = nil
	p.avail = p.avail[:last]
	s.pos = -1
	p.free -= slabChunks
	p.slabs--
}

// maxSpareRings and maxSpareRing bound the rings a Pool keeps for bursts: a
// few, each at most 4096 slots (64 MiB queued at the default chunk size), so
// the Pool's idle memory stays small.
const (
	maxSpareRings = 8
	maxSpareRing  = 4096
)

// getRing lends a ring of at least n slots (n a power of two), the smallest
// spare one that fits, so repeated bursts reuse rings instead of allocating.
func (p *Pool) getRing(n int) []*chunk {
	best := -1
	for i, r := range p.rings {
		if len(r) >= n && (best < 0 || len(r) < len(p.rings[best])) {
			best = i
		}
	}
	if best < 0 {
		return make([]*chunk, n)
	}
	r := p.rings[best]
	last := len(p.rings) - 1
	p.rings[best] = p.rings[last]
	p.rings[last] = nil
	p.rings = p.rings[:last]
	return r
}

// putRing takes back a cleared ring. When the spares are full it replaces the
// smallest one, since a longer ring serves every shorter burst too.
func (p *Pool) putRing(r []*chunk) {
	if len(r) > maxSpareRing {
		return
	}
	if len(p.rings) < maxSpareRings {
		p.rings = append(p.rings, r)
		return
	}
	small := 0
	for i := range p.rings {
		if len(p.rings[i]) < len(p.rings[small]) {
			small = i
		}
	}
	if len(r) > len(p.rings[small]) {
		p.rings[small] = r
	}
}

// iovecs returns the Pool's scratch gather array with length n, growing it
// (rarely: it only grows, up to sysnet.MaxIovecs) when it is too short.
func (p *Pool) iovecs(n int) []sysnet.Iovec {
	if cap(p.iov) < n {
		c := 8
		for c < n {
			c *= 2
		}
		p.iov = make([]sysnet.Iovec, min(c, sysnet.MaxIovecs))
	}
	return p.iov[:n]
}

// maxSpareQueues bounds the empty Queues a Pool keeps: enough for a loop's
// slow readers to borrow and return one per burst without allocating, few
// enough (about 112 KiB) that an idle loop holds little.
const maxSpareQueues = 1024

// GetQueue lends an empty Queue bound to p, a spare one when there is one.
// Give it back with PutQueue once it is empty again.
func (p *Pool) GetQueue() *Queue {
	if n := len(p.queues); n > 0 {
		q := p.queues[n-1]
		p.queues[n-1] = nil
		p.queues = p.queues[:n-1]
		return q
	}
	return NewQueue(p)
}

// PutQueue takes back a Queue lent by GetQueue: it is reset (any bytes left
// are dropped and their chunks returned), and kept for the next GetQueue
// unless the Pool holds enough spares already. The caller must not use q
// afterwards.
func (p *Pool) PutQueue(q *Queue) {
	q.Reset()
	if len(p.queues) < maxSpareQueues {
		q.pool = p
		p.queues = append(p.queues, q)
	}
}
