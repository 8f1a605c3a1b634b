package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("connect_bad_localport", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			s, err := socket.Connect(socket.ConnectOptions{Loop: loop, Port: 9, Host: "127.0.0.1", LocalPort: 70000}, nil)
			if err != nil {
				trace("client", "threw", errf(err)...)
			} else {
				trace("client", "connect-called")
				watch("client", s, true)
			}
		})
	})
}
