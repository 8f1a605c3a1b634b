//go:build unix

package reactor

import (
	"testing"

	"github.com/nodenet/nodenet"
	"golang.org/x/sys/unix"
)

func socketpair(t testing.TB) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.SetNonblock(fds[0], true)
	unix.SetNonblock(fds[1], true)
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

type echoHandler struct {
	l   *Loop
	fd  int
	got []byte
	n   int
}

func (h *echoHandler) HandleEvent(ev nodenet.Events) {
	buf := h.l.ReadBuffer()
	n, err := unix.Read(h.fd, buf)
	if n > 0 {
		h.got = append(h.got, buf[:n]...)
	}
	if n == 0 || (err != nil && err != unix.EAGAIN) || len(h.got) >= h.n {
		h.l.Unregister(h.fd)
		h.l.Unref()
	}
}

func TestRegisterDispatchesReads(t *testing.T) {
	l := newLoop(t)
	a, b := socketpair(t)
	h := &echoHandler{l: l, fd: a, n: 5}
	l.Post(func() {
		if err := l.Register(a, nodenet.EventRead, h); err != nil {
			t.Error(err)
		}
		l.Ref()
	})
	go func() {
		unix.Write(b, []byte("hel"))
		unix.Write(b, []byte("lo"))
	}()
	runGuarded(t, l)
	if string(h.got) != "hello" {
		t.Fatalf("got %q", h.got)
	}
}

type panicHandler struct {
	l   *Loop
	fd  int
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
	a, b := socketpair(t)
	h := &panicHandler{l: l, fd: a}
	l.Post(func() { l.Register(a, nodenet.EventRead, h); l.Ref() })
	unix.Write(b, []byte("x"))
	runGuarded(t, l)
	if h.err == nil || !isCode(h.err, nodenet.CodeCallbackPanic) {
		t.Fatalf("handle error %v", h.err)
	}
}

func isCode(err error, code string) bool {
	e, ok := err.(*nodenet.Error)
	return ok && e.Code == code
}
