package buffer

// inlineRing is how many chunks a Queue tracks without a separate ring
// allocation: 64 KiB at the default chunk size, four times the 16 KiB
// highWaterMark (and Node 22's default), so a socket whose writer heeds
// write() returning false rarely needs more.
const inlineRing = 4

// Queue is one socket's write queue: the bytes that write() accepted but the
// kernel has not yet taken, in order. Its Len is Node's socket.bufferSize, and
// its Pushed and Flushed counters let the socket fire each write's callback,
// and 'drain', exactly when the kernel has taken that write's last byte.
//
// A Queue is not safe for concurrent use: it belongs to its socket's event
// loop. A socket borrows one from its loop's Pool (Pool.GetQueue) only while
// bytes are waiting and gives it back empty (Pool.PutQueue), so an idle
// connection holds none. NewQueue makes one outside a Pool's spares; the
// zero value is an empty Queue that makes a private Pool on first use unless
// Init binds it to one. A Queue must not be copied after first use: its ring
// may point into itself.
type Queue struct {
	pool *Pool

	// ring holds the chunks in order, starting at head; its length is a power
	// of two so indices wrap with a mask. Every chunk in it holds at least one
	// unconsumed byte. It is inline while small; a burst borrows a longer ring
	// from the Pool and gives it back when the queue empties, so neither the
	// steady path nor a repeated burst allocates, and an idle socket holds no
	// ring beyond inline.
	ring   []*chunk
	inline [inlineRing]*chunk
	head   int
	n      int // chunks in ring
	off    int // first unconsumed byte of the head chunk
	end    int // first free byte of the tail chunk

	pushed  uint64
	flushed uint64
}

// NewQueue returns an empty Queue drawing chunks from p, which should be the
// Pool of the event loop that owns the socket.
func NewQueue(p *Pool) *Queue {
	q := new(Queue)
	q.Init(p)
	return q
}

// Init binds a Queue to p, the Pool of the socket's event loop. A nil p gives the Queue a private Pool on first
// use. Init on a Queue that holds bytes resets it first, returning its chunks to
// their old Pool.
func (q *Queue) Init(p *Pool) {
	if q.n > 0 {
		q.Reset()
	}
	q.pool = p
}

// Write appends a copy of p: the part of a socket write the kernel did not
// take. Many small writes share the tail chunk, the way Node's writev batching
// coalesces them, and the steady path allocates nothing: chunks come from the
// Pool and the ring is reused.
func (q *Queue) Write(p []byte) {
	write(q, p)
}

// WriteString is Write for a string, so socket.Write(string) — Node's most
// common form — queues without converting to a []byte first.
func (q *Queue) WriteString(s string) {
	write(q, s)
}

func write[T string | []byte](q *Queue, p T) {
	if len(p) == 0 {
		return
	}
	if q.pool == nil {
		q.pool = NewPool(0)
	}
	q.pushed += uint64(len(p))
	for {
		var tail *chunk
		if q.n > 0 {
			tail = q.ring[(q.head+q.n-1)&(len(q.ring)-1)]
		}
		if tail == nil || q.end == len(tail.buf) {
			tail = q.pool.get()
			q.push(tail)
			q.end = 0
		}
		c := copy(tail.buf[q.end:], p)
		q.end += c
		if c == len(p) {
			return
		}
		p = p[c:]
	}
}

func (q *Queue) push(c *chunk) {
	if q.n == len(q.ring) {
		q.grow()
	}
	q.ring[(q.head+q.n)&(len(q.ring)-1)] = c
	q.n++
}

func (q *Queue) grow() {
	if q.ring == nil {
		q.ring = q.inline[:]
		return
	}
	r := q.pool.getRing(2 * len(q.ring))
	for i := range q.n {
		r[i] = q.ring[(q.head+i)&(len(q.ring)-1)]
	}
	// The outgrown ring is not given back: only the ring a burst ends with
	// is worth keeping, and it serves every smaller burst after it.
	clear(q.ring)
	q.ring, q.head = r, 0
}

// releaseRing clears the ring and, if it is borrowed, gives it back to the
// Pool.
func (q *Queue) releaseRing() {
	clear(q.ring)
	if len(q.ring) > inlineRing {
		q.pool.putRing(q.ring)
		q.ring = q.inline[:]
	}
}

// Len reports the queued bytes the kernel has not taken yet: Node's
// socket.bufferSize, which write() compares with highWaterMark to decide its
// return value, each byte counted once.
func (q *Queue) Len() int {
	return int(q.pushed - q.flushed)
}

// Pushed reports how many bytes were ever written into the Queue. A socket
// records Pushed after queueing a write: that write has reached the kernel
// once Flushed is at least that offset, which is when Node calls its callback.
func (q *Queue) Pushed() uint64 {
	return q.pushed
}

// Flushed reports how many bytes were ever consumed from the Queue, that is
// taken by the kernel. See Pushed.
func (q *Queue) Flushed() uint64 {
	return q.flushed
}

// Consume drops the first n queued bytes after the kernel took them (Flush
// calls it; a socket that writes by other means calls it itself). Emptied
// chunks go back to the Pool at once, so a slow client holds only what it has
// not been sent. Consume panics if n is negative or more than Len, which would
// mean the socket's accounting is wrong.
func (q *Queue) Consume(n int) {
	if n < 0 || n > q.Len() {
		panic("buffer: Consume out of range")
	}
	q.flushed += uint64(n)
	for n > 0 {
		stop := len(q.ring[q.head].buf)
		if q.n == 1 {
			stop = q.end
		}
		avail := stop - q.off
		if n < avail {
			q.off += n
			return
		}
		n -= avail
		q.pop()
	}
}

// pop returns the head chunk to the Pool.
func (q *Queue) pop() {
	q.pool.put(q.ring[q.head])
	q.ring[q.head] = nil
	q.head = (q.head + 1) & (len(q.ring) - 1)
	q.n--
	q.off = 0
	if q.n == 0 {
		q.emptied()
	}
}

func (q *Queue) emptied() {
	q.head, q.off, q.end = 0, 0, 0
	q.releaseRing()
}

// Reset drops every queued byte and returns the chunks to the Pool, for
// destroy(): Node discards a destroyed socket's pending writes (their
// callbacks get ERR_STREAM_DESTROYED, which is the socket's job, so it must
// read what it needs from Pushed and Flushed first). Reset returns the Queue
// to its zero state apart from its Pool: Len, Pushed and Flushed are 0.
func (q *Queue) Reset() {
	for q.n > 0 {
		q.pop()
	}
	q.emptied()
	q.pushed, q.flushed = 0, 0
}

// Peek appends the queued bytes to dst as slices of the chunks, in order,
// without copying: what a completion-based writer (or a test) hands on. The
// slices are valid until the next Consume, Flush or Reset.
func (q *Queue) Peek(dst [][]byte) [][]byte {
	for i := range q.n {
		dst = append(dst, q.segment(i))
	}
	return dst
}

// segment is the unconsumed part of the i'th chunk.
func (q *Queue) segment(i int) []byte {
	b := q.ring[(q.head+i)&(len(q.ring)-1)].buf
	if i == q.n-1 {
		b = b[:q.end]
	}
	if i == 0 {
		b = b[q.off:]
	}
	return b
}
