package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("type_of_service", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.End(nil, nil) })
			listen(srv, func(port int) {
				s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					trace("client", "tos", "before", missing("GetTypeOfService"))
					trace("client", "tos", "after", missing("SetTypeOfService"))
					trace("client", "tos-300", "message", missing("SetTypeOfService"))
				})
				s.Resume()
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
	})
}
