package main

import (
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("socket_timer_unref", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.Unref()
				c.Resume()
			})
			listen(srv, func(port int) {
				srv.Unref()
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					s.SetTimeout(5*time.Second, func() { trace("client", "timeout") })
					s.Unref()
					trace("client", "connect")
				})
				s.Resume()
			})
		})
	})
}
