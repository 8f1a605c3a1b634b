//go:build linux

package reliability

import (
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/nodenet/nodenet/socket"
)

// TestIdleConnectionHeap reports the server-side heap cost of an idle echo
// connection (Pipe attached), measured with runtime.MemStats around 2,000
// accepts. Reported, not asserted beyond a loose ceiling: the figure feeds
// docs/bench.md's idle-memory target.
func TestIdleConnectionHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("measures, slow-ish")
	}
	const n = 2000
	raiseFDLimit(t)
	var accepted atomic.Int64
	all := make(chan struct{})
	e := newEnv(t, serverOptions(), func(c *socket.Socket) {
		c.Pipe(c, nil)
		if accepted.Add(1) == n {
			close(all)
		}
	})
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	e.cliL.Post(func() {
		for i := 0; i < n; i++ {
			s := e.connect(nil)
			s.OnError(func(error) {})
		}
	})
	wait(t, all, "accepts")
	runtime.ReadMemStats(&m1)
	allocs := float64(m1.Mallocs-m0.Mallocs) / n
	runtime.GC()
	runtime.ReadMemStats(&m1)
	live := float64(int64(m1.HeapAlloc)-int64(m0.HeapAlloc)) / n
	t.Logf("per connection (client and server sides together): %.1f allocations, %.0f live heap bytes", allocs, live)
	if live > 8192 {
		t.Fatalf("%.0f live heap bytes per connection", live)
	}
}
