package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("state_new_socket", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			s, _ := socket.New(socket.Options{Loop: loop})
			watch("client", s, true)
			state("client", s, "new")
			probe("client", s, "new")
			state("client", s, "probed")
			s.Destroy(nil)
			state("client", s, "destroyed")
		})
	})
}
