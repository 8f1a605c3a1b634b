//go:build linux

package socket_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	"golang.org/x/sys/unix"
)

// Unix domain socket tests (Linux only: Windows has named pipes instead).

// NC-039: cork/uncork. Every second write of a corked pair still returns
// true; a corked pair plus End arrives whole over a Unix socket.
func TestNC039_CorkUncork(t *testing.T) {
	l := newLoop(t)
	oks := 0
	var got string
	path := filepath.Join(t.TempDir(), "cork.sock")
	start(t, l, func() {
		srv, _ := server.New(server.Options{Loop: l}, func(c *socket.Socket) {
			c.Resume()
			c.Cork()
			c.Send([]byte("pi"), nil)
			c.Send([]byte("ng"), nil)
			c.End(nil, nil)
		})
		_ = srv.Listen(server.ListenOptions{Path: path}, func() {
			var s *socket.Socket
			s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Path: path}, func() {
				for i := 0; i < 100; i++ {
					s.Cork()
					s.Send([]byte("ab"), nil)
					if s.Send([]byte("cd"), nil) {
						oks++
					}
					s.Uncork()
				}
			})
			s.OnData(func(b []byte) { got += string(b) })
			s.OnClose(func(bool) { srv.Close(nil) })
		})
	})
	if oks != 100 || got != "ping" {
		t.Fatalf("%d ok writes, received %q", oks, got)
	}
}

// NC-068: connecting to a Unix path through every entry point.
func TestNC068_ConnectUnixPath(t *testing.T) {
	l := newLoop(t)
	path := filepath.Join(t.TempDir(), "s.sock")
	conns, closes := 0, 0
	var replies []string
	start(t, l, func() {
		srv, _ := server.New(server.Options{Loop: l}, func(c *socket.Socket) {
			conns++
			c.Resume()
			c.End([]byte("ok"), nil)
		})
		srv.OnError(func(err error) { t.Error(err) })
		_ = srv.Listen(server.ListenOptions{Path: path}, func() {
			for name, form := range connectForms {
				name := name
				var got string
				s, err := form(l, socket.ConnectOptions{Path: path}, func(s *socket.Socket) {})
				if err != nil {
					t.Error(name, err)
					return
				}
				s.OnData(func(b []byte) { got += string(b) })
				s.OnEnd(func() { replies = append(replies, got) })
				s.OnError(func(err error) { t.Error(name, err) })
				s.OnClose(func(bool) {
					closes++
					if closes == len(connectForms) {
						srv.Close(nil)
					}
				})
			}
		})
	})
	if conns != len(connectForms) || closes != conns || len(replies) != conns {
		t.Fatalf("%d connections, %d closes, replies %v", conns, closes, replies)
	}
	for _, r := range replies {
		if r != "ok" {
			t.Fatalf("reply %q", r)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("socket file left behind: %v", err)
	}
}

// NC-073: Unix connect errors.
func TestNC073_UnixConnectErrors(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "regular")
	if err := os.WriteFile(regular, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.sock")
	try := func(path string) error {
		l := newLoop(t)
		var gotErr error
		start(t, l, func() {
			s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Path: path}, func() { t.Error("connected") })
			s.OnError(func(err error) { gotErr = err })
		})
		return gotErr
	}
	if err := try(regular); code(err) != "ECONNREFUSED" && code(err) != "ENOTSOCK" {
		t.Fatalf("regular file: %v", err)
	}
	err := try(missing)
	if code(err) != "ENOENT" || err.Error() != "connect ENOENT "+missing || !errors.Is(err, unix.ENOENT) {
		t.Fatalf("missing path: %v", err)
	}
	if os.Geteuid() == 0 {
		t.Log("running as root: the chmod 0 → EACCES case cannot be observed")
		return
	}
	ln, lerr := net.Listen("unix", filepath.Join(dir, "locked.sock"))
	if lerr != nil {
		t.Fatal(lerr)
	}
	defer ln.Close()
	os.Chmod(filepath.Join(dir, "locked.sock"), 0)
	if err := try(filepath.Join(dir, "locked.sock")); code(err) != "EACCES" {
		t.Fatalf("chmod 0: %v", err)
	}
}

// net.connect(path, cb): the positional form connects to a Unix socket and
// calls cb once; a missing path is an 'error' event (ENOENT), as in Node.
func TestConnectPathPositional(t *testing.T) {
	l := newLoop(t)
	var ev events
	path := filepath.Join(t.TempDir(), "pos.sock")
	start(t, l, func() {
		var srv *server.Server
		srv, _ = server.New(server.Options{Loop: l}, func(c *socket.Socket) { c.End([]byte("hi"), nil) })
		_ = srv.Listen(server.ListenOptions{Path: path}, func() {
			s, err := socket.ConnectPath(l, path, func() { ev.add("cb") })
			if err != nil {
				t.Error(err)
				srv.Close(nil)
				return
			}
			s.OnData(func(b []byte) { ev.add("data:" + string(b)) })
			s.OnClose(func(bool) {
				ev.add("close")
				m, _ := socket.ConnectPath(l, path+".missing", func() { t.Error("connected to a missing path") })
				m.OnError(func(err error) {
					if !errors.Is(err, unix.ENOENT) {
						t.Errorf("missing path: %v", err)
					}
					ev.add("enoent")
				})
				m.OnClose(func(bool) { srv.Close(nil) })
			})
		})
	})
	if got := ev.String(); got != "cb,data:hi,close,enoent" {
		t.Fatalf("events %s", got)
	}
}
