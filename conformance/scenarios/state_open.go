package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("state_open", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.OnData(func([]byte) { c.End([]byte("bye"), nil) })
				c.OnClose(func(bool) { srv.Close(nil) })
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					state("client", s, "open")
					probe("client", s, "open")
					state("client", s, "probed")
					s.Send([]byte("x"), nil)
				})
				watch("client", s, true)
			})
		})
	})
}
