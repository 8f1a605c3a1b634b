package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("ipc_connect_enoent", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			s, _ := socket.ConnectPath(loop, "nobody.sock", nil)
			watch("client", s, true)
			state("client", s, "connecting")
			s.OnClose(func(bool) { state("client", s, "close") })
		})
	})
}
