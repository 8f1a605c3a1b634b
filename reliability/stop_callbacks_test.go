//go:build linux

package reliability

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// TestServerCallbacksRunAtStop: Server.Close's callback, still waiting for
// open connections, and a GetConnections callback, both accepted just
// before Group.Stop, each run exactly once (Stop keeps every accepted
// callback: issue 12, item 3).
func TestServerCallbacksRunAtStop(t *testing.T) {
	checkLeaks(t)
	for trial := 0; trial < 10; trial++ {
		g, err := reactor.NewGroup(2, reactor.RoundRobin)
		if err != nil {
			t.Fatal(err)
		}
		g.Start()
		const n = 8
		var accepted atomic.Int64
		allAccepted := make(chan struct{})
		srv, _ := server.New(server.Options{Group: g}, func(c *socket.Socket) {
			c.OnError(func(error) {})
			if accepted.Add(1) == n {
				close(allAccepted)
			}
		})
		up := make(chan struct{})
		if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { close(up) }); err != nil {
			t.Fatal(err)
		}
		wait(t, up, "listening")
		info, _ := srv.AddressInfo()
		cl, _ := reactor.NewGroup(1, reactor.RoundRobin)
		cl.Start()
		cl.Loops()[0].Post(func() {
			for i := 0; i < n; i++ {
				s, _ := socket.Connect(socket.ConnectOptions{Loop: cl.Loops()[0], Host: "127.0.0.1", Port: info.Port}, nil)
				s.OnError(func(error) {})
			}
		})
		wait(t, allAccepted, "the server's connections")
		var closeRuns, countRuns atomic.Int32
		ran := make(chan struct{}, 2)
		srv.Close(func(error) { closeRuns.Add(1); ran <- struct{}{} })
		srv.GetConnections(func(error, int) { countRuns.Add(1); ran <- struct{}{} })
		g.Stop()
		for i := 0; i < 2; i++ {
			select {
			case <-ran:
			case <-time.After(30 * time.Second):
				t.Fatalf("trial %d: a callback never ran (Close's %d times, GetConnections' %d)", trial, closeRuns.Load(), countRuns.Load())
			}
		}
		cl.Stop()
		g.Wait()
		if c, k := closeRuns.Load(), countRuns.Load(); c != 1 || k != 1 {
			t.Fatalf("trial %d: Close's callback ran %d times, GetConnections' %d; want 1 each", trial, c, k)
		}
	}
}
