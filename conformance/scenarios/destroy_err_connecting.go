package main

import (
	"errors"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("destroy_err_connecting", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, nil)
			listen(srv, func(port int) {
				s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
				watch("client", s, true)
				s.Destroy(errors.New("boom"))
				state("client", s, "destroyed")
				srv.Close(func(error) { trace("server", "closed") })
			})
		})
	})
}
