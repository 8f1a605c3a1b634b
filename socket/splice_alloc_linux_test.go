//go:build linux

package socket_test

import (
	"testing"
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// proxyRig is a client, a proxy and an upstream echo server on one loop:
// the proxy pipes each accepted connection both ways to its own connection
// to the upstream (examples/proxy in miniature), and the client bounces one
// message of size bytes through it.
type proxyRig struct {
	l      *reactor.Loop
	client *socket.Socket
	msg    []byte
	got    int
	onEcho func()
	send   func()
}

func newProxyRig(tb testing.TB, size int) *proxyRig {
	tb.Helper()
	l, err := reactor.New()
	if err != nil {
		tb.Fatal(err)
	}
	p := &proxyRig{l: l, msg: make([]byte, size)}
	p.send = func() { p.client.Send(p.msg, nil) }
	ready := make(chan struct{})
	done := make(chan struct{})
	err = l.Post(func() {
		listen(tb, l, server.Options{}, func(c *socket.Socket) { c.Pipe(c, nil) }, func(_ *server.Server, upstream int) {
			listen(tb, l, server.Options{}, func(c *socket.Socket) {
				u, err := socket.Connect(socket.ConnectOptions{Loop: l, Port: upstream, Host: "127.0.0.1"}, nil)
				if err != nil {
					tb.Error(err)
					return
				}
				c.Pipe(u, nil)
				u.Pipe(c, nil)
			}, func(_ *server.Server, port int) {
				p.client, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() { close(ready) })
				p.client.OnData(func(b []byte) {
					p.got += len(b)
					if p.got >= size {
						p.got -= size
						p.onEcho()
					}
				})
			})
		})
	})
	if err != nil {
		tb.Fatal(err)
	}
	go func() { defer close(done); _ = l.Run() }()
	tb.Cleanup(func() {
		l.Stop()
		<-done
	})
	select {
	case <-ready:
	case <-time.After(hangGuard):
		tb.Fatal("proxy rig never connected")
	}
	return p
}

var proxyModes = []pipePath{{"copy", socket.SpliceNever}, {"splice", socket.SpliceAlways}, {"auto", socket.SpliceAuto}}

// TestProxyZeroAllocsPerMessage: a message forwarded through a proxy both
// ways — read, spliced or copied, written, and back — allocates nothing in
// steady state, on every path, for small and large messages.
func TestProxyZeroAllocsPerMessage(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	for _, m := range proxyModes {
		for _, size := range []int{1 << 10, 64 << 10} {
			t.Run(m.name+"/"+itoa(size), func(t *testing.T) {
				prev := socket.DefaultPipeSplice()
				socket.SetDefaultPipeSplice(m.mode)
				t.Cleanup(func() { socket.SetDefaultPipeSplice(prev) })
				p := newProxyRig(t, size)
				echoed := make(chan struct{}, 1)
				p.onEcho = func() { echoed <- struct{}{} }
				roundTrip := func() {
					if err := p.l.Post(p.send); err != nil {
						t.Fatal(err)
					}
					<-echoed
				}
				for range 200 { // warm up pools, pipes and buffers
					roundTrip()
				}
				if avg := testing.AllocsPerRun(1000, roundTrip); avg != 0 {
					t.Fatalf("%.3f allocations per proxied message; want 0", avg)
				}
				if m.mode == socket.SpliceAlways {
					var moved uint64
					done := make(chan struct{})
					p.l.Post(func() { _, _, moved = socket.SpliceStats(p.l); close(done) })
					<-done
					if moved == 0 {
						t.Error("the splice path spliced nothing")
					}
				}
			})
		}
	}
}

// BenchmarkProxy: one message through the proxy rig and back per op (the
// client's work included), per path and size: the in-process view of the
// splice threshold (bench/ has the cross-process one).
func BenchmarkProxy(b *testing.B) {
	for _, m := range proxyModes {
		for _, size := range []int{64, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10} {
			b.Run(m.name+"/"+itoa(size), func(b *testing.B) {
				prev := socket.DefaultPipeSplice()
				socket.SetDefaultPipeSplice(m.mode)
				b.Cleanup(func() { socket.SetDefaultPipeSplice(prev) })
				p := newProxyRig(b, size)
				finished := make(chan struct{})
				n := 0
				b.ReportAllocs()
				b.SetBytes(int64(size))
				err := p.l.Post(func() {
					p.onEcho = func() {
						if n++; n < b.N {
							p.send()
							return
						}
						b.StopTimer()
						close(finished)
					}
					b.ResetTimer()
					p.send()
				})
				if err != nil {
					b.Fatal(err)
				}
				<-finished
			})
		}
	}
}
