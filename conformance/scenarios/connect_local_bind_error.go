package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("connect_local_bind_error", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, nil)
			listen(srv, func(port int) {
				s, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", LocalAddress: "127.0.0.1", LocalPort: port}, nil)
				watch("client", s, true)
				s.OnClose(func(bool) { srv.Close(func(error) { trace("server", "closed") }) })
			})
		})
	})
}
