package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("ipc_half_open", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop, StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}, func(c *socket.Socket) {
				watch("server", c, true)
				c.OnEnd(func() { c.End([]byte("reply after your end"), nil) })
				c.OnClose(func(bool) { srv.Close(nil) })
			})
			srv.ListenUnix("h.sock", func() {
				var s *socket.Socket
				s, _ = socket.ConnectPath(loop, "h.sock", func() { s.End([]byte("request"), nil) })
				watch("client", s, true)
			})
		})
	})
}
