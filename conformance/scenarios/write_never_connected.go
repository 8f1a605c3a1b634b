package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("write_never_connected", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			s, _ := socket.New(socket.Options{Loop: loop})
			watch("client", s, true)
			state("client", s, "new")
			ok := s.Send([]byte("x"), func(err error) { trace("client", "write-cb", errf(err)...) })
			trace("client", "write", "returned", ok)
			state("client", s, "after-write")
		})
	})
}
