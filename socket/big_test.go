//go:build linux

package socket_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"hash"
	"math/rand/v2"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

// echoGroup starts an echo server (c.Pipe(c)) on a Group of n loops and
// returns its port and a stop function.
func echoGroup(t testing.TB, n int) (int, func()) {
	t.Helper()
	g, err := reactor.NewGroup(n, reactor.RoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{Group: g}, func(c *socket.Socket) { c.Pipe(c, nil) })
	if err != nil {
		t.Fatal(err)
	}
	srv.OnError(func(err error) { t.Errorf("echo server: %v", err) })
	g.Start()
	ready := make(chan struct{})
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1", Backlog: 4096}, func() { close(ready) }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ready:
	case <-time.After(hangGuard):
		t.Fatal("echo server never listened")
	}
	a, _ := srv.AddressInfo()
	return a.Port, func() {
		closed := make(chan struct{})
		srv.Close(func(error) { close(closed) })
		select {
		case <-closed:
		case <-time.After(hangGuard):
			t.Error("echo server never closed")
		}
		g.Stop()
	}
}

// echoClient pushes size pseudo-random bytes (its own seed) through the
// echo server with backpressure, and checks the SHA-256 of what comes back.
type echoClient struct {
	s        *socket.Socket
	rng      *rand.ChaCha8
	left     int
	sent     hash.Hash
	recv     hash.Hash
	got      int
	done     bool
	hadError error
}

func (c *echoClient) pump(scratch []byte) {
	for c.left > 0 {
		n := min(len(scratch), c.left)
		b := scratch[:n]
		_, _ = c.rng.Read(b)
		c.sent.Write(b)
		c.left -= n
		if c.left == 0 {
			c.s.End(b, nil)
			return
		}
		if !c.s.Send(b, nil) {
			return // 'drain' calls pump again
		}
	}
}

// TestEchoManyClients1MiB: 1,000 concurrent nodenet clients (on two client
// loops) each push 1 MiB of random bytes through an echo server on a Group
// of two loops; every client gets back exactly what it sent (SHA-256).
func TestEchoManyClients1MiB(t *testing.T) {
	clients, size := 1000, 1<<20
	if testing.Short() {
		clients = 100
	}
	port, stop := echoGroup(t, 2)
	defer stop()

	const clientLoops = 2
	var wg sync.WaitGroup
	results := make([][]*echoClient, clientLoops)
	began := time.Now()
	for li := 0; li < clientLoops; li++ {
		l := newLoop(t)
		li := li
		wg.Add(1)
		go func() {
			defer wg.Done()
			scratch := make([]byte, 64<<10)
			var mine []*echoClient
			err := l.Post(func() {
				for i := li; i < clients; i += clientLoops {
					var seed [32]byte
					seed[0], seed[1] = byte(i), byte(i>>8)
					c := &echoClient{rng: rand.NewChaCha8(seed), left: size, sent: sha256.New(), recv: sha256.New()}
					mine = append(mine, c)
					s, err := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() { c.pump(scratch) })
					if err != nil {
						t.Error(err)
						return
					}
					c.s = s
					s.OnDrain(func() { c.pump(scratch) })
					s.OnData(func(b []byte) { c.got += len(b); c.recv.Write(b) })
					s.OnEnd(func() { c.done = true })
					s.OnError(func(err error) { c.hadError = err })
				}
			})
			if err != nil {
				t.Error(err)
				return
			}
			done := make(chan error, 1)
			go func() { done <- l.Run() }()
			select {
			case err := <-done:
				if err != nil {
					t.Error(err)
				}
			case <-time.After(4 * hangGuard):
				l.Stop()
				<-done
				t.Error("client loop did not finish")
			}
			results[li] = mine
		}()
	}
	wg.Wait()
	ok := 0
	for _, mine := range results {
		for _, c := range mine {
			if c.hadError != nil || !c.done || c.got != size || !bytes.Equal(c.sent.Sum(nil), c.recv.Sum(nil)) {
				t.Errorf("client: error %v, end %v, got %d of %d bytes, hash match %v",
					c.hadError, c.done, c.got, size, bytes.Equal(c.sent.Sum(nil), c.recv.Sum(nil)))
				continue
			}
			ok++
		}
	}
	if ok != clients {
		t.Fatalf("%d of %d clients echoed intact", ok, clients)
	}
	t.Logf("%d clients × %d bytes echoed in %v", clients, size, time.Since(began))
}

// TestSlowReaderBoundedQueue: the server writes 256 MiB (32 MiB with
// -short) to a client that reads in paused bursts. The writer waits for
// 'drain' whenever Send says false, so the queue never passes the high-water
// mark by more than one chunk, and the heap stays bounded.
func TestSlowReaderBoundedQueue(t *testing.T) {
	total := 256 << 20
	if testing.Short() {
		total = 32 << 20
	}
	const chunk = 64 << 10
	l := newLoop(t)
	var (
		maxBuf, falses, drains, sent, got int
		hwm                               int
		baseHeap, maxHeap                 uint64
		grewPastZero                      bool
		errs                              []error
	)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	baseHeap = ms.HeapInuse
	sample := func() {
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > maxHeap {
			maxHeap = ms.HeapInuse
		}
	}
	start(t, l, func() {
		var srv *server.Server
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
			hwm = c.WritableHighWaterMark()
			buf := make([]byte, chunk)
			for i := range buf {
				buf[i] = byte(i)
			}
			var write func()
			write = func() {
				for sent < total {
					ok := c.Send(buf, nil)
					sent += chunk
					if bs := c.BufferSize(); bs > maxBuf {
						maxBuf = bs
					}
					grewPastZero = grewPastZero || c.BufferSize() > 0
					if sent%(16<<20) == 0 {
						sample()
					}
					if !ok {
						falses++
						return
					}
				}
				c.End(nil, nil)
			}
			c.OnDrain(func() {
				drains++
				write()
			})
			c.OnError(func(err error) { errs = append(errs, err) })
			write()
		}, func(_ *server.Server, port int) {
			var s *socket.Socket
			s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, nil)
			reads := 0
			s.OnData(func(b []byte) {
				got += len(b)
				// Every 8th read, stop for a while: the server's queue
				// fills and it must wait for 'drain'.
				if reads++; reads%8 == 0 {
					s.Pause()
					l.SetTimeout(time.Millisecond, func() { s.Resume() })
				}
			})
			s.OnError(func(err error) { errs = append(errs, err) })
			s.OnClose(func(bool) { srv.Close(nil) })
		})
	})
	sample()
	if len(errs) > 0 || got != total {
		t.Fatalf("errors %v, received %d of %d", errs, got, total)
	}
	if falses == 0 || drains != falses || !grewPastZero {
		t.Fatalf("Send returned false %d times, 'drain' fired %d times, queue grew %v", falses, drains, grewPastZero)
	}
	if maxBuf >= hwm+chunk {
		t.Fatalf("max BufferSize %d; want < highWaterMark %d + chunk %d", maxBuf, hwm, chunk)
	}
	if growth := int64(maxHeap) - int64(baseHeap); growth > 64<<20 {
		t.Fatalf("heap in use grew by %d MiB", growth>>20)
	}
	t.Logf("%d MiB: max BufferSize %d, %d false/drain, heap growth %d KiB", total>>20, maxBuf, falses, (int64(maxHeap)-int64(baseHeap))>>10)
}

// TestPeerResetMidWrite: the peer (a stdlib connection with SO_LINGER 0)
// resets while the server is writing. The server socket emits exactly one
// error — ECONNRESET or EPIPE, matching both errors.Is on the errno and the
// Node code — then close(true); no descriptor or goroutine is left.
func TestPeerResetMidWrite(t *testing.T) {
	freePort(t) // make sure the Go runtime's own poller descriptor exists
	before := fdCount(t)
	l := newLoop(t)
	var errs []error
	var closes []bool
	var peerDone chan struct{}
	start(t, l, func() {
		var srv *server.Server
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
			buf := make([]byte, 64<<10)
			var write func()
			write = func() {
				for c.Send(buf, nil) {
				}
			}
			c.OnDrain(write)
			c.OnError(func(err error) { errs = append(errs, err) })
			c.OnClose(func(he bool) {
				closes = append(closes, he)
				srv.Close(nil)
			})
			write()
		}, func(_ *server.Server, port int) {
			peerDone = make(chan struct{})
			go func() {
				defer close(peerDone)
				conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", itoa(port)))
				if err != nil {
					t.Error(err)
					return
				}
				tc := conn.(*net.TCPConn)
				buf := make([]byte, 64<<10)
				read := 0
				for read < 1<<20 {
					n, err := tc.Read(buf)
					if err != nil {
						t.Error(err)
						break
					}
					read += n
				}
				_ = tc.SetLinger(0)
				tc.Close()
			}()
		})
	})
	<-peerDone
	if len(errs) != 1 || len(closes) != 1 || !closes[0] {
		t.Fatalf("errors %v, closes %v", errs, closes)
	}
	err := errs[0]
	var ne *nodenet.Error
	if !errors.As(err, &ne) || (ne.Code != "ECONNRESET" && ne.Code != "EPIPE") ||
		!(errors.Is(err, unix.ECONNRESET) || errors.Is(err, unix.EPIPE)) {
		t.Fatalf("error %T %v", err, err)
	}
	l.Stop() // releases the loop's own poller descriptors
	<-l.Done()
	if after := fdCount(t); after > before {
		t.Fatalf("descriptors: %d before, %d after", before, after)
	}
	goleak.VerifyNone(t)
}
