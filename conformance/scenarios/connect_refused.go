package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("connect_refused", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, nil)
			listen(srv, func(int) {
				srv.Close(func(error) {
					s, _ := socket.ConnectTCP(loop, refusedPort, "127.0.0.1", nil)
					watch("client", s, true)
					state("client", s, "connecting")
					s.OnClose(func(bool) { state("client", s, "close") })
				})
			})
		})
	})
}
