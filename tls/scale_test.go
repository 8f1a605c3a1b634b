package tls_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"math/rand/v2"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

// The scale tests wait on events only: pool changes (OnPoolChange) and
// channels closed from the callbacks that count. Their guards tolerate
// slowness but not a stall: thousands of handshakes and a GiB of records
// under -race need tens of CPU seconds, which at a load average of 30 on 2
// cores is many minutes of wall time, so a fixed deadline failed tests
// that were progressing. A wait fails when nothing progressed for
// stallGuard; scaleGuard only bounds a loop's wait once the work is done.
const (
	stallGuard = 2 * hangGuard
	scaleGuard = 5 * hangGuard
)

// progress is a hang guard reset by the work it watches: callbacks tick it
// (from any goroutine, never blocking) whenever something moved.
type progress chan struct{}

func newProgress() progress { return make(progress, 1) }

func (p progress) tick() {
	select {
	case p <- struct{}{}:
	default:
	}
}

// wait waits for done to be closed, failing if no tick came for stallGuard.
func (p progress) wait(t testing.TB, what string, done <-chan struct{}) {
	t.Helper()
	stall := time.NewTimer(stallGuard)
	defer stall.Stop()
	for {
		select {
		case <-done:
			return
		case <-p:
			stall.Reset(stallGuard)
		case <-stall.C:
			t.Fatalf("waiting for %s: no progress for %v", what, stallGuard)
		}
	}
}

// connectWindow bounds the connects in flight (connected but not yet
// secure) in the scale tests. All at once, 2,000 connects raced the server's
// accepts for a 512-entry accept queue (listen backlog 511) and started
// 1,024 client handshake goroutines competing with both loops; the scale
// being measured is connections held, not connections opened in the same
// instant. (TestHandshakePoolsBothEnds opens more at once than the pool
// bound, on purpose.)
const connectWindow = 100

// waitPool waits until cond holds for the handshake pools' counts,
// re-checking at each change the pools report (a change is progress).
func waitPool(t testing.TB, what string, cond func(running, queued int) bool) {
	t.Helper()
	changed := make(chan struct{}, 1)
	restore := nntls.OnPoolChange(func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	defer restore()
	stall := time.NewTimer(stallGuard)
	defer stall.Stop()
	for !cond(nntls.HandshakeStats()) {
		select {
		case <-changed:
			stall.Reset(stallGuard)
		case <-stall.C:
			r, q := nntls.HandshakeStats()
			t.Fatalf("waiting for %s: the pools did not change for %v (%d running, %d queued)", what, stallGuard, r, q)
		}
	}
}

// waitClosed waits for ch to be closed by a callback.
func waitClosed(t testing.TB, what string, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(scaleGuard):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// countdown returns a function that closes the returned channel on its
// n-th call (callers serialise the calls: one loop's callbacks, or atomics).
func countdown(n int64) (func(), <-chan struct{}) {
	var left atomic.Int64
	left.Store(n)
	done := make(chan struct{})
	return func() {
		if left.Add(-1) == 0 {
			close(done)
		}
	}, done
}

// liveGoroutines counts the process's goroutines, leaving out handshake
// workers that are returning: called once the pools report nothing running
// (each worker has given its slot back and is past its last statement but
// one), it is what the process keeps without waiting for those exits, which
// no event announces.
func liveGoroutines() (n int, stacks string) {
	buf := make([]byte, 1<<16)
	for {
		k := runtime.Stack(buf, true)
		if k < len(buf) {
			buf = buf[:k]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var kept []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		// A pool goroutine is left out by its creator as well as by its
		// function: one whose last handshake has just ended is no longer
		// counted by HandshakeGoroutines, but until it has returned from work
		// its stack may show only the runtime's exit path and the
		// "created by" line (a run counted such a goroutine as a leak).
		if strings.Contains(g, "tls.(*handshakePool).work") || strings.Contains(g, "tls.(*handshakePool).submit") {
			continue
		}
		kept = append(kept, g)
	}
	return len(kept), strings.Join(kept, "\n\n")
}

// connectWindowed opens n nodenet TLS clients to port on l (call it on l),
// at most connectWindow of them handshaking at once: each 'secureConnect'
// opens the next, and ticks p. setup(i, c) adds the test's listeners to each; allSecure
// runs on l once every client is secure. It returns the clients (complete
// once allSecure has run).
func connectWindowed(t testing.TB, l *reactor.Loop, port, n int, p progress, setup func(i int, c *nntls.TLSSocket), allSecure func()) *[]*nntls.TLSSocket {
	clients := make([]*nntls.TLSSocket, 0, n)
	secure := 0
	var open func()
	open = func() {
		i := len(clients)
		c, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
			Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, func() {
			p.tick()
			if secure++; secure == n {
				allSecure()
			}
			if len(clients) < n {
				open()
			}
		})
		if err != nil {
			t.Errorf("connect %d: %v", i, err)
			return
		}
		c.OnError(func(err error) { t.Errorf("client %d: %v", i, err) })
		clients = append(clients, c)
		setup(i, c)
	}
	for len(clients) < min(n, connectWindow) {
		open()
	}
	return &clients
}

// 1,000 slow handshakes at once — peers dribbling their ClientHello, which
// hold no goroutine, and peers stalled after it, which hold one each —
// while healthy clients keep connecting and are served. Every slow one
// ends as a 'tlsClientError', and the pool is empty afterwards.
func TestSlowHandshakesWhileHealthyClientsConnect(t *testing.T) {
	const dribblers, stallers, healthy = 800, 200, 50
	hello := clientHello(t)
	l := newLoop(t)
	clientErr, allFailed := countdown(dribblers + stallers)
	var secure atomic.Int64
	ready := make(chan int, 1)
	var srv *nntls.Server
	l.Post(func() {
		srv = listenTLS(t, l, nntls.ServerOptions{}, func(s *nntls.TLSSocket) {
			secure.Add(1)
			s.Pipe(s.Socket, nil)
		}, func(_ *nntls.Server, port int) { ready <- port })
		srv.OnTLSClientError(func(error, *nntls.TLSSocket) { clientErr() })
	})
	wait := looptest.GoRun(t, l, hangGuard)
	port := <-ready
	addr := "127.0.0.1:" + strconv.Itoa(port)

	var slow []net.Conn
	for i := 0; i < dribblers; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write(hello[:10+i%50]) // part of a ClientHello, never the rest
		slow = append(slow, c)
	}
	var stalledWG sync.WaitGroup
	slow = append(slow, dialStalled(t, port, stallers, &stalledWG)...)
	// The stalled ones each hold a handshake goroutine, waiting for a
	// Finished that never comes; the dribblers hold none.
	waitPool(t, "the stalled handshakes to reach the pool", func(r, _ int) bool { return r >= stallers })
	if r, q := nntls.HandshakeStats(); r > stallers || q != 0 {
		t.Fatalf("pool: %d running, %d queued; want %d running (the dribblers hold none)", r, q, stallers)
	}
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := 0; i < healthy; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := echoClient(port, tls.VersionTLS13, 2, 64); err != nil {
				failed.Add(1)
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, c := range slow {
		c.Close()
	}
	stalledWG.Wait()
	waitClosed(t, "every slow handshake to fail", allFailed)
	l.Post(func() { srv.Close(nil) })
	wait()
	if failed.Load() != 0 || secure.Load() != healthy {
		t.Fatalf("%d healthy clients failed, %d secureConnection", failed.Load(), secure.Load())
	}
	waitPool(t, "the pool to empty", func(r, q int) bool { return r == 0 && q == 0 })
}

// When the pool is full, a handshake waits in the queue and starts as soon
// as a goroutine is free.
func TestPoolFullQueues(t *testing.T) {
	old := nntls.SetMaxHandshakeGoroutines(2)
	defer nntls.SetMaxHandshakeGoroutines(old)
	l := newLoop(t)
	ready := make(chan int, 1)
	var srv *nntls.Server
	l.Post(func() {
		srv = listenTLS(t, l, nntls.ServerOptions{}, func(s *nntls.TLSSocket) { s.Pipe(s.Socket, nil) },
			func(_ *nntls.Server, port int) { ready <- port })
	})
	wait := looptest.GoRun(t, l, hangGuard)
	port := <-ready
	var wg sync.WaitGroup
	stallers := dialStalled(t, port, 2, &wg)
	waitPool(t, "both goroutines taken", func(r, _ int) bool { return r == 2 })
	done := make(chan error, 1)
	go func() { done <- echoClient(port, tls.VersionTLS13, 1, 10) }()
	waitPool(t, "the healthy handshake to queue", func(_, q int) bool { return q == 1 })
	select {
	case err := <-done:
		t.Fatalf("a queued handshake finished while the pool was full: %v", err)
	default:
	}
	stallers[0].Close() // frees a goroutine: the queued handshake runs
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	stallers[1].Close()
	wg.Wait()
	l.Post(func() { srv.Close(nil) })
	wait()
}

// Idle TLS connections hold no goroutine: after 2,000 handshakes (nodenet
// clients on a second loop) the process has the goroutines it had before,
// plus the two running loops. make bench measures the same at 10,000 in
// processes of their own (tls-idle-10k: nodenet goroutines before → after).
func TestIdleConnectionsHoldNoGoroutine(t *testing.T) {
	const n = 2000
	sl, cl := newLoop(t), newLoop(t)
	before, _ := liveGoroutines() // the two loops are not running yet
	ready := make(chan int, 1)
	var srv *nntls.Server
	served, allServed := countdown(n)
	sl.Post(func() {
		// No handshake timeout: on a loaded machine 2,000 handshakes under
		// -race outlasted Node's 120 s default, which then (rightly) cut
		// the late ones off.
		srv = listenTLS(t, sl, nntls.ServerOptions{HandshakeTimeout: -1}, func(s *nntls.TLSSocket) {
			served()
			s.Pipe(s.Socket, nil)
		}, func(_ *nntls.Server, port int) { ready <- port })
		srv.OnTLSClientError(func(err error, _ *nntls.TLSSocket) { t.Errorf("tlsClientError: %v", err) })
	})
	swait := looptest.GoRun(t, sl, scaleGuard)
	port := <-ready
	allSecure := make(chan struct{})
	var clients *[]*nntls.TLSSocket
	p := newProgress()
	cl.Post(func() {
		clients = connectWindowed(t, cl, port, n, p, func(int, *nntls.TLSSocket) {}, func() { close(allSecure) })
	})
	cwait := looptest.GoRun(t, cl, scaleGuard)
	p.wait(t, "every client secure", allSecure)
	waitClosed(t, "every server socket secure", allServed)
	waitPool(t, "the handshake pool to empty", func(r, q int) bool { return r == 0 && q == 0 })
	waitPool(t, "the handshake goroutines to leave after their linger", func(int, int) bool { return nntls.HandshakeGoroutines() == 0 })
	// Goroutines that exist now: the two running loops and whatever the
	// runtime keeps; none per connection.
	after, stacks := liveGoroutines()
	t.Logf("%d idle TLS connections: %d goroutines before (loops not running), %d after (2 loops running)", n, before, after)
	if after > before+2 {
		t.Errorf("%d idle TLS connections: %d goroutines, %d before the two loops ran:\n%s", n, after, before, stacks)
	}
	cl.Post(func() {
		for _, c := range *clients {
			c.End(nil, nil)
		}
	})
	cwait()
	sl.Post(func() { srv.Close(nil) })
	swait()
}

// More handshakes at once than the pool bound, with both ends in this
// process: client handshakes fill their pool waiting for server handshakes,
// which must still run. With one shared bound this deadlocked (the client
// handshakes held every goroutine, the server ones queued behind them).
func TestHandshakePoolsBothEnds(t *testing.T) {
	const bound, n = 4, 64
	old := nntls.SetMaxHandshakeGoroutines(bound)
	defer nntls.SetMaxHandshakeGoroutines(old)
	sl, cl := newLoop(t), newLoop(t)
	ready := make(chan int, 1)
	var srv *nntls.Server
	served, allServed := countdown(n)
	sl.Post(func() {
		srv = listenTLS(t, sl, nntls.ServerOptions{}, func(s *nntls.TLSSocket) {
			served()
			s.Pipe(s.Socket, nil)
		}, func(_ *nntls.Server, port int) { ready <- port })
	})
	swait := looptest.GoRun(t, sl, scaleGuard)
	port := <-ready
	var maxQueued atomic.Int64 // the bound was exceeded: handshakes waited
	restore := nntls.OnPoolChange(func() {
		_, q := nntls.HandshakeStats()
		for m := maxQueued.Load(); int64(q) > m && !maxQueued.CompareAndSwap(m, int64(q)); m = maxQueued.Load() {
		}
	})
	defer restore()
	secured, allSecure := countdown(n)
	var clients []*nntls.TLSSocket
	cl.Post(func() {
		for i := 0; i < n; i++ { // all at once: n client handshakes for bound goroutines
			c, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: cl, Port: port, Host: "127.0.0.1"},
				Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, secured)
			if err != nil {
				t.Error(err)
				return
			}
			c.OnError(func(err error) { t.Error(err) })
			clients = append(clients, c)
		}
	})
	cwait := looptest.GoRun(t, cl, scaleGuard)
	waitClosed(t, "every client secure", allSecure)
	waitClosed(t, "every server socket secure", allServed)
	cl.Post(func() {
		for _, c := range clients {
			c.End(nil, nil)
		}
	})
	cwait()
	sl.Post(func() { srv.Close(nil) })
	swait()
	restore()
	waitPool(t, "the pools to empty", func(r, q int) bool { return r == 0 && q == 0 })
	if maxQueued.Load() == 0 {
		t.Fatalf("%d handshakes at once never queued behind a bound of %d", n, bound)
	}
}

// 1,000 clients send 1 MiB each through a TLS echo server at once, each
// checking the SHA-256 of what comes back. They connect connectWindow at a
// time and all start sending once all 1,000 are secure, so the 1,000
// transfers are concurrent.
func TestThousandClientsOneMiB(t *testing.T) {
	const clients, size = 1000, 1 << 20
	sl, cl := newLoop(t), newLoop(t)
	ready := make(chan int, 1)
	var srv *nntls.Server
	sl.Post(func() {
		// No handshake timeout (see TestIdleConnectionsHoldNoGoroutine):
		// under make test's load 1,000 handshakes outlasted 120 s and the
		// late clients were cut off (write EPIPE).
		srv = listenTLS(t, sl, nntls.ServerOptions{HandshakeTimeout: -1}, func(s *nntls.TLSSocket) { s.Pipe(s.Socket, nil) },
			func(_ *nntls.Server, port int) { ready <- port })
		srv.OnTLSClientError(func(err error, _ *nntls.TLSSocket) { t.Errorf("tlsClientError: %v", err) })
	})
	swait := looptest.GoRun(t, sl, scaleGuard)
	port := <-ready
	var ok atomic.Int64
	p := newProgress()
	ended, allEnded := countdown(clients)
	cl.Post(func() { startHashClients(t, cl, port, clients, size, p, &ok, ended) })
	cwait := looptest.GoRun(t, cl, scaleGuard)
	p.wait(t, "every client's 1 MiB back", allEnded)
	cwait()
	sl.Post(func() { srv.Close(nil) })
	swait()
	if ok.Load() != clients {
		t.Fatalf("%d of %d clients got their 1 MiB back intact", ok.Load(), clients)
	}
}

// hashPattern is the bytes the hash clients send, read only: chunks are
// windows of it.
var hashPattern = func() []byte {
	b := make([]byte, 256<<10)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}()

const hashChunkSize = 32 << 10

// startHashClients opens the clients (connectWindowed, on l); once all are
// secure each sends size bytes and checks the SHA-256 of the echo, adding
// 1 to ok when it matches; every echoed chunk ticks p, and ended runs at
// each client's 'close'.
func startHashClients(t *testing.T, l *reactor.Loop, port, clients, size int, p progress, ok *atomic.Int64, ended func()) {
	var writers []func()
	connectWindowed(t, l, port, clients, p, func(i int, c *nntls.TLSSocket) {
		seed := i
		sent, recvd := 0, 0
		hs, hr := sha256.New(), sha256.New()
		write := func() {
			for sent < size {
				// Each chunk is another window of the shared pattern (per
				// client and per chunk), so reordered or repeated chunks
				// change the hash; no byte-by-byte fill, which under -race
				// cost more than the TLS it feeds.
				off := (int(seed)*131 + sent/hashChunkSize*977) % (len(hashPattern) - hashChunkSize)
				chunk := hashPattern[off : off+hashChunkSize : off+hashChunkSize]
				hs.Write(chunk)
				sent += len(chunk)
				if !c.Send(chunk, nil) {
					return
				}
			}
		}
		writers = append(writers, write)
		c.OnDrain(write)
		c.OnData(func(b []byte) {
			p.tick()
			hr.Write(b)
			recvd += len(b)
			if recvd == size {
				if bytes.Equal(hs.Sum(nil), hr.Sum(nil)) {
					ok.Add(1)
				}
				c.End(nil, nil)
			}
		})
		c.OnClose(func(bool) { ended() })
	}, func() {
		for _, w := range writers {
			w()
		}
	})
}
