//go:build linux

package socket_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math"
	"net"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// The off-loop half of the cross-goroutine contract (issue 12, items 1–5):
// Send and its 'drain' from producer goroutines, Pipe across loops, what
// Stop does with writes already accepted, and getters read elsewhere.

// runningLoop starts a loop on its own goroutine, kept up by a refed timer
// until the test ends.
func runningLoop(t *testing.T) *reactor.Loop {
	t.Helper()
	l := looptest.New(t)
	keep := l.SetTimeout(time.Hour, func() {})
	wait := looptest.GoRun(t, l, hangGuard)
	t.Cleanup(func() { keep.Stop(); l.Stop(); wait() })
	return l
}

// sinkPeer is a stdlib listener on 127.0.0.1 whose one accepted connection
// is read to EOF; sum returns what it read.
type sinkPeer struct {
	ln   net.Listener
	done chan struct{}
	n    atomic.Int64
	h    []byte
}

func newSinkPeer(t *testing.T, hash bool) *sinkPeer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &sinkPeer{ln: ln, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		c, err := ln.Accept()
		ln.Close()
		if err != nil {
			return
		}
		defer c.Close()
		w := io.Writer(io.Discard)
		hh := sha256.New()
		if hash {
			w = hh
		}
		n, _ := io.Copy(w, c)
		p.n.Store(n)
		p.h = hh.Sum(nil)
	}()
	t.Cleanup(func() { ln.Close() })
	return p
}

func (p *sinkPeer) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// connectOn connects a nodenet socket on l to port and waits for 'connect'.
func connectOn(t *testing.T, l *reactor.Loop, port int) *socket.Socket {
	t.Helper()
	up := make(chan struct{})
	s, err := socket.Connect(socket.ConnectOptions{Loop: l, Host: "127.0.0.1", Port: port}, func() { close(up) })
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, up, "connect")
	return s
}

func waitFor(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(hangGuard):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// TestOffLoopFalseIsFollowedByDrain (item 1): a producer goroutine that
// follows Node's rule — write until false, then wait for 'drain' — with the
// listener added after the false, as Node code does. Each round posts two
// writes of 9/16 of the high-water mark while the loop is held busy, so the
// second Send's answer (queued plus posted bytes, 18/16 of it) is false, while on the loop each write
// then fits the kernel at once and, decided there, would answer true and
// owe nothing: before the fix no 'drain' came and the producer hung.
func TestOffLoopFalseIsFollowedByDrain(t *testing.T) {
	l := runningLoop(t)
	peer := newSinkPeer(t, false)
	s := connectOn(t, l, peer.port())
	var drains atomic.Int64
	s.OnDrain(func() { drains.Add(1) })                   // a lasting listener counts them all
	chunk := make([]byte, s.WritableHighWaterMark()*9/16) // two are past the mark, one is not
	const rounds = 200
	falses := 0
	for i := 0; i < rounds; i++ {
		gate := make(chan struct{})
		if err := l.Post(func() { <-gate }); err != nil {
			t.Fatal(err)
		}
		first, second := s.Send(chunk, nil), s.Send(chunk, nil)
		close(gate)
		if !first || second {
			t.Fatalf("round %d: answers %v, %v; want true, false", i, first, second)
		}
		falses++
		drained := make(chan struct{})
		s.OnceDrain(func() { close(drained) })
		waitFor(t, drained, "'drain' after an off-loop false")
	}
	done := make(chan struct{})
	s.End(nil, func(error) { close(done) })
	waitFor(t, done, "end")
	waitFor(t, peer.done, "peer EOF")
	if got := peer.n.Load(); got != int64(2*rounds*len(chunk)) {
		t.Fatalf("peer read %d bytes, want %d", got, 2*rounds*len(chunk))
	}
	// Exactly one drain per false: each round's false waited for its own.
	if d := drains.Load(); d != int64(falses) {
		t.Fatalf("%d drains for %d falses", d, falses)
	}
}

// TestOffLoopDrainListenerUpFront: the other usual pattern, one lasting
// listener added before writing: every false is followed by exactly one
// drain that the producer waits for.
func TestOffLoopDrainListenerUpFront(t *testing.T) {
	l := runningLoop(t)
	peer := newSinkPeer(t, false)
	s := connectOn(t, l, peer.port())
	drained := make(chan struct{}, 1)
	s.OnDrain(func() { drained <- struct{}{} })
	chunk := make([]byte, 40<<10)
	for i := 0; i < 200; i++ {
		if !s.Send(chunk, nil) {
			select {
			case <-drained:
			case <-time.After(hangGuard):
				t.Fatalf("write %d: no 'drain' after false", i)
			}
		}
	}
	s.Destroy(nil)
}

// TestPipeAcrossLoopsBusyDestination (item 2): Pipe into a socket on
// another loop while that loop is kept busy, so the off-loop estimate says
// false while the posted write then fits the kernel. It used to stall for
// ever (the source waited for a 'drain' that never came); now every byte
// arrives, in order.
func TestPipeAcrossLoopsBusyDestination(t *testing.T) {
	// The source reads 8 KiB at a time: each chunk is below the high-water
	// mark, so only the posted bytes piling up on the busy loop make the
	// off-loop answer false.
	la := looptest.New(t, reactor.WithReadBufferSize(8<<10))
	keep := la.SetTimeout(time.Hour, func() {})
	waitA := looptest.GoRun(t, la, hangGuard)
	t.Cleanup(func() { keep.Stop(); la.Stop(); waitA() })
	lb := runningLoop(t)
	sink := newSinkPeer(t, true)
	dst := connectOn(t, lb, sink.port())
	// The source: a nodenet socket on la fed by a stdlib peer.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	data := make([]byte, 16<<20)
	for i := range data {
		data[i] = byte(i*7 + i>>11)
	}
	want := sha256.Sum256(data)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = c.Write(data)
	}()
	src := connectOn(t, la, ln.Addr().(*net.TCPAddr).Port)
	stopBusy := make(chan struct{})
	var busy sync.WaitGroup
	busy.Add(1)
	go func() { // keep lb's loop briefly busy, over and over
		defer busy.Done()
		for {
			select {
			case <-stopBusy:
				return
			default:
			}
			done := make(chan struct{})
			if lb.Post(func() { time.Sleep(200 * time.Microsecond); close(done) }) != nil {
				return
			}
			<-done
		}
	}()
	src.Pipe(dst, nil)
	waitFor(t, sink.done, "all piped bytes at the sink")
	close(stopBusy)
	busy.Wait()
	if sink.n.Load() != int64(len(data)) || !bytes.Equal(sink.h, want[:]) {
		t.Fatalf("sink got %d bytes (hash match %v), want %d", sink.n.Load(), bytes.Equal(sink.h, want[:]), len(data))
	}
}

// TestOffLoopSendCallbacksRunDespiteStop (item 3): 20,000 Sends with
// callbacks from another goroutine, then Loop.Stop: every callback runs,
// exactly once (2,593 never ran before the fix) — nil if its bytes reached
// the kernel, else the error.
func TestOffLoopSendCallbacksRunDespiteStop(t *testing.T) {
	l := looptest.New(t)
	l.SetTimeout(time.Hour, func() {})
	wait := looptest.GoRun(t, l, hangGuard)
	peer := newSinkPeer(t, false)
	s := connectOn(t, l, peer.port())
	const n = 20000
	calls := make([]atomic.Int32, n)
	var ran atomic.Int64
	all := make(chan struct{})
	chunk := make([]byte, 512)
	for i := 0; i < n; i++ {
		i := i
		s.Send(chunk, func(error) {
			if calls[i].Add(1) == 1 && ran.Add(1) == n {
				close(all)
			}
		})
		if i == n/2 {
			go l.Stop() // Stop while the producer is still sending
		}
	}
	waitFor(t, all, "every write callback")
	wait()
	<-l.Done()
	for i := range calls {
		if c := calls[i].Load(); c != 1 {
			t.Fatalf("callback %d ran %d times", i, c)
		}
	}
}

// TestOffLoopEndCallbackAfterStop: End's callback from another goroutine
// on a stopped loop still runs, with ErrLoopStopped.
func TestOffLoopEndCallbackAfterStop(t *testing.T) {
	l := looptest.New(t)
	s, err := socket.New(socket.Options{Loop: l})
	if err != nil {
		t.Fatal(err)
	}
	l.Stop()
	got := make(chan error, 2)
	s.End(nil, func(err error) { got <- err })
	s.Send([]byte("x"), func(err error) { got <- err })
	for range 2 {
		select {
		case err := <-got:
			if !errors.Is(err, nodenet.ErrLoopStopped) {
				t.Fatalf("callback got %v, want ErrLoopStopped", err)
			}
		case <-time.After(hangGuard):
			t.Fatal("callback never ran")
		}
	}
}

// TestGettersFromAnotherGoroutine (items 4, 5): an accepted socket's local
// name read from another goroutine was the zero value until something
// asked on the loop; Timeout and KeepAlive raced. Read elsewhere now, they
// are exact (and race-free under -race).
func TestGettersFromAnotherGoroutine(t *testing.T) {
	l := runningLoop(t)
	accepted := make(chan *socket.Socket, 1)
	var port int
	ready := make(chan struct{})
	l.Post(func() {
		listen(t, l, server.Options{}, func(c *socket.Socket) { accepted <- c }, func(_ *server.Server, p int) { port = p; close(ready) })
	})
	waitFor(t, ready, "listening")
	cli := connectOn(t, l, port)
	c := <-accepted
	if got := c.LocalPort(); got != port {
		t.Fatalf("accepted socket's LocalPort from another goroutine = %d, want %d", got, port)
	}
	if a := c.Address(); a.Address != "127.0.0.1" || a.Port != port || a.Family != "IPv4" {
		t.Fatalf("accepted socket's Address from another goroutine = %+v", a)
	}
	if got := cli.RemotePort(); got != port {
		t.Fatalf("client RemotePort = %d", got)
	}
	if fd := c.FD(); fd < 0 {
		t.Fatal("FD from another goroutine: none")
	}
	_ = c.SetTimeout(time.Minute, nil)
	c.SetKeepAlive(true, 3*time.Second)
	// Posted: a task posted after them runs once the loop took them.
	taken := make(chan struct{})
	if err := c.Loop().Post(func() { close(taken) }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-taken:
	case <-time.After(hangGuard):
		t.Fatal("the loop never ran the posted settings")
	}
	if on, d := c.KeepAlive(); c.Timeout() != time.Minute || !on || d != 3*time.Second {
		t.Fatalf("after the loop took them: Timeout %v, KeepAlive %v %v", c.Timeout(), on, d)
	}
	if n := c.ListenerCount(socket.EventData); n != 0 {
		t.Fatalf("ListenerCount(data) = %d", n)
	}
	c.Destroy(nil)
	cli.Destroy(nil)
}

// TestSocketTimeoutNearMaxDoesNotFire (item 7): SetTimeout and
// ConnectTimeout near math.MaxInt64 overflowed now+delay and fired at the
// next wake-up; they are clamped to reactor.TimeoutMax.
func TestSocketTimeoutNearMaxDoesNotFire(t *testing.T) {
	l := newLoop(t)
	peer := newSinkPeer(t, false)
	var ev events
	start(t, l, func() {
		s, err := socket.Connect(socket.ConnectOptions{Loop: l, Host: "127.0.0.1", Port: peer.port(),
			Timeout: math.MaxInt64, ConnectTimeout: math.MaxInt64 - 1}, func() { ev.add("connect") })
		if err != nil {
			t.Fatal(err)
		}
		s.OnTimeout(func() { ev.add("timeout") })
		s.OnError(func(err error) { ev.add("error:" + code(err)) })
		// Let a few wake-ups pass, then end.
		l.SetTimeout(30*time.Millisecond, func() { s.Destroy(nil) })
	})
	if ev.String() != "connect" {
		t.Fatalf("events %q, want only connect", ev.String())
	}
}

// barrier waits until l has run every task this goroutine posted before
// (tasks of one producer run in order).
func barrier(t *testing.T, l *reactor.Loop) {
	t.Helper()
	done := make(chan struct{})
	if err := l.Post(func() { close(done) }); err != nil {
		t.Fatal(err)
	}
	waitFor(t, done, "the loop to run the posted tasks")
}

// TestStateGettersFromAnotherGoroutine (item 5): the getters that were
// documented loop-only — ReadyState, Readable, Writable, IsPaused,
// ListenerCount, AutoSelectFamilyAttemptedAddresses, FD and the server's
// ListenerCount — read from a foreign goroutine agree with what the loop
// itself reads, once the loop has taken the calls before them.
func TestStateGettersFromAnotherGoroutine(t *testing.T) {
	l := runningLoop(t)
	type view struct {
		state              string
		readable, writable bool
		paused             bool
		data               int
		attempted          []string
		fd                 nodenet.FD
	}
	read := func(s *socket.Socket) view {
		return view{s.ReadyState(), s.Readable(), s.Writable(), s.IsPaused(), s.ListenerCount(socket.EventData),
			s.AutoSelectFamilyAttemptedAddresses(), s.FD()}
	}
	onLoop := func(s *socket.Socket) view {
		ch := make(chan view, 1)
		if err := l.Post(func() { ch <- read(s) }); err != nil {
			t.Fatal(err)
		}
		select {
		case v := <-ch:
			return v
		case <-time.After(hangGuard):
			t.Fatal("loop never answered")
		}
		return view{}
	}
	same := func(what string, s *socket.Socket) view {
		t.Helper()
		in := onLoop(s)
		if out := read(s); !reflect.DeepEqual(out, in) {
			t.Fatalf("%s: read off the loop %+v, on the loop %+v", what, out, in)
		}
		return in
	}

	accepted := make(chan *socket.Socket, 1)
	var srv *server.Server
	var port int
	ready := make(chan struct{})
	l.Post(func() {
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) { accepted <- c }, func(_ *server.Server, p int) { port = p; close(ready) })
	})
	waitFor(t, ready, "listening")
	lookup := func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
		// 127.0.0.2 first: nothing listens there, so two attempts are listed.
		return []socket.LookupAddress{{Address: "127.0.0.2", Family: 4}, {Address: "127.0.0.1", Family: 4}}, nil
	}
	up := make(chan struct{})
	cli, err := socket.Connect(socket.ConnectOptions{Loop: l, Host: "two.test", Port: port, Lookup: lookup,
		StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}, func() { close(up) })
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, up, "connect")
	closed := make(chan struct{})
	cli.OnClose(func(bool) { close(closed) })
	c := <-accepted

	if v := same("client after connect", cli); len(v.attempted) == 0 || v.state != "open" || !v.writable {
		t.Fatalf("client after connect: %+v", v)
	}
	if v := same("accepted", c); v.state != "open" || !v.readable || !v.writable || v.paused || v.fd < 0 {
		t.Fatalf("accepted: %+v", v)
	}
	c.OnData(func([]byte) {})
	c.Pause()
	barrier(t, l)
	if v := same("after Pause and OnData", c); !v.paused || v.data != 1 {
		t.Fatalf("after Pause and OnData: %+v", v)
	}
	ended := make(chan struct{})
	c.End(nil, func(error) { close(ended) })
	waitFor(t, ended, "End's callback")
	if v := same("after End", c); v.writable || v.state != "readOnly" {
		t.Fatalf("after End: %+v", v)
	}

	before := srv.ListenerCount(server.EventListening)
	srv.OnListening(func() {})
	barrier(t, l)
	if got := srv.ListenerCount(server.EventListening); got != before+1 {
		t.Fatalf("Server.ListenerCount off the loop = %d after a posted OnListening, want %d", got, before+1)
	}
	// The client is half-open: c's End does not make it end, so c stays
	// readOnly while the views are compared.
	cli.Destroy(nil)
	waitFor(t, closed, "client close")
	if v := same("destroyed", cli); v.state != "closed" || v.readable || v.writable {
		t.Fatalf("destroyed: %+v", v)
	}
	c.Destroy(nil)
	srv.Close(nil)
}
