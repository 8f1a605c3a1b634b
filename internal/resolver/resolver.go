// Package resolver runs host-name lookups off the loops: a bounded pool of
// goroutines (libuv's threadpool, not a goroutine per connection) shared by
// every socket's connect and every server's hostname listen.
package resolver

import (
	"sync"

	"github.com/nodenet/nodenet/reactor"
)

// Pool runs jobs on at most max goroutines. Workers start on demand and
// exit when the queue is empty, so an idle process holds none.
type Pool struct {
	mu     sync.Mutex
	max    int
	active int
	queue  []func()
}

// Default is the process-wide pool (4 workers, libuv's UV_THREADPOOL_SIZE).
var Default = &Pool{max: 4}

// SetConcurrency sets how many jobs may run at once (at least 1).
func (p *Pool) SetConcurrency(n int) {
	if n < 1 {
		n = 1
	}
	p.mu.Lock()
	p.max = n
	p.mu.Unlock()
}

// Submit queues job. It runs on one of the pool's goroutines, outside every
// loop: a job that calls user code guards it with Guard.
func (p *Pool) Submit(job func()) {
	p.mu.Lock()
	p.queue = append(p.queue, job)
	start := p.active < p.max
	if start {
		p.active++
	}
	p.mu.Unlock()
	if start {
		go p.work()
	}
}

func (p *Pool) work() {
	for {
		p.mu.Lock()
		if len(p.queue) == 0 {
			p.active--
			p.mu.Unlock()
			return
		}
		job := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		p.mu.Unlock()
		job()
	}
}

// Guard calls a user's lookup function and turns a panic in it into the
// error the caller reports (ERR_NODENET_CALLBACK_PANIC, as a panic in a
// callback on a loop becomes its handle's error). Without it a panicking
// LookupFunc crashed the process: it runs on a pool goroutine, where no
// loop recovers.
func Guard[T any](fn func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			var zero T
			v, err = zero, reactor.PanicError(r)
		}
	}()
	return fn()
}
