package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("end_never_connected", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			s, _ := socket.New(socket.Options{Loop: loop})
			watch("client", s, true)
			s.End(nil, func(err error) { trace("client", "end-cb", errf(err)...) })
			state("client", s, "after-end")
		})
	})
}
