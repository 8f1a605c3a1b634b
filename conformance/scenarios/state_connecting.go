package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("state_connecting", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.End([]byte("hello"), nil)
				c.OnClose(func(bool) { srv.Close(nil) })
			})
			listen(srv, func(port int) {
				s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
				watch("client", s, true)
				state("client", s, "connecting")
				probe("client", s, "connecting")
				state("client", s, "probed")
			})
		})
	})
}
