package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("error_without_listener", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, nil)
			listen(srv, func(int) {
				srv.Close(func(error) {
					s, _ := socket.ConnectTCP(loop, refusedPort, "127.0.0.1", nil)
					s.OnClose(func(hadError bool) { trace("client", "close", "hadError", hadError) })
				})
			})
		})
	})
}
