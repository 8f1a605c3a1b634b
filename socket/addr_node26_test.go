//go:build linux || windows

package socket_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// The remote name as Node 26 reports it: undefined for a Unix socket (or a
// pipe) on both sides; for TCP, kept after close only if it was read while
// the socket was open (Node caches the first getpeername answer and drops
// the handle at destroy), while the local name is gone after close either
// way.
func TestRemoteAddressAsNode26(t *testing.T) {
	path := filepath.Join(os.TempDir(), "nodenet-remote-"+strconv.Itoa(os.Getpid())+".sock")
	if runtime.GOOS == "windows" {
		path = `\\.\pipe\nodenet-remote-` + strconv.Itoa(os.Getpid())
	}
	l := newLoop(t)
	var ev events
	show := func(tag string, s *socket.Socket) {
		ev.add(tag + " " + s.RemoteAddress() + "/" + s.RemoteFamily() + "/" + itoa(s.RemotePort()) + "/" + s.LocalAddress() + "/" + s.Address().String())
	}
	start(t, l, func() {
		ipc, _ := server.New(server.Options{Loop: l}, func(c *socket.Socket) {
			show("ipc server", c)
			c.End(nil, nil)
		})
		if err := ipc.Listen(server.ListenOptions{Path: path}, func() {
			var s *socket.Socket
			s, _ = socket.ConnectPath(l, path, func() { show("ipc client", s) })
			s.OnClose(func(bool) {
				show("ipc closed", s)
				ipc.Close(nil)
				listen(t, l, server.Options{}, func(c *socket.Socket) { c.End(nil, nil) }, func(srv *server.Server, port int) {
					a, _ := socket.ConnectTCP(l, port, "127.0.0.1", nil)
					a.OnClose(func(bool) {
						show("unread closed", a)
						var b *socket.Socket
						b, _ = socket.ConnectTCP(l, port, "127.0.0.1", func() {
							if b.RemoteAddress() != "127.0.0.1" || b.LocalAddress() != "127.0.0.1" {
								t.Errorf("open: remote %q local %q", b.RemoteAddress(), b.LocalAddress())
							}
						})
						b.OnClose(func(bool) {
							ev.add("read closed " + b.RemoteAddress() + "/" + b.RemoteFamily() + "/" + strconv.FormatBool(b.RemotePort() == port) + "/" + b.LocalAddress())
							srv.Close(nil)
						})
					})
				})
			})
		}); err != nil {
			t.Error(err)
		}
	})
	// Node: undefined, undefined, undefined, undefined, {} everywhere but
	// the TCP socket whose remote was read while open.
	want := "ipc server //0//,ipc client //0//,ipc closed //0//,unread closed //0//,read closed 127.0.0.1/IPv4/true/"
	if ev.String() != want {
		t.Errorf("events %s\n\twant %s", ev, want)
	}
}
