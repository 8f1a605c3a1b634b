package tls

import (
	"sync"
	"sync/atomic"
)

// DefaultMaxHandshakeGoroutines bounds the goroutines that run handshakes
// (see SetMaxHandshakeGoroutines).
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
type handshakePool struct {
	mu      sync.Mutex
	queue   []*engine
	head    int
	running int
}

var (
	pool         handshakePool
	maxHandshake atomic.Int64
)

func init() { maxHandshake.Store(DefaultMaxHandshakeGoroutines) }

// SetMaxHandshakeGoroutines sets how many handshakes may run at once, each
// on its own goroutine (default DefaultMaxHandshakeGoroutines); more wait
// in a queue. n < 1 means 1. Established and idle connections never hold a
// goroutine. It returns the previous bound.
func SetMaxHandshakeGoroutines(n int) int {
	if n < 1 {
		n = 1
	}
	return int(maxHandshake.Swap(int64(n)))
}

// HandshakeStats reports the pool: handshakes running on goroutines now,
// and handshakes waiting for one.
func HandshakeStats() (running, queued int) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	return pool.running, len(pool.queue) - pool.head
}

func (p *handshakePool) submit(e *engine) {
	p.mu.Lock()
	if int64(p.running) < maxHandshake.Load() {
		p.running++
		p.mu.Unlock()
		go p.work(e)
		return
	}
	p.queue = append(p.queue, e)
	p.mu.Unlock()
}

func (p *handshakePool) work(e *engine) {
	for e != nil {
		e.runHandshake()
		e = p.next()
	}
}

func (p *handshakePool) next() *engine {
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
