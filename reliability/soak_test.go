//go:build linux

package reliability

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// stream is a per-connection deterministic byte stream: the sender and the
// verifier each hold one with the same seed, so every echoed byte can be
// checked in order without keeping what was sent.
type stream struct {
	rng *rand.PCG
	buf [8]byte
	n   int
}

func newStream(seed, conn uint64) *stream { return &stream{rng: rand.NewPCG(seed, conn)} }

func (s *stream) next() byte {
	if s.n == 0 {
		v := s.rng.Uint64()
		for i := range s.buf {
			s.buf[i] = byte(v >> (8 * i))
		}
		s.n = 8
	}
	s.n--
	return s.buf[s.n]
}

func (s *stream) fill(p []byte) {
	for i := range p {
		p[i] = s.next()
	}
}

type soakConn struct {
	sock      *socket.Socket
	send, ver *stream
	sizes     *rand.Rand
	sent      int64
	echoed    int64
	bad       bool
	done      bool
	err       error
}

// TestSoakClientHelper is the client half of TestSoak, run in child
// processes so that 15,000 connections fit under the per-process descriptor
// limit. It prints one SOAK_RESULT line.
func TestSoakClientHelper(t *testing.T) {
	addr := os.Getenv("SOAK_ADDR")
	if addr == "" {
		t.Skip("helper process for TestSoak")
	}
	raiseFDLimit(t)
	n := envInt("SOAK_CONNS", 100)
	dur := time.Duration(envInt("SOAK_MS", 2000)) * time.Millisecond
	seed := uint64(envInt("SOAK_SEED", 1))
	host, port := splitAddr(t, addr)

	loop, err := reactor.New()
	if err != nil {
		t.Fatal(err)
	}
	defer loop.Stop()
	conns := make([]*soakConn, n)
	var deadline time.Duration
	chunk := make([]byte, 16<<10)
	const wave = 250
	var connected int
	var startWave func(from int)
	startWave = func(from int) {
		to := min(from+wave, n)
		pending := to - from
		for i := from; i < to; i++ {
			c := &soakConn{send: newStream(seed, uint64(i)), ver: newStream(seed, uint64(i)),
				sizes: rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, uint64(i)))}
			conns[i] = c
			sendNext := func() {
				size := 1 + c.sizes.IntN(len(chunk))
				c.send.fill(chunk[:size])
				c.sent += int64(size)
				c.sock.Send(chunk[:size], nil)
			}
			s, err := socket.Connect(socket.ConnectOptions{Loop: loop, Host: host, Port: port}, func() {
				connected++
				pending--
				if pending == 0 && to < n {
					startWave(to)
				}
				if to == n && pending == 0 {
					deadline = loop.Now() + dur
				}
				sendNext()
			})
			if err != nil {
				t.Fatal(err)
			}
			c.sock = s
			s.OnData(func(b []byte) {
				for _, x := range b {
					if x != c.ver.next() {
						c.bad = true
					}
				}
				c.echoed += int64(len(b))
				if c.echoed == c.sent {
					if deadline == 0 || loop.Now() < deadline {
						sendNext()
					} else {
						s.End(nil, nil)
					}
				}
			})
			s.OnError(func(err error) { c.err = err })
			s.OnClose(func(bool) { c.done = true })
		}
	}
	loop.Post(func() { startWave(0) })
	if err := loop.Run(); err != nil {
		t.Fatal(err)
	}
	var ok, bad, errs int
	var bytesEchoed int64
	var firstErr error
	for _, c := range conns {
		bytesEchoed += c.echoed
		switch {
		case c.bad || c.echoed != c.sent:
			bad++
		case c.err != nil:
			errs++
			if firstErr == nil {
				firstErr = c.err
			}
		default:
			ok++
		}
	}
	fmt.Printf("SOAK_RESULT conns=%d ok=%d bad=%d errors=%d bytes=%d firsterr=%q\n", n, ok, bad, errs, bytesEchoed, fmt.Sprint(firstErr))
}

func splitAddr(t testing.TB, addr string) (string, int) {
	i := strings.LastIndexByte(addr, ':')
	var port int
	fmt.Sscan(addr[i+1:], &port)
	return addr[:i], port
}

// TestSoak: thousands of concurrent connections (15,000 under make soak),
// spread over client processes, each exchanging random data with an echo
// server on a Group for a bounded time; every byte is checked, and the
// server process's descriptors and goroutines return to where they started.
func TestSoak(t *testing.T) {
	procs, perProc, ms := 3, 400, 2000
	if testing.Short() {
		perProc, ms = 100, 1000
	}
	if soakMode() {
		procs, perProc, ms = 3, 5000, envInt("NODENET_SOAK_MS", 60_000)
	}
	raiseFDLimit(t)
	fds0, g0 := fdCount(t), runtimeGoroutines()

	group, err := reactor.NewGroup(2, reactor.RoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	group.Start()
	srv, err := server.New(server.Options{Group: group}, func(c *socket.Socket) { c.Pipe(c, nil) })
	if err != nil {
		t.Fatal(err)
	}
	up := make(chan struct{})
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1", Backlog: 4096}, func() { close(up) }); err != nil {
		t.Fatal(err)
	}
	<-up
	addr := srv.Address().String()

	var wg sync.WaitGroup
	results := make([]string, procs)
	for p := 0; p < procs; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			cmd := child(t, "TestSoakClientHelper", "SOAK_ADDR="+addr, fmt.Sprintf("SOAK_CONNS=%d", perProc),
				fmt.Sprintf("SOAK_MS=%d", ms), fmt.Sprintf("SOAK_SEED=%d", p+1))
			out, err := cmd.Output()
			if err != nil {
				t.Errorf("client process %d: %v\n%s", p, err, out)
				return
			}
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				if line := sc.Text(); strings.HasPrefix(line, "SOAK_RESULT") {
					results[p] = line
				}
			}
		}(p)
	}
	wg.Wait()
	for p, r := range results {
		var conns, ok, bad, errs int
		var nbytes int64
		if _, err := fmt.Sscanf(r, "SOAK_RESULT conns=%d ok=%d bad=%d errors=%d bytes=%d", &conns, &ok, &bad, &errs, &nbytes); err != nil {
			t.Fatalf("client %d: no result (%q): %v", p, r, err)
		}
		t.Logf("client %d: %s", p, r)
		if ok != conns || bad != 0 || errs != 0 {
			t.Errorf("client %d: %d of %d connections intact, %d corrupted, %d errors: %s", p, ok, conns, bad, errs, r)
		}
	}
	closed := make(chan struct{})
	srv.Close(func(error) { close(closed) })
	select {
	case <-closed:
	case <-time.After(60 * time.Second):
		t.Fatalf("server close did not complete; %d connections left", srv.Connections())
	}
	group.Stop()
	settle(t, fds0, g0)
}
