package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("state_half_closed_write", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop, StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}, func(c *socket.Socket) {
				c.Resume()
				c.OnEnd(func() { loop.SetImmediate(func() { c.End([]byte("still talking"), nil) }) })
				c.OnClose(func(bool) { srv.Close(nil) })
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() { s.End(nil, nil) })
				watch("client", s, true)
				s.OnFinish(func() {
					state("client", s, "finish")
					probe("client", s, "finish")
					state("client", s, "probed")
					ok := s.Send([]byte("x"), func(err error) { trace("client", "write-cb", errf(err)...) })
					trace("client", "write", "returned", ok)
				})
			})
		})
	})
}
