package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("ipv6_only", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.End([]byte("v6"), nil) })
			srv.Listen(server.ListenOptions{Host: "::", IPv6Only: true}, func() {
				a, _ := srv.AddressInfo()
				port := sub(a.Port, "PORT")
				trace("server", "listening", "address", addressJSON(a))
				v4, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
				v4.OnError(func(err error) { trace("v4", "error", errf(err)...) })
				v4.OnClose(func(bool) {
					v6, _ := socket.ConnectTCP(loop, port, "::1", nil)
					v6.OnData(func(d []byte) { trace("v6", "data", "text", d) })
					v6.OnClose(func(bool) { srv.Close(nil) })
				})
			})
		})
	})
}
