package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("localport_live_tuple", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var conns []*socket.Socket
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) { conns = append(conns, c) })
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
							b, _ := socket.Connect(opts, nil)
							watch("client", b, true)
							b.OnClose(func(bool) {
								first.Destroy(nil)
								for _, c := range conns {
									c.Destroy(nil)
								}
								srv.Close(nil)
							})
						})
						first.OnError(func(err error) { trace("first", "error", "code", errf(err)[1]) })
					})
				})
			})
		})
	})
}
