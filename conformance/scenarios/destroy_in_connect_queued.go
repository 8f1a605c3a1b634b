package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("destroy_in_connect_queued", func() {
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
					trace("client", "user-connect", "bytesWritten", s.BytesWritten())
					s.Destroy(nil)
					trace("client", "destroyed", "bytesWritten", s.BytesWritten())
				})
				watch("client", s, false)
				s.Send([]byte("hello world"), func(err error) { trace("client", "write-cb", errf(err)...) })
			})
		})
	})
}
