package reactor

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Pick chooses the loop a new connection goes to.
type Pick int

const (
	// RoundRobin hands loops out in turn.
	RoundRobin Pick = iota
	// LeastConnections picks the loop with the fewest registered descriptors.
	LeastConnections
)

// Group is N loops started and stopped together, each on its own goroutine,
// with a pick for where a new connection goes. A server on a Group spreads its
// connections over the loops (Node's cluster, without processes). Every
// method may be called from any goroutine.
type Group struct {
	loops []*Loop
	next  atomic.Uint64
	pick  Pick
	wg    sync.WaitGroup

	mu       sync.Mutex // orders Start's wg.Add before any Stop's wg.Wait
	started  bool
	stopping bool
}

// NewGroup creates n loops (n <= 0 means runtime.NumCPU()), each with opts.
func NewGroup(n int, pick Pick, opts ...Option) (*Group, error) {
	if n <= 0 {
		n = runtime.NumCPU()
	}
	g := &Group{pick: pick}
	for i := 0; i < n; i++ {
		l, err := New(opts...)
		if err != nil {
			for _, o := range g.loops {
				o.Stop()
			}
			return nil, err
		}
		g.loops = append(g.loops, l)
	}
	return g, nil
}

// Start runs every loop on its own goroutine. A Group's loops stay up while
// idle (the group holds a ref on each) until Stop. A second Start, or one
// after Stop, does nothing.
func (g *Group) Start() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.started || g.stopping {
		return
	}
	g.started = true
	for _, l := range g.loops {
		l := l
		g.wg.Add(1)
		_ = l.Post(l.ref)
		go func() {
			defer g.wg.Done()
			_ = l.Run()
		}()
	}
}

// Stop stops every loop (each tears down what is still open on it: see
// Loop.Stop) and waits for their goroutines to return. Called from a
// callback running on one of the group's own loops it cannot wait — that
// loop finishes only once the callback returns — so it asks every loop to
// stop and returns at once; Wait from another goroutine, or each loop's
// Done, tells when they are down. Concurrent and repeated calls are fine:
// each caller off the group's loops waits.
func (g *Group) Stop() {
	g.mu.Lock()
	g.stopping = true
	g.mu.Unlock()
	for _, l := range g.loops {
		l.Stop()
	}
	if g.onOwnLoop() {
		return
	}
	g.wg.Wait()
}

// onOwnLoop reports whether the caller is one of the group's loops.
func (g *Group) onOwnLoop() bool {
	for _, l := range g.loops {
		if l.InLoop() {
			return true
		}
	}
	return false
}

// Wait blocks until every loop's Run has returned. On one of the group's
// own loops it returns at once: waiting there would wait for itself.
func (g *Group) Wait() {
	if g.onOwnLoop() {
		return
	}
	// A barrier: a Start in progress holds mu until it has added to wg, so
	// taking mu once orders this Wait after it.
	g.mu.Lock()
	//lint:ignore SA2001 the empty section is the barrier
	g.mu.Unlock()
	g.wg.Wait()
}

// Loops returns the group's loops; do not modify the slice.
func (g *Group) Loops() []*Loop { return g.loops }

// Len is the number of loops.
func (g *Group) Len() int { return len(g.loops) }

// Next picks a loop for a new connection by the group's Pick (nil for a
// zero Group, which has no loops).
func (g *Group) Next() *Loop {
	if len(g.loops) == 0 {
		return nil
	}
	if g.pick == LeastConnections {
		best := g.loops[0]
		for _, l := range g.loops[1:] {
			if l.Load() < best.Load() {
				best = l
			}
		}
		return best
	}
	return g.loops[(g.next.Add(1)-1)%uint64(len(g.loops))]
}
