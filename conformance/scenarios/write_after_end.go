package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("write_after_end", func() {
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
					s.End(nil, nil)
					ok := s.Send([]byte("x"), func(err error) { trace("client", "write-cb", errf(err)...) })
					trace("client", "write", "returned", ok)
					state("client", s, "after-write")
				})
				watch("client", s, true)
			})
		})
	})
}
