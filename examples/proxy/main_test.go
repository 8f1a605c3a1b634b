//go:build linux

package main

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// upstreamEcho is a stdlib echo server that forwards a half-close: once a
// client's FIN has come, everything is echoed and its own FIN follows. It
// copies through a buffer (io.Copy between two TCP connections would
// splice through Go's own pipe pool, whose descriptors outlive the test).
func upstreamEcho(t *testing.T) (addr string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, 32<<10)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						if _, werr := c.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						c.(*net.TCPConn).CloseWrite()
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// startProxy runs the proxy on a group of n loops in front of upstream and
// returns its address and a stop function that waits for the loops.
func startProxy(t *testing.T, n int, upstream string) (string, func()) {
	t.Helper()
	host, port, err := hostPort(upstream)
	if err != nil {
		t.Fatal(err)
	}
	g, err := reactor.NewGroup(n, reactor.RoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newProxy(g, host, port)
	if err != nil {
		t.Fatal(err)
	}
	srv.OnError(func(err error) { t.Errorf("proxy: %v", err) })
	g.Start()
	ready := make(chan struct{})
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { close(ready) }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("proxy never listened")
	}
	return srv.Address().String(), func() {
		closed := make(chan struct{})
		srv.Close(func(error) { close(closed) })
		<-closed
		g.Stop()
		for _, l := range g.Loops() {
			<-l.Done()
		}
	}
}

func withSplice(t *testing.T, m socket.PipeSplice) {
	prev := socket.DefaultPipeSplice()
	socket.SetDefaultPipeSplice(m)
	t.Cleanup(func() { socket.SetDefaultPipeSplice(prev) })
}

var modes = []socket.PipeSplice{socket.SpliceNever, socket.SpliceAlways, socket.SpliceAuto}

// TestProxyEveryByte: many clients at once through a proxy on 2 loops, each
// sending random data in random chunks while reading the echo, then
// half-closing: the whole echo comes back, then EOF (the FIN went through
// the proxy both ways). Descriptors return to their count afterwards.
func TestProxyEveryByte(t *testing.T) {
	for _, m := range modes {
		t.Run(m.String(), func(t *testing.T) {
			withSplice(t, m)
			base := openFDs(t)
			up, stopUp := upstreamEcho(t)
			addr, stop := startProxy(t, 2, up)
			const clients = 16
			errs := make(chan error, clients)
			for i := range clients {
				go func() { errs <- client(addr, uint64(i), 512<<10) }()
			}
			for range clients {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
			stop()
			stopUp()
			if n := openFDs(t); n != base {
				t.Errorf("%d descriptors open after the proxy stopped; %d before", n, base)
			}
		})
	}
}

func client(addr string, seed uint64, size int) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(60 * time.Second))
	r := rand.New(rand.NewPCG(seed, 1))
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	werr := make(chan error, 1)
	go func() {
		d := data
		for len(d) > 0 {
			n := min(len(d), 1+r.IntN(96<<10))
			if _, err := c.Write(d[:n]); err != nil {
				werr <- err
				return
			}
			d = d[n:]
		}
		werr <- c.(*net.TCPConn).CloseWrite()
	}()
	got, err := io.ReadAll(c)
	if e := <-werr; e != nil {
		return e
	}
	if err != nil {
		return err
	}
	if !bytes.Equal(got, data) {
		return io.ErrUnexpectedEOF
	}
	return nil
}

// TestProxyUpstreamRefused: with nothing listening upstream, an accepted
// client is closed (it reads EOF or a reset, never hangs) and nothing leaks.
func TestProxyUpstreamRefused(t *testing.T) {
	base := openFDs(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	addr, stop := startProxy(t, 1, dead)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	c.Write([]byte("hello"))
	if _, err := io.ReadAll(c); err != nil && !isReset(err) {
		t.Fatalf("client read %v; want EOF or a reset", err)
	}
	c.Close()
	stop()
	if n := openFDs(t); n != base {
		t.Errorf("%d descriptors open after the proxy stopped; %d before", n, base)
	}
}

// isReset: the proxy destroyed the client (ECONNRESET), not a timeout.
func isReset(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && !ne.Timeout()
}

// TestProxyIdlePairsHoldNoPipes: many proxied connections, each having
// forwarded bytes both ways (spliced), then idle: the process holds their
// sockets and no more than the pools' spare pipes — a pipe per pair would
// be two descriptors per direction.
func TestProxyIdlePairsHoldNoPipes(t *testing.T) {
	withSplice(t, socket.SpliceAlways)
	pairs := 400
	if os.Getenv("NODENET_SOAK") != "" {
		pairs = 4000 // 4 descriptors per pair in this one process: 16,000 of the 20,000 allowed
	}
	base := openFDs(t)
	up, stopUp := upstreamEcho(t)
	addr, stop := startProxy(t, 2, up)
	conns := make([]net.Conn, 0, pairs)
	msg := bytes.Repeat([]byte("x"), 64<<10)
	got := make([]byte, len(msg))
	for range pairs {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		c.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, got); err != nil {
			t.Fatal(err)
		}
	}
	// Each pair: the client, the proxy's two sockets, the upstream's: 4.
	// Spare pipes: at most 32 per loop, 2 descriptors each.
	n := openFDs(t) - base
	if extra := n - 4*pairs; extra < 0 || extra > 2*32*2+8 {
		t.Errorf("%d descriptors for %d idle proxied pairs: %d beyond their sockets; want at most the spare pipes (%d)", n, pairs, extra, 2*32*2)
	}
	for _, c := range conns {
		c.Close()
	}
	stop()
	stopUp()
	if n := openFDs(t); n != base {
		t.Errorf("%d descriptors open after the proxy stopped; %d before", n, base)
	}
}
