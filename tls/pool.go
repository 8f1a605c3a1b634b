package tls

import (
	"sync"
	"sync/atomic"
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
//     handshakes until none is left, then exits: with no handshake in
//     progress the pool has no goroutine, however many connections are open.
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
	running int
}

var (
	serverPool, clientPool handshakePool
	maxHandshake           atomic.Int64
	// poolChanged, when set (by the tests, through export_test.go), is
	// called after every change of a pool's running or queued count, so a
	// test waits on that event instead of polling HandshakeStats.
	poolChanged atomic.Pointer[func()]
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

func init() { maxHandshake.Store(DefaultMaxHandshakeGoroutines) }

// SetMaxHandshakeGoroutines sets how many server handshakes, and how many
// client handshakes, may run at once, each on its own goroutine (default
// DefaultMaxHandshakeGoroutines each); more wait in a queue. n < 1 means 1.
// Established and idle connections never hold a goroutine. It returns the
// previous bound.
func SetMaxHandshakeGoroutines(n int) int {
	if n < 1 {
		n = 1
	}
	return int(maxHandshake.Swap(int64(n)))
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

// submit runs e's handshake on a goroutine of the pool, or queues it when
// the pool is full. It reports whether a goroutine took it.
func (p *handshakePool) submit(e *engine) bool {
	p.mu.Lock()
	if int64(p.running) < maxHandshake.Load() {
		p.running++
		p.mu.Unlock()
		notifyPool()
		go p.work(e)
		return true
	}
	p.queue = append(p.queue, e)
	p.mu.Unlock()
	notifyPool()
	return false
}

func (p *handshakePool) work(e *engine) {
	for e != nil {
		e.runHandshake()
		e = p.next()
	}
}

func (p *handshakePool) next() *engine {
	defer notifyPool()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.head < len(p.queue) && int64(p.running) <= maxHandshake.Load() {
		e := p.queue[p.head]
		p.queue[p.head] = nil
		p.head++
		if p.head == len(p.queue) {
			p.queue = p.queue[:0]
			p.head = 0
		}
		return e
	}
	p.running--
	return nil
}
