package tls_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"net"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

// until waits for cond, a condition on the code under test; the deadline
// only guards a hang (long: thousands of handshakes under -race on a
// loaded 2-core machine took minutes).
func until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// 1,000 slow handshakes at once — peers dribbling their ClientHello, which
// hold no goroutine, and peers stalled after it, which hold one each —
// while healthy clients keep connecting and are served. Every slow one
// ends as a 'tlsClientError', and the pool is empty afterwards.
func TestSlowHandshakesWhileHealthyClientsConnect(t *testing.T) {
	const dribblers, stallers, healthy = 800, 200, 50
	hello := clientHello(t)
	l := newLoop(t)
	var clientErrs atomic.Int64
	var secure atomic.Int64
	ready := make(chan int, 1)
	var srv *nntls.Server
	l.Post(func() {
		srv = listenTLS(t, l, nntls.ServerOptions{}, func(s *nntls.TLSSocket) {
			secure.Add(1)
			s.Pipe(s.Socket, nil)
		}, func(_ *nntls.Server, port int) { ready <- port })
		srv.OnTLSClientError(func(error, *nntls.TLSSocket) { clientErrs.Add(1) })
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
	for i := 0; i < stallers; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		slow = append(slow, c)
		stalledWG.Add(1)
		go func() {
			defer stalledWG.Done()
			tls.Client(stalled{c}, &tls.Config{ServerName: "localhost", InsecureSkipVerify: true}).Handshake()
		}()
	}
	// The stalled ones each hold a handshake goroutine, waiting for a
	// Finished that never comes; the dribblers hold none.
	until(t, "the stalled handshakes to reach the pool", func() bool { r, _ := nntls.HandshakeStats(); return r >= stallers })
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
	until(t, "every slow handshake to fail", func() bool { return clientErrs.Load() == dribblers+stallers })
	l.Post(func() { srv.Close(nil) })
	wait()
	if failed.Load() != 0 || secure.Load() != healthy {
		t.Fatalf("%d healthy clients failed, %d secureConnection", failed.Load(), secure.Load())
	}
	until(t, "the pool to empty", func() bool { r, q := nntls.HandshakeStats(); return r == 0 && q == 0 })
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
	var stallers []net.Conn
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		stallers = append(stallers, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			tls.Client(stalled{c}, &tls.Config{ServerName: "localhost", InsecureSkipVerify: true}).Handshake()
		}()
	}
	until(t, "both goroutines taken", func() bool { r, _ := nntls.HandshakeStats(); return r == 2 })
	done := make(chan error, 1)
	go func() { done <- echoClient(port, tls.VersionTLS13, 1, 10) }()
	until(t, "the healthy handshake to queue", func() bool { _, q := nntls.HandshakeStats(); return q == 1 })
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
// clients on a second loop) the process has the goroutines it had before.
// make bench measures the same at 10,000 in its own processes.
func TestIdleConnectionsHoldNoGoroutine(t *testing.T) {
	const n = 2000
	sl, cl := newLoop(t), newLoop(t)
	before := runtime.NumGoroutine() // the two loops are not running yet
	ready := make(chan int, 1)
	var srv *nntls.Server
	var secure atomic.Int64
	sl.Post(func() {
		// No handshake timeout: on a loaded machine 2,000 handshakes under
		// -race outlasted Node's 120 s default, which then (rightly) cut
		// the late ones off.
		srv = listenTLS(t, sl, nntls.ServerOptions{HandshakeTimeout: -1}, func(s *nntls.TLSSocket) {
			secure.Add(1)
			s.Pipe(s.Socket, nil)
		}, func(_ *nntls.Server, port int) { ready <- port })
	})
	swait := looptest.GoRun(t, sl, 5*hangGuard)
	port := <-ready
	var clients []*nntls.TLSSocket
	var connected atomic.Int64
	cl.Post(func() {
		for i := 0; i < n; i++ {
			c, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: cl, Port: port, Host: "127.0.0.1"},
				Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, func() { connected.Add(1) })
			if err != nil {
				t.Error(err)
				return
			}
			c.OnError(func(err error) { t.Error(err) })
			clients = append(clients, c)
		}
	})
	cwait := looptest.GoRun(t, cl, 5*hangGuard)
	// More connections than DefaultMaxHandshakeGoroutines, both ends in
	// this process: with one shared pool this deadlocked (client
	// handshakes held every goroutine, waiting for queued server ones).
	until(t, "every connection secure", func() bool { return connected.Load() == n && secure.Load() == n })
	until(t, "the handshake pool to empty", func() bool { r, q := nntls.HandshakeStats(); return r == 0 && q == 0 })
	// Goroutines that exist now: the two running loops and whatever the
	// runtime keeps; none per connection.
	var after int
	until(t, "goroutines to settle", func() bool { after = runtime.NumGoroutine(); return after <= before+2 })
	t.Logf("%d idle TLS connections: %d goroutines before (loops not running), %d after (2 loops running)", n, before, after)
	cl.Post(func() {
		for _, c := range clients {
			c.End(nil, nil)
		}
	})
	cwait()
	sl.Post(func() { srv.Close(nil) })
	swait()
}

// 1,000 clients send 1 MiB each through a TLS echo server at once, each
// checking the SHA-256 of what comes back.
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
	})
	swait := looptest.GoRun(t, sl, hangGuard*5)
	port := <-ready
	var ok atomic.Int64
	cl.Post(func() { startHashClients(t, cl, port, clients, size, &ok) })
	looptest.Run(t, cl, hangGuard*5)
	sl.Post(func() { srv.Close(nil) })
	swait()
	if ok.Load() != clients {
		t.Fatalf("%d of %d clients got their 1 MiB back intact", ok.Load(), clients)
	}
}

func startHashClients(t *testing.T, l *reactor.Loop, port, clients, size int, ok *atomic.Int64) {
	for i := 0; i < clients; i++ {
		seed := byte(i)
		c, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
			Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, nil)
		if err != nil {
			t.Error(err)
			return
		}
		sent, recvd := 0, 0
		hs, hr := sha256.New(), sha256.New()
		chunk := make([]byte, 32<<10)
		var write func()
		write = func() {
			for sent < size {
				for j := range chunk {
					chunk[j] = seed + byte(sent+j)
				}
				hs.Write(chunk)
				sent += len(chunk)
				if !c.Send(chunk, nil) {
					return
				}
			}
		}
		c.OnSecureConnect(write)
		c.OnDrain(write)
		c.OnData(func(b []byte) {
			hr.Write(b)
			recvd += len(b)
			if recvd == size {
				if bytes.Equal(hs.Sum(nil), hr.Sum(nil)) {
					ok.Add(1)
				}
				c.End(nil, nil)
			}
		})
		c.OnError(func(err error) { t.Errorf("client %d: %v", seed, err) })
	}
}
