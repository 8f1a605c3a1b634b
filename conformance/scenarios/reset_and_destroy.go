package main

import (
	"errors"
	"fmt"
	"sort"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("reset_and_destroy", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var peers []string
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				seen := ""
				c.OnError(func(err error) {
					var e *nodenet.Error
					errors.As(err, &e)
					seen += fmt.Sprintf("error %s %s %s; ", e.Code, e.Syscall, e.Message)
				})
				c.OnClose(func(hadError bool) {
					peers = append(peers, seen+fmt.Sprintf("close hadError=%t", hadError))
					if len(peers) == 2 {
						sort.Strings(peers)
						for _, p := range peers {
							trace("peer", "events", "seen", p)
						}
						srv.Close(nil)
					}
				})
				c.Resume()
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					r, _ := s.ResetAndDestroy()
					trace("open", "reset", "returnsSocket", r == s, "destroyed", s.Destroyed())
				})
				watch("open", s, true)

				c, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
				watch("connecting", c, true)
				c.ResetAndDestroy()
				trace("connecting", "reset-called", "destroyed", c.Destroyed(), "connecting", c.Connecting())
			})

			n, _ := socket.New(socket.Options{Loop: loop})
			watch("never", n, true)
			n.ResetAndDestroy()
			trace("never", "reset-called", "destroyed", n.Destroyed())

			ipc, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.Resume() })
			ipc.ListenUnix("r.sock", func() {
				var u *socket.Socket
				u, _ = socket.ConnectPath(loop, "r.sock", func() {
					if _, err := u.ResetAndDestroy(); err != nil {
						trace("ipc", "reset", errf(err)...)
					} else {
						trace("ipc", "reset", "threw", false)
					}
					u.Destroy(nil)
					ipc.Close(nil)
				})
			})
		})
	})
}
