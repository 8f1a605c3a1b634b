package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("state_destroyed", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.Resume()
				c.OnClose(func(bool) { srv.Close(nil) })
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					s.Destroy(nil)
					state("client", s, "destroyed")
					probe("client", s, "destroyed")
					state("client", s, "probed")
					ok := s.Send([]byte("x"), func(err error) { trace("client", "write-cb", errf(err)...) })
					trace("client", "write", "returned", ok)
					s.End(nil, func(err error) { trace("client", "end-cb", errf(err)...) })
					s.Destroy(nil)
					trace("client", "destroyed-again", "destroyed", s.Destroyed())
				})
				watch("client", s, true)
			})
		})
	})
}
