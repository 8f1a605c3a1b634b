package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("half_open_allowed", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop, StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}, func(c *socket.Socket) {
				watch("server", c, true)
				c.OnEnd(func() {
					state("server", c, "end")
					c.Send([]byte("late reply"), func(error) {
						state("server", c, "wrote-after-end")
						c.End(nil, nil)
					})
				})
				c.OnClose(func(bool) {
					state("server", c, "close")
					srv.Close(nil)
				})
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() { s.End([]byte("request"), nil) })
				watch("client", s, true)
				s.OnFinish(func() { state("client", s, "finish") })
				s.OnClose(func(bool) { state("client", s, "close") })
			})
		})
	})
}
