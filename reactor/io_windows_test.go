//go:build windows

package reactor

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/testnet"
	"golang.org/x/sys/windows"
)

// tcpPair returns both ends of a loopback TCP connection, closed at cleanup.
// Windows has no socketpair; this is the stand-in for io_test.go's.
func tcpPair(t testing.TB) (client, server *net.TCPConn) { return testnet.TCPPair(t) }

// rawSocket returns c's SOCKET, switched to nonblocking mode the way the
// library's own sockets are. Once it is handed to a Loop, the test does its
// I/O on it with Winsock directly and never through c (the Go runtime's
// overlapped I/O does not expect a nonblocking socket); c only keeps it open.
func rawSocket(t testing.TB, c syscall.Conn) nodenet.FD {
	t.Helper()
	fd := nodenet.FD(testnet.Handle(t, c))
	testnet.SetNonblock(t, uintptr(fd))
	return fd
}

// recv is one nonblocking, non-overlapped WSARecv.
func recv(fd nodenet.FD, b []byte) (int, error) {
	buf := windows.WSABuf{Len: uint32(len(b)), Buf: &b[0]}
	var n, flags uint32
	err := windows.WSARecv(fd, &buf, 1, &n, &flags, nil, nil)
	return int(n), err
}

// readHandler reads whatever arrives until it has want bytes (or EOF, or an
// error), then unregisters and drops its ref so Run returns.
type readHandler struct {
	l      *Loop
	fd     nodenet.FD
	want   int
	got    []byte
	events int
	err    error
	// firstRead, when not nil, is closed at the end of the first event
	// that read bytes (the socket had nothing more to give).
	firstRead chan struct{}
}

func (h *readHandler) HandleEvent(ev nodenet.Events) {
	h.events++
	if !h.l.InLoop() {
		h.err = errors.New("HandleEvent ran off the loop")
	}
	buf := h.l.ReadBuffer()
	for {
		n, err := recv(h.fd, buf)
		if err == windows.WSAEWOULDBLOCK {
			if h.firstRead != nil && len(h.got) > 0 {
				// Everything sent so far is read and this event is over.
				close(h.firstRead)
				h.firstRead = nil
			}
			break
		}
		if err != nil {
			h.err = err
		}
		if n > 0 {
			h.got = append(h.got, buf[:n]...)
		}
		if err != nil || n == 0 || len(h.got) >= h.want {
			h.l.Unregister(h.fd)
			h.l.Unref()
			return
		}
	}
}

// TestRegisterDispatchesReads: a registration keeps delivering reads after
// its first event (AFD_POLL is one-shot and must be re-armed): the second
// write is sent only once the first was read, so it needs a second event.
func TestRegisterDispatchesReads(t *testing.T) {
	l := newLoop(t)
	c, s := tcpPair(t)
	a := rawSocket(t, s)
	first := make(chan struct{})
	h := &readHandler{l: l, fd: a, want: 5, firstRead: first}
	registered := make(chan struct{})
	l.Post(func() {
		if err := l.Register(a, nodenet.EventRead, h); err != nil {
			t.Error(err)
		}
		l.Ref()
		close(registered)
	})
	go func() {
		<-registered
		c.Write([]byte("hel"))
		select {
		case <-first:
			c.Write([]byte("lo"))
		case <-time.After(hangAfter):
		}
	}()
	runGuarded(t, l)
	if h.err != nil {
		t.Fatal(h.err)
	}
	if string(h.got) != "hello" {
		t.Fatalf("got %q", h.got)
	}
	if l.Load() != 0 {
		t.Fatalf("Load %d after Unregister", l.Load())
	}
	if h.events < 2 {
		t.Fatalf("%d read events; the second write came after the first was read", h.events)
	}
}

// writeHandler waits for writability, then switches the socket to read
// interest with SetInterest and reads the peer's answer.
type writeHandler struct {
	readHandler
	wrote bool
	// switched is closed once the registration was changed to read.
	switched chan struct{}
}

func (h *writeHandler) HandleEvent(ev nodenet.Events) {
	if !h.wrote {
		if !ev.Has(nodenet.EventWrite) {
			h.err = errors.New("first event was not writable: " + ev.String())
			h.l.Unregister(h.fd)
			h.l.Unref()
			return
		}
		h.wrote = true
		if err := h.l.SetInterest(h.fd, nodenet.EventRead); err != nil {
			h.err = err
		}
		if got := h.l.Interest(h.fd); got != nodenet.EventRead {
			h.err = errors.New("Interest after SetInterest: " + got.String())
		}
		close(h.switched)
		return
	}
	h.readHandler.HandleEvent(ev)
}

func TestSetInterestWriteThenRead(t *testing.T) {
	l := newLoop(t)
	c, s := tcpPair(t)
	a := rawSocket(t, s)
	switched := make(chan struct{})
	h := &writeHandler{readHandler: readHandler{l: l, fd: a, want: 4}, switched: switched}
	l.Post(func() {
		if err := l.Register(a, nodenet.EventWrite, h); err != nil {
			t.Error(err)
		}
		l.Ref()
	})
	go func() {
		// Answer only once the loop has seen writability and switched to
		// read, so the read event comes through the modified registration.
		select {
		case <-switched:
			c.Write([]byte("pong"))
		case <-time.After(hangAfter):
		}
	}()
	runGuarded(t, l)
	if h.err != nil {
		t.Fatal(h.err)
	}
	if string(h.got) != "pong" {
		t.Fatalf("got %q", h.got)
	}
}

type panicHandler struct {
	l   *Loop
	fd  nodenet.FD
	err error
}

func (h *panicHandler) HandleEvent(nodenet.Events) { panic("handler boom") }
func (h *panicHandler) HandlePanic(err error) {
	h.err = err
	h.l.Unregister(h.fd)
	h.l.Unref()
}

func TestHandlerPanicBecomesHandleError(t *testing.T) {
	l := newLoop(t)
	c, s := tcpPair(t)
	a := rawSocket(t, s)
	h := &panicHandler{l: l, fd: a}
	l.Post(func() { l.Register(a, nodenet.EventRead, h); l.Ref() })
	c.Write([]byte("x"))
	runGuarded(t, l)
	var e *nodenet.Error
	if !errors.As(h.err, &e) || e.Code != nodenet.CodeCallbackPanic {
		t.Fatalf("handle error %v", h.err)
	}
}

type stopRecorder struct {
	err chan error
}

func (s *stopRecorder) HandleEvent(nodenet.Events) {}
func (s *stopRecorder) LoopStopped(err error)      { s.err <- err }

// TestStopTearsDownHandlesAndLeaksNothing: Stop on a running loop with a
// registered, refed socket makes Run return, hands the handle
// ErrLoopStopped, releases the poller, and refuses later Posts (goleak in
// TestMain checks nothing was left running).
func TestStopTearsDownHandlesAndLeaksNothing(t *testing.T) {
	l, err := New()
	if err != nil {
		t.Fatal(err)
	}
	_, s := tcpPair(t)
	a := rawSocket(t, s)
	rec := &stopRecorder{err: make(chan error, 1)}
	registered := make(chan struct{})
	l.Post(func() {
		if err := l.Register(a, nodenet.EventRead, rec); err != nil {
			t.Error(err)
		}
		l.Ref()
		close(registered)
	})
	done := make(chan error, 1)
	go func() { done <- l.Run() }()
	select {
	case <-registered:
	case <-time.After(hangAfter):
		t.Fatal("registration task never ran")
	}
	if l.Load() != 1 {
		t.Fatalf("Load %d with one socket registered", l.Load())
	}
	l.Stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(hangAfter):
		t.Fatal("Run did not return after Stop")
	}
	<-l.Done()
	select {
	case err := <-rec.err:
		if !errors.Is(err, nodenet.ErrLoopStopped) {
			t.Fatalf("handle got %v", err)
		}
	default:
		t.Fatal("registered handle was not told the loop stopped")
	}
	if l.Load() != 0 {
		t.Fatalf("Load %d after Stop", l.Load())
	}
	if err := l.Post(func() {}); !errors.Is(err, nodenet.ErrLoopStopped) {
		t.Fatalf("Post after Stop: %v", err)
	}
	if err := l.Run(); !errors.Is(err, nodenet.ErrLoopStopped) {
		t.Fatalf("Run after Stop: %v", err)
	}
}
