package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("half_open_default", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				watch("server", c, true)
				c.OnEnd(func() { state("server", c, "end") })
				c.OnFinish(func() { state("server", c, "finish") })
				c.OnClose(func(bool) {
					state("server", c, "close")
					srv.Close(nil)
				})
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					s.End(nil, nil)
					state("client", s, "after-end")
				})
				watch("client", s, true)
				s.OnFinish(func() { state("client", s, "finish") })
				s.OnEnd(func() { state("client", s, "end") })
			})
		})
	})
}
