//go:build linux

package server_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// Bad values that used to get through, or to break the server (issue 12,
// items 6, 9 and 10).

// TestListenNilHandle: a nil (or zero-value) *Server or *socket.Socket as
// Handle used to panic inside the posted listen — swallowed, nothing
// emitted — and leave the server claimed for ever. Now Listen refuses it
// with ERR_INVALID_ARG_VALUE, and the server can listen afterwards.
func TestListenNilHandle(t *testing.T) {
	l := newLoop(t)
	srv := newServer(t, server.Options{Loop: l}, nil)
	for _, h := range []any{(*server.Server)(nil), (*socket.Socket)(nil), &server.Server{}, &socket.Socket{}} {
		if err := srv.Listen(server.ListenOptions{Handle: h}, nil); !errors.Is(err, nodenet.ErrInvalidArgValue) {
			t.Fatalf("Listen(Handle: %T %v): %v, want ERR_INVALID_ARG_VALUE", h, h, err)
		}
	}
	listening := false
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { listening = true; srv.Close(nil) }); err != nil {
		t.Fatalf("Listen after refused handles: %v (claim left held)", err)
	}
	run(t, l)
	if !listening {
		t.Fatal("no 'listening' after the refused handles")
	}
}

// TestListenLookupPanic: a panicking Lookup for a hostname listen is the
// listen's error, not a crash of the resolver goroutine.
func TestListenLookupPanic(t *testing.T) {
	l := newLoop(t)
	srv := newServer(t, server.Options{Loop: l}, nil)
	var gotErr error
	srv.OnError(func(err error) { gotErr = err })
	if err := srv.Listen(server.ListenOptions{Host: "boom.invalid",
		Lookup: func(string, socket.LookupOptions) ([]socket.LookupAddress, error) { panic("lookup exploded") }}, nil); err != nil {
		t.Fatal(err)
	}
	run(t, l)
	wantCode(t, gotErr, nodenet.CodeCallbackPanic)
}

// TestListenUnixEmptyPath: ListenUnix("") listened on TCP on every
// interface (the zero ListenOptions); Node's listen({path: ”}) is
// ERR_INVALID_ARG_VALUE.
func TestListenUnixEmptyPath(t *testing.T) {
	l := newLoop(t)
	srv := newServer(t, server.Options{Loop: l}, nil)
	srv.OnListening(func() { t.Error("listening") })
	err := srv.ListenUnix("", nil)
	if !errors.Is(err, nodenet.ErrInvalidArgValue) || err.Error() != "The argument 'options' is invalid. Received { path: '' }" {
		t.Fatalf("ListenUnix(\"\"): %v", err)
	}
	run(t, l)
	if srv.Listening() || srv.Address() != nil {
		t.Fatal("the server listens")
	}
}

// TestListenUnixPathWithNUL: the kernel cut a path name at its first NUL,
// so the server bound the truncated name and left its file behind after
// Close. Node emits 'error' with EINVAL; so does nodenet, and no file is
// created.
func TestListenUnixPathWithNUL(t *testing.T) {
	dir := t.TempDir()
	l := newLoop(t)
	srv := newServer(t, server.Options{Loop: l}, nil)
	var gotErr error
	srv.OnError(func(err error) { gotErr = err })
	path := filepath.Join(dir, "a\x00b")
	if err := srv.ListenUnix(path, func() { t.Error("listening") }); err != nil {
		t.Fatal(err)
	}
	run(t, l)
	e := wantCode(t, gotErr, "EINVAL")
	if !errors.Is(gotErr, syscall.EINVAL) || e.Message != "listen EINVAL: invalid argument "+path {
		t.Fatalf("error %+v", e)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("files left in the directory: %v", ents)
	}
}

// TestNilServerListenersPanicAtTheCall: a nil listener used to panic later
// on the loop, silently (the default logger is a no-op), and stop every
// listener after it — with OnConnection(nil) every connection died. Node
// throws ERR_INVALID_ARG_TYPE at the call; nodenet panics there with it.
func TestNilServerListenersPanicAtTheCall(t *testing.T) {
	l := newLoop(t)
	srv := newServer(t, server.Options{Loop: l}, nil)
	// Every On… method, found by reflection so that a new one cannot
	// escape, and GetConnections (its callback is required, as Node's).
	v := reflect.ValueOf(srv)
	tested := 0
	for i := 0; i < v.NumMethod(); i++ {
		m := v.Type().Method(i)
		if !(strings.HasPrefix(m.Name, "On") || m.Name == "GetConnections") || m.Type.NumIn() != 2 || m.Type.In(1).Kind() != reflect.Func {
			continue
		}
		tested++
		func() {
			defer func() {
				r := recover()
				err, _ := r.(error)
				if !errors.Is(err, &nodenet.Error{Code: nodenet.CodeInvalidArgType}) {
					t.Errorf("%s(nil): recovered %v, want ERR_INVALID_ARG_TYPE", m.Name, r)
				}
			}()
			v.Method(i).Call([]reflect.Value{reflect.Zero(m.Type.In(1))})
		}()
	}
	if tested < 6 {
		t.Fatalf("only %d methods taking a listener found", tested)
	}
	run(t, l)
	if srv.ListenerCount(server.EventListening) != 0 {
		t.Fatal("a nil 'listening' listener was registered")
	}
}

// TestZeroValueServer: a Server declared without New panicked with a nil
// dereference; its methods now answer EINVAL or do nothing.
func TestZeroValueServer(t *testing.T) {
	var srv server.Server
	if err := srv.Listen(server.ListenOptions{}, nil); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("Listen: %v", err)
	}
	if err := srv.ListenTCP(0, "", nil); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("ListenTCP: %v", err)
	}
	got := make(chan error, 2)
	srv.Close(func(err error) { got <- err })
	srv.GetConnections(func(err error, _ int) { got <- err })
	for range 2 {
		if err := <-got; !errors.Is(err, syscall.EINVAL) {
			t.Fatalf("callback: %v, want EINVAL", err)
		}
	}
	srv.OnListening(func() {}).OnError(func(error) {}).OnClose(func() {}).OnDrop(func(server.DropInfo) {}).
		OnConnection(func(*socket.Socket) {}).Ref().Unref().SetMaxConnections(3)
	_, _, _, _, _ = srv.Listening(), srv.Connections(), srv.ListenerCount(server.EventListening), srv.Address(), srv.MaxConnections()
}
