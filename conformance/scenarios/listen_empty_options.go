package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
)

func init() {
	scenario("listen_empty_options", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, nil)
			err := srv.Listen(server.ListenOptions{}, func() {
				a, _ := srv.AddressInfo()
				sub(a.Port, "PORT")
				trace("server", "listening", "address", addressJSON(a))
				srv.Close(nil)
			})
			if err != nil {
				trace("server", "threw", errf(err)...)
			} else {
				trace("server", "called", "threw", false)
			}
		})
	})
}
