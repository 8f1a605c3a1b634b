package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("destroy_soon", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				n := 0
				c.OnData(func(d []byte) { n += len(d) })
				c.OnEnd(func() {
					trace("server", "end", "bytes", n)
					srv.Close(nil)
				})
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					s.Send(make([]byte, 1<<20), nil)
					s.DestroySoon()
					trace("client", "destroy-soon", "destroyed", s.Destroyed(), "writable", s.Writable())
				})
				watch("client", s, false)
			})
		})
	})
}
