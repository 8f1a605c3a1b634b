package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("localport_timewait", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.OnEnd(func() { c.End(nil, nil) })
				c.Resume()
			})
			listen(srv, func(port int) {
				probe, _ := server.New(server.Options{Loop: loop}, nil)
				probe.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
					a, _ := probe.AddressInfo()
					lport := sub(a.Port, "LPORT")
					probe.Close(func(error) {
						opts := socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", LocalAddress: "127.0.0.1", LocalPort: lport}
						var first *socket.Socket
						first, _ = socket.Connect(opts, func() {
							trace("first", "connected", "localPort", first.LocalPort())
							first.End(nil, nil)
						})
						watch("first", first, false)
						first.OnClose(func(bool) {
							var b *socket.Socket
							b, _ = socket.Connect(opts, func() {
								trace("client", "second-connected", "localPort", b.LocalPort())
								b.End(nil, nil)
							})
							watch("client", b, false)
							b.OnClose(func(bool) { srv.Close(nil) })
						})
					})
				})
			})
		})
	})
}
