package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("unref_before_connect", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				trace("server", "connection")
				c.Unref()
				c.Resume()
			})
			listen(srv, func(port int) {
				srv.Unref()
				s, _ := socket.New(socket.Options{Loop: loop})
				s.Unref()
				watch("client", s, true)
				s.Connect(socket.ConnectOptions{Port: port, Host: "127.0.0.1"}, nil)
			})
		})
	})
}
