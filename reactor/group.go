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
// connections over the loops (Node's cluster, without processes).
type Group struct {
	loops []*Loop
	next  atomic.Uint64
	pick  Pick
	wg    sync.WaitGroup
	once  sync.Once
	start sync.Once
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
// idle (the group holds a ref on each) until Stop.
func (g *Group) Start() {
	g.start.Do(func() {
		for _, l := range g.loops {
			l := l
			g.wg.Add(1)
			_ = l.Post(func() { l.Ref() })
			go func() {
				defer g.wg.Done()
				_ = l.Run()
			}()
		}
	})
}

// Stop stops every loop (tearing down what is still open on them) and waits
// for their goroutines to return.
func (g *Group) Stop() {
	g.once.Do(func() {
		for _, l := range g.loops {
			l.Stop()
		}
		g.wg.Wait()
	})
}

// Wait blocks until every loop's Run has returned.
func (g *Group) Wait() { g.wg.Wait() }

// Loops returns the group's loops; do not modify the slice.
func (g *Group) Loops() []*Loop { return g.loops }

// Len is the number of loops.
func (g *Group) Len() int { return len(g.loops) }

// Next picks a loop for a new connection by the group's Pick.
func (g *Group) Next() *Loop {
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
