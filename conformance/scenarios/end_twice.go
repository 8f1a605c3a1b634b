package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("end_twice", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.Resume()
				c.OnClose(func(bool) { srv.Close(nil) })
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}, func() {
					s.End(nil, func(err error) { trace("client", "end-cb-1", errf(err)...) })
					s.End(nil, func(err error) { trace("client", "end-cb-2", errf(err)...) })
				})
				watch("client", s, true)
				s.OnFinish(func() {
					s.End(nil, func(err error) {
						trace("client", "end-cb-3", errf(err)...)
						s.Destroy(nil)
					})
				})
			})
		})
	})
}
