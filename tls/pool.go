package tls

import (
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxHandshakeGoroutines bounds the goroutines that run server
// handshakes, and separately those that run client handshakes (see
// SetMaxHandshakeGoroutines).
const DefaultMaxHandshakeGoroutines = 1024

// The handshake pool. crypto/tls's handshake is a blocking function that
// cannot resume after a read that would block, so each handshake runs on a
// goroutine of this pool, process-wide and bounded:
//
//   - A handshake takes a goroutine only once the peer's first flight is
//     buffered (a server waits on its loop, with no goroutine, until the
//     whole ClientHello is in; a client starts at connect, since it speaks
//     first) and gives it back when crypto/tls returns. It holds it while
//     it waits for the peer's next flight (one round trip in TLS 1.3, two
//     in TLS 1.2) and during the key exchange and signature.
//   - Goroutines are started on demand up to the bound; each runs queued
//     handshakes until none is left, then parks for workerLinger (5 ms):
//     a handshake that comes meanwhile goes to a parked goroutine (the
//     last parked first) before a new one is started, and a goroutine to
//     which none came exits. The bound counts parked goroutines too. So
//     a pool with no handshake in progress for 5 ms has no goroutine,
//     however many connections are open.
//   - When the bound is reached, further handshakes wait in a FIFO queue
//     (their bytes stay buffered on the loop) and start as goroutines come
//     free. Their handshake timeout keeps running meanwhile, so a server
//     whose pool is held by peers that stall after their ClientHello serves
//     the queue as those time out (handshakeTimeout, 120 s by default):
//     raise the bound or lower the timeout for such loads.
//   - Server and client handshakes have pools of their own. A handshake
//     waits for its peer; sharing one bound, a process that is both ends of
//     some connections (a proxy, a test) deadlocked: client handshakes took
//     every goroutine and waited for server handshakes queued behind them.
//     With two pools a waiting server handshake's client is always running
//     (it sent its ClientHello), so the wait always ends.
type handshakePool struct {
	mu      sync.Mutex
	queue   []*engine
	head    int
	running int // handshakes on a goroutine of the pool
	// idle are the parked workers, the most recently parked last: a
	// handshake goes to the last one (its stack is grown and warm), and
	// the first ones are those whose linger runs out.
	idle []*worker
}

// worker is a pool goroutine's mailbox while it is parked.
type worker struct {
	next chan *engine // capacity 1: the handshake handed to it, sent once
}

// workerLinger is how long a pool goroutine with no handshake waits for
// the next one before it exits. A fresh goroutine per handshake grew its
// stack through crypto/tls again each time: runtime.morestack and
// copystack were 6.3% of the server's CPU on tls-hs-ecdsa (perf record),
// 1.3% with parked goroutines taking the next handshake, and the CPU per
// handshake went from 244 to 237 µs (medians of 6 alternating runs).
// Between the handshakes of a loaded server a goroutine waits well under
// a millisecond; 5 ms keeps the reuse under bursty load and still lets an
// idle server's pool empty at once on a human scale.
const workerLinger = 5 * time.Millisecond

var (
	serverPool, clientPool handshakePool
	maxHandshake           atomic.Int64
	// linger is workerLinger; the tests change it (export_test.go).
	linger atomic.Int64
	// poolChanged, when set (by the tests, through export_test.go), is
	// called after every change of a pool's running, queued or parked
	// count, so a test waits on that event instead of polling
	// HandshakeStats.
	poolChanged atomic.Pointer[func()]
	// expiring, when set (by the tests), runs in a parked worker whose
	// linger ran out, before it takes the pool's lock to leave.
	expiring atomic.Pointer[func()]
)

func notifyPool() {
	if f := poolChanged.Load(); f != nil {
		(*f)()
	}
}

func poolFor(server bool) *handshakePool {
	if server {
		return &serverPool
	}
	return &clientPool
}

func init() {
	maxHandshake.Store(DefaultMaxHandshakeGoroutines)
	linger.Store(int64(workerLinger))
}

// SetMaxHandshakeGoroutines sets how many server handshakes, and how many
// client handshakes, may run at once, each on its own goroutine (default
// DefaultMaxHandshakeGoroutines each); more wait in a queue. n < 1 means 1.
// The bound counts the goroutines parked between handshakes too: those
// over a lowered bound exit at once. Established and idle connections
// never hold a goroutine. It returns the previous bound.
func SetMaxHandshakeGoroutines(n int) int {
	if n < 1 {
		n = 1
	}
	old := int(maxHandshake.Swap(int64(n)))
	serverPool.dismiss(int64(n))
	clientPool.dismiss(int64(n))
	return old
}

// HandshakeStats reports the pools (server and client together):
// handshakes running on goroutines now, and handshakes waiting for one.
func HandshakeStats() (running, queued int) {
	for _, p := range []*handshakePool{&serverPool, &clientPool} {
		p.mu.Lock()
		running += p.running
		queued += len(p.queue) - p.head
		p.mu.Unlock()
	}
	return running, queued
}

// HandshakeGoroutines reports the goroutines the pools hold (server and
// client together): one per running handshake, plus those that finished a
// handshake less than 5 ms ago and wait for the next (a worker reused
// keeps its grown stack). With no handshake for 5 ms it is 0.
func HandshakeGoroutines() int {
	n := 0
	for _, p := range []*handshakePool{&serverPool, &clientPool} {
		p.mu.Lock()
		n += p.running + len(p.idle)
		p.mu.Unlock()
	}
	return n
}

// submit runs e's handshake on a goroutine of the pool, or queues it when
// the pool is full. It reports whether a goroutine took it.
func (p *handshakePool) submit(e *engine) bool {
	p.mu.Lock()
	if int64(p.running) < maxHandshake.Load() {
		p.running++
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			notifyPool()
			go p.work(e)
			return true
		}
		w := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		w.next <- e // never blocks: a worker leaves idle once and is sent to once
		p.mu.Unlock()
		notifyPool()
		return true
	}
	p.queue = append(p.queue, e)
	p.mu.Unlock()
	notifyPool()
	return false
}

// work runs handshakes until none comes for the linger (or it is handed
// nil: the tests dismiss parked workers so).
func (p *handshakePool) work(e *engine) {
	w := &worker{next: make(chan *engine, 1)}
	var t *time.Timer
	for e != nil {
		e.runHandshake()
		var park bool
		if e, park = p.next(w); !park {
			continue
		}
		d := time.Duration(linger.Load())
		if t == nil {
			t = time.NewTimer(d)
		} else {
			t.Reset(d)
		}
		select {
		case e = <-w.next:
			t.Stop()
		case <-t.C:
			e = p.expire(w)
		}
	}
}

// next is a worker's next handshake: the first queued one, or none, in
// which case the worker exits or, with park, is parked on the idle list.
func (p *handshakePool) next(w *worker) (e *engine, park bool) {
	defer notifyPool()
	p.mu.Lock()
	defer p.mu.Unlock()
	bound := maxHandshake.Load()
	if p.head < len(p.queue) && int64(p.running) <= bound {
		e := p.queue[p.head]
		p.queue[p.head] = nil
		p.head++
		if p.head == len(p.queue) {
			p.queue = p.queue[:0]
			p.head = 0
		}
		return e, false
	}
	p.running--
	if p.head < len(p.queue) || int64(p.running+len(p.idle)) >= bound {
		return nil, false // the bound was lowered: this goroutine goes
	}
	p.idle = append(p.idle, w)
	return nil, true
}

// expire ends a parked worker's linger: it leaves the idle list and exits,
// unless submit took it off the list first, in which case its handshake is
// already on the way.
func (p *handshakePool) expire(w *worker) *engine {
	if f := expiring.Load(); f != nil {
		(*f)()
	}
	p.mu.Lock()
	for i, x := range p.idle {
		if x == w {
			last := len(p.idle) - 1
			copy(p.idle[i:], p.idle[i+1:])
			p.idle[last] = nil
			p.idle = p.idle[:last]
			p.mu.Unlock()
			notifyPool()
			return nil
		}
	}
	p.mu.Unlock()
	return <-w.next
}

// dismiss makes parked workers exit, the longest parked first, until the
// pool's goroutines are within bound.
func (p *handshakePool) dismiss(bound int64) {
	p.mu.Lock()
	k := 0
	for ; k < len(p.idle) && int64(p.running+len(p.idle)-k) > bound; k++ {
		p.idle[k].next <- nil
	}
	if k > 0 {
		n := copy(p.idle, p.idle[k:])
		clear(p.idle[n:])
		p.idle = p.idle[:n]
	}
	p.mu.Unlock()
	if k > 0 {
		notifyPool()
	}
}
