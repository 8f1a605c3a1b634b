package tls_test

import (
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodenet/nodenet/internal/looptest"
	nntls "github.com/nodenet/nodenet/tls"
)

// poolWatch follows the handshake pools through their change events: it
// wakes waiters, and keeps the most goroutines the pools held at any event.
type poolWatch struct {
	changed chan struct{}
	most    atomic.Int64
}

func watchPool(t *testing.T) *poolWatch {
	w := &poolWatch{changed: make(chan struct{}, 1)}
	restore := nntls.OnPoolChange(func() {
		g := int64(nntls.HandshakeGoroutines())
		for m := w.most.Load(); g > m && !w.most.CompareAndSwap(m, g); m = w.most.Load() {
		}
		select {
		case w.changed <- struct{}{}:
		default:
		}
	})
	t.Cleanup(restore)
	return w
}

// wait waits until cond holds for the pools' goroutines, running and
// queued handshakes, failing when the pools did not change for stallGuard.
func (w *poolWatch) wait(t *testing.T, what string, cond func(goroutines, running, queued int) bool) {
	t.Helper()
	stall := time.NewTimer(stallGuard)
	defer stall.Stop()
	for {
		r, q := nntls.HandshakeStats()
		g := nntls.HandshakeGoroutines()
		if cond(g, r, q) {
			return
		}
		select {
		case <-w.changed:
			stall.Reset(stallGuard)
		case <-stall.C:
			t.Fatalf("waiting for %s: the pools did not change for %v (%d goroutines, %d running, %d queued)", what, stallGuard, g, r, q)
		}
	}
}

// echoServer serves the TLS echo on a running loop; stop closes it and
// waits for the loop.
func echoServer(t *testing.T) (port int, stop func()) {
	l := newLoop(t)
	ready := make(chan int, 1)
	var srv *nntls.Server
	l.Post(func() {
		srv = listenTLS(t, l, nntls.ServerOptions{}, func(s *nntls.TLSSocket) { s.Pipe(s.Socket, nil) },
			func(_ *nntls.Server, port int) { ready <- port })
	})
	wait := looptest.GoRun(t, l, hangGuard)
	return <-ready, func() {
		l.Post(func() { srv.Close(nil) })
		wait()
	}
}

// A handshake goroutine that finished waits for the next handshake for
// its linger and takes it (no second goroutine starts); with no handshake
// for its linger it exits, and the pools hold no goroutine.
func TestHandshakeWorkerLingers(t *testing.T) {
	w := watchPool(t)
	w.wait(t, "earlier tests' goroutines to leave", func(g, _, _ int) bool { return g == 0 })
	defer nntls.SetWorkerLinger(time.Hour)()
	port, stop := echoServer(t)
	defer stop()
	if err := echoClient(port, tls.VersionTLS13, 1, 10); err != nil {
		t.Fatal(err)
	}
	w.wait(t, "the worker to park", func(g, r, _ int) bool { return g == 1 && r == 0 })
	w.most.Store(0)
	if err := echoClient(port, tls.VersionTLS13, 1, 10); err != nil {
		t.Fatal(err)
	}
	w.wait(t, "the worker to park again", func(g, r, _ int) bool { return g == 1 && r == 0 })
	if m := w.most.Load(); m != 1 {
		t.Fatalf("the second handshake ran beside the parked worker: %d goroutines at most", m)
	}
	nntls.DismissParkedWorkers()
	w.wait(t, "the dismissed worker to leave", func(g, _, _ int) bool { return g == 0 })

	nntls.SetWorkerLinger(time.Millisecond)
	if err := echoClient(port, tls.VersionTLS13, 1, 10); err != nil {
		t.Fatal(err)
	}
	w.wait(t, "the worker to leave after its linger", func(g, r, _ int) bool { return g == 0 && r == 0 })
}

// A handshake that comes as a parked worker's linger runs out, before the
// worker has left the idle list, is handed to that worker, which runs it
// instead of exiting; no second goroutine starts.
func TestHandshakeWorkerClaimedAsItsLingerEnds(t *testing.T) {
	w := watchPool(t)
	w.wait(t, "earlier tests' goroutines to leave", func(g, _, _ int) bool { return g == 0 })
	defer nntls.SetWorkerLinger(time.Nanosecond)() // runs out at once
	expiring, proceed := make(chan struct{}), make(chan struct{})
	var once sync.Once
	defer nntls.OnExpiring(func() {
		once.Do(func() {
			close(expiring)
			<-proceed
		})
	})()
	port, stop := echoServer(t)
	defer stop()
	if err := echoClient(port, tls.VersionTLS13, 1, 10); err != nil {
		t.Fatal(err)
	}
	select {
	case <-expiring:
	case <-time.After(hangGuard):
		t.Fatal("the parked worker's linger never ran out")
	}
	w.most.Store(0)
	done := make(chan error, 1)
	go func() { done <- echoClient(port, tls.VersionTLS13, 1, 10) }()
	w.wait(t, "the handshake to reach the pool", func(_, r, _ int) bool { return r == 1 })
	if g, m := nntls.HandshakeGoroutines(), w.most.Load(); g != 1 || m != 1 {
		t.Fatalf("the handshake did not go to the expiring worker: %d goroutines (%d at most)", g, m)
	}
	close(proceed)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(hangGuard):
		t.Fatal("the handshake handed to the expiring worker never finished")
	}
	w.wait(t, "the worker to leave", func(g, r, _ int) bool { return g == 0 && r == 0 })
}

// Parked workers count against the bound: a worker that finishes with the
// pool at the bound exits instead of parking, lowering the bound dismisses
// the parked workers over it at once, and a handshake beyond the bound
// queues.
func TestParkedWorkersKeepTheBound(t *testing.T) {
	w := watchPool(t)
	w.wait(t, "earlier tests' goroutines to leave", func(g, _, _ int) bool { return g == 0 })
	defer nntls.SetWorkerLinger(time.Hour)()
	defer nntls.SetMaxHandshakeGoroutines(nntls.SetMaxHandshakeGoroutines(2))
	defer nntls.DismissParkedWorkers()
	port, stop := echoServer(t)
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	closeAll := func(cs []net.Conn) {
		for _, c := range cs {
			c.Close()
		}
	}
	cs := dialStalled(t, port, 2, &wg)
	w.wait(t, "two stalled handshakes", func(_, r, _ int) bool { return r == 2 })
	nntls.SetMaxHandshakeGoroutines(1)
	closeAll(cs)
	w.wait(t, "one worker to exit over the bound, one to park", func(g, r, _ int) bool { return g == 1 && r == 0 })

	nntls.SetMaxHandshakeGoroutines(2)
	cs = dialStalled(t, port, 2, &wg)
	w.wait(t, "two stalled handshakes", func(_, r, _ int) bool { return r == 2 })
	closeAll(cs)
	w.wait(t, "both workers to park", func(g, r, _ int) bool { return g == 2 && r == 0 })
	nntls.SetMaxHandshakeGoroutines(1)
	if g := nntls.HandshakeGoroutines(); g != 1 {
		t.Fatalf("bound lowered to 1 with 2 parked: %d goroutines left", g)
	}

	w.most.Store(0)
	cs = dialStalled(t, port, 2, &wg)
	w.wait(t, "one handshake running, one queued", func(_, r, q int) bool { return r == 1 && q == 1 })
	closeAll(cs)
	w.wait(t, "both handshakes done, one worker parked", func(g, r, q int) bool { return g == 1 && r == 0 && q == 0 })
	if m := w.most.Load(); m != 1 {
		t.Fatalf("bound 1: %d goroutines at most", m)
	}
	nntls.DismissParkedWorkers()
	w.wait(t, "the worker to leave", func(g, _, _ int) bool { return g == 0 })
}
