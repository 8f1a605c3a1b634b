//go:build windows

package nodenet

import (
	"errors"
	"io/fs"
	"net"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/nodenet/nodenet/internal/testnet"
	"golang.org/x/sys/windows"
)

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (client, server *net.TCPConn) { return testnet.TCPPair(t) }

func rawSocket(t *testing.T, c syscall.Conn) FD { return FD(testnet.Handle(t, c)) }

func newTestPoller(t *testing.T) *Poller {
	t.Helper()
	p, err := NewPoller()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p
}

// waitEvent waits until fd is reported with at least want, or fails.
func waitEvent(t *testing.T, p *Poller, fd FD, want Events) Events {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		evs, err := p.Wait(time.Until(deadline))
		if err != nil {
			t.Fatalf("Wait: %v", err)
		}
		for _, e := range evs {
			if e.FD == fd && e.Events.Has(want) {
				return e.Events
			}
		}
	}
	t.Fatalf("fd %#x: no %v event within 5s", uintptr(fd), want)
	return 0
}

// expectQuiet checks that fd is not reported during d.
func expectQuiet(t *testing.T, p *Poller, fd FD, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return
		}
		evs, err := p.Wait(left)
		if err != nil {
			t.Fatalf("Wait: %v", err)
		}
		for _, e := range evs {
			if e.FD == fd {
				t.Fatalf("fd %#x: unexpected %v", uintptr(fd), e.Events)
			}
		}
	}
}

func TestPollerReadLevelTriggered(t *testing.T) {
	p := newTestPoller(t)
	c, s := tcpPair(t)
	fd := rawSocket(t, s)
	if err := p.Add(fd, EventRead); err != nil {
		t.Fatal(err)
	}
	expectQuiet(t, p, fd, 100*time.Millisecond)

	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, p, fd, EventRead)
	if ev.Has(EventWrite) {
		t.Errorf("read-only interest reported %v", ev)
	}
	// Not consumed: level-triggered means it is reported again, and again.
	waitEvent(t, p, fd, EventRead)
	waitEvent(t, p, fd, EventRead)

	buf := make([]byte, 16)
	if n, err := s.Read(buf); err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
	expectQuiet(t, p, fd, 150*time.Millisecond)
}

func TestPollerWriteReadiness(t *testing.T) {
	p := newTestPoller(t)
	c, _ := tcpPair(t)
	fd := rawSocket(t, c)
	if err := p.Add(fd, EventWrite); err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, p, fd, EventWrite)
	if ev.Has(EventRead) {
		t.Errorf("write-only interest reported %v", ev)
	}
	waitEvent(t, p, fd, EventWrite) // still writable: reported again
}

func TestPollerModify(t *testing.T) {
	p := newTestPoller(t)
	c, s := tcpPair(t)
	fd := rawSocket(t, s)
	if err := p.Add(fd, EventRead); err != nil {
		t.Fatal(err)
	}
	expectQuiet(t, p, fd, 100*time.Millisecond) // read poll now outstanding

	// Widening the interest must cancel the read-only poll and issue one
	// that also watches SEND.
	if err := p.Modify(fd, EventRead|EventWrite); err != nil {
		t.Fatal(err)
	}
	if st := p.socks[fd].status; st != pollCancelled {
		t.Errorf("after widening Modify: poll status %d, want cancelled", st)
	}
	if ev := waitEvent(t, p, fd, EventWrite); ev.Has(EventRead) {
		t.Errorf("nothing to read, got %v", ev)
	}

	if err := p.Modify(fd, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	expectQuiet(t, p, fd, 150*time.Millisecond) // registered but silent

	if err := p.Modify(fd, EventRead); err != nil {
		t.Fatal(err)
	}
	if ev := waitEvent(t, p, fd, EventRead); ev.Has(EventWrite) {
		t.Errorf("read-only interest reported %v", ev)
	}

	if err := p.Modify(FD(12345678), EventRead); !errors.Is(err, fs.ErrNotExist) || ErrnoCode(err) != "ENOENT" {
		t.Errorf("Modify(unknown) = %v, want ENOENT", err)
	}

	// A second Add replaces the registration (the handle may have been
	// closed and reused): the old poll is cancelled, the new one reports.
	old := p.socks[fd]
	if err := p.Add(fd, EventWrite); err != nil {
		t.Fatalf("second Add: %v", err)
	}
	if !old.deleted || p.socks[fd] == old {
		t.Error("second Add did not replace the registration")
	}
	if ev := waitEvent(t, p, fd, EventWrite); ev.Has(EventRead) {
		t.Errorf("replaced registration still reports %v", ev)
	}
}

func TestPollerDelete(t *testing.T) {
	p := newTestPoller(t)
	c, s := tcpPair(t)
	fd := rawSocket(t, s)
	if err := p.Add(fd, EventRead); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	var batch []Event
	for batch == nil {
		evs, err := p.Wait(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			t.Fatal("no event within 5s")
		}
		batch = evs
	}
	if err := p.Delete(fd); err != nil {
		t.Fatal(err)
	}
	for _, e := range batch {
		if e.FD == fd {
			t.Errorf("Delete left %v for fd in the current batch", e.Events)
		}
	}
	if batch[0].FD != InvalidFD {
		t.Errorf("batch[0].FD = %#x, want InvalidFD", uintptr(batch[0].FD))
	}
	expectQuiet(t, p, fd, 150*time.Millisecond)
	if err := p.Delete(fd); err != nil {
		t.Errorf("second Delete = %v, want nil (teardown paths repeat it)", err)
	}

	// Re-adding after Delete works while the cancelled poll may still be
	// on its way back.
	if err := p.Add(fd, EventRead); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, p, fd, EventRead)

	// Delete with a poll outstanding, then close the socket at once: the
	// cancelled poll's state must stay valid until its packet is drained.
	buf := make([]byte, 1)
	s.Read(buf)
	expectQuiet(t, p, fd, 50*time.Millisecond)
	if err := p.Delete(fd); err != nil {
		t.Fatal(err)
	}
	s.Close()
	expectQuiet(t, p, fd, 100*time.Millisecond)
	if n := len(p.inflight); n != 0 {
		t.Errorf("%d polls still in flight after the cancel was drained", n)
	}
}

func TestPollerHangup(t *testing.T) {
	p := newTestPoller(t)
	c, s := tcpPair(t)
	fd := rawSocket(t, s)
	if err := p.Add(fd, EventRead); err != nil {
		t.Fatal(err)
	}
	expectQuiet(t, p, fd, 50*time.Millisecond)
	c.Close()
	ev := waitEvent(t, p, fd, EventRead)
	t.Logf("after peer close: %v", ev)
	if !ev.Has(EventHup) {
		t.Errorf("peer closed: got %v, want R|HUP", ev)
	}
}

func TestPollerLocalCloseDropsRegistration(t *testing.T) {
	p := newTestPoller(t)
	_, s := tcpPair(t)
	fd := rawSocket(t, s)
	if err := p.Add(fd, EventRead); err != nil {
		t.Fatal(err)
	}
	expectQuiet(t, p, fd, 50*time.Millisecond)
	s.Close() // without Delete
	deadline := time.Now().Add(5 * time.Second)
	for len(p.socks) != 0 && time.Now().Before(deadline) {
		evs, err := p.Wait(100 * time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.FD == fd && e.Events&(EventRead|EventWrite) != 0 {
				// An error/hang-up report on close is tolerable; readiness is not.
				t.Logf("on local close: %v", e.Events)
			}
		}
	}
	if len(p.socks) != 0 {
		t.Errorf("registration of a closed socket not dropped")
	}
}

func TestPollerWake(t *testing.T) {
	p := newTestPoller(t)
	go func() {
		time.Sleep(100 * time.Millisecond)
		if err := p.Wake(); err != nil {
			t.Error(err)
		}
	}()
	start := time.Now()
	evs, err := p.Wait(-1)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 0 {
		t.Errorf("Wake reported events: %v", evs)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Wait returned after %v", el)
	}

	// Wakes coalesce, and none leaks into the Wait after the one it ended.
	for range 10 {
		if err := p.Wake(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Wait(time.Second); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	evs, err = p.Wait(100 * time.Millisecond)
	if err != nil || len(evs) != 0 {
		t.Fatalf("Wait = %v, %v; want timeout", evs, err)
	}
	if el := time.Since(start); el < 80*time.Millisecond {
		t.Errorf("Wait(100ms) returned after %v: a wake leaked", el)
	}
}

func TestPollerCloseWithPollsOutstanding(t *testing.T) {
	p, err := NewPoller()
	if err != nil {
		t.Fatal(err)
	}
	_, s := tcpPair(t)
	fd := rawSocket(t, s)
	if err := p.Add(fd, EventRead); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Wait(0); err != nil {
		t.Fatal(err)
	}
	if len(p.inflight) != 1 {
		t.Fatalf("%d polls in flight, want 1", len(p.inflight))
	}
	abandoned.Lock()
	before := len(abandoned.states)
	abandoned.Unlock()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	abandoned.Lock()
	after := len(abandoned.states)
	abandoned.Unlock()
	if after != before {
		t.Errorf("Close gave up on %d outstanding polls", after-before)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := p.Wait(0); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Wait after Close = %v", err)
	}
	if err := p.Wake(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Wake after Close = %v", err)
	}
}

func TestPollerAddNotSocket(t *testing.T) {
	p := newTestPoller(t)
	ev, err := windows.CreateEvent(nil, 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer windows.CloseHandle(ev)
	err = p.Add(FD(ev), EventRead)
	if err == nil && isWine() {
		// Wine answers SIO_BASE_HANDLE for any handle; the poll itself
		// then fails, which must drop or flag the registration, never hang.
		evs, werr := p.Wait(100 * time.Millisecond)
		t.Logf("under Wine: Add accepted a non-socket; Wait = %v, %v; registered=%v", evs, werr, p.socks[FD(ev)] != nil)
		if _, ok := p.socks[FD(ev)]; ok && len(evs) == 0 {
			t.Error("non-socket neither dropped nor reported")
		}
		return
	}
	if err == nil {
		t.Error("Add(event handle) succeeded")
	}
	t.Logf("Add(event handle) = %v", err)
}

// isWine reports whether the test runs under Wine, whose emulation of
// Winsock differs from Windows in corners the tests touch.
func isWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

func TestPollerOverlappedPipe(t *testing.T) {
	p := newTestPoller(t)
	name, _ := windows.UTF16PtrFromString(`\\.\pipe\nodenet-poller-test`)
	srv, err := windows.CreateNamedPipe(name,
		windows.PIPE_ACCESS_DUPLEX|windows.FILE_FLAG_OVERLAPPED|windows.FILE_FLAG_FIRST_PIPE_INSTANCE,
		windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT, 1, 4096, 4096, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer windows.CloseHandle(srv)
	if err := p.AssociateHandle(srv); err != nil {
		t.Fatal(err)
	}
	cli, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil,
		windows.OPEN_EXISTING, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer windows.CloseHandle(cli)

	buf := make([]byte, 64)
	var got []byte
	var gotErr error
	done := false
	op := &IOOp{Done: func(op *IOOp, n uint32, err error) {
		got, gotErr, done = buf[:n], err, true
	}}
	if err := p.StartIO(op); err != nil {
		t.Fatal(err)
	}
	if err := windows.ReadFile(srv, buf, nil, &op.Overlapped); err != nil && err != windows.ERROR_IO_PENDING {
		p.AbortIO(op)
		t.Fatal(err)
	}
	var n uint32
	if err := windows.WriteFile(cli, []byte("ping"), &n, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !done && time.Now().Before(deadline) {
		if _, err := p.Wait(time.Until(deadline)); err != nil {
			t.Fatal(err)
		}
	}
	if !done || gotErr != nil || string(got) != "ping" {
		t.Fatalf("done=%v got=%q err=%v", done, got, gotErr)
	}
	if len(p.ioOps) != 0 {
		t.Errorf("%d operations still tracked", len(p.ioOps))
	}
}

func TestPollerManySockets(t *testing.T) {
	// More sockets than one AFD helper handle serves, so several groups
	// are opened and each socket's completion is told apart by its state.
	p := newTestPoller(t)
	const n = 2*afdGroupSize + 5
	fds := make(map[FD]bool, n)
	var clients []*net.TCPConn
	for range n {
		c, s := tcpPair(t)
		fd := rawSocket(t, s)
		if err := p.Add(fd, EventRead); err != nil {
			t.Fatal(err)
		}
		fds[fd] = false
		clients = append(clients, c)
	}
	if got := len(p.groups); got != 3 {
		t.Errorf("%d AFD helper handles for %d sockets, want 3", got, n)
	}
	expectQuiet(t, p, InvalidFD, 50*time.Millisecond)
	for _, c := range clients {
		if _, err := c.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	seen := 0
	deadline := time.Now().Add(10 * time.Second)
	for seen < n && time.Now().Before(deadline) {
		evs, err := p.Wait(time.Until(deadline))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			done, ok := fds[e.FD]
			if !ok {
				t.Fatalf("event for unknown fd %#x", uintptr(e.FD))
			}
			if !done && e.Events.Has(EventRead) {
				fds[e.FD] = true
				seen++
			}
		}
	}
	if seen != n {
		t.Fatalf("%d of %d sockets reported readable", seen, n)
	}
}

func TestPollerConnectFailure(t *testing.T) {
	p := newTestPoller(t)
	// A port nobody listens on: take one, then give it back.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	s, err := windows.Socket(windows.AF_INET, windows.SOCK_STREAM, windows.IPPROTO_TCP)
	if err != nil {
		t.Fatal(err)
	}
	defer windows.Closesocket(s)
	const fionbio = 0x8004667E
	on := uint32(1)
	var nb uint32
	if err := windows.WSAIoctl(s, fionbio, (*byte)(unsafe.Pointer(&on)), 4, nil, 0, &nb, nil, 0); err != nil {
		t.Fatal(err)
	}
	err = windows.Connect(s, &windows.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}})
	if err != nil && err != windows.WSAEWOULDBLOCK {
		t.Skipf("connect failed synchronously: %v", err)
	}
	if err := p.Add(s, EventWrite); err != nil {
		t.Fatal(err)
	}
	// Windows retries a refused SYN for about two seconds.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		evs, err := p.Wait(time.Until(deadline))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.FD != s {
				continue
			}
			t.Logf("refused connect: %v", e.Events)
			if !e.Events.Has(EventErr) {
				t.Errorf("refused connect reported %v, want ERR", e.Events)
			}
			return
		}
	}
	t.Fatal("refused connect never reported")
}
