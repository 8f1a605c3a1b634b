package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("write_empty", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.Resume()
				c.OnEnd(func() {
					trace("server", "end", "bytesRead", c.BytesRead())
					srv.Close(nil)
				})
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					ok, _ := s.SendString("", "utf8", func(err error) { trace("client", "cb-string", errf(err)...) })
					trace("client", "write-string", "returned", ok)
					trace("client", "write-buffer", "returned", s.Send([]byte{}, func(err error) { trace("client", "cb-buffer", errf(err)...) }))
					s.End([]byte{}, nil)
				})
				watch("client", s, true)
			})
		})
	})
}
