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
				var first *socket.Socket
				first, _ = socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", LocalAddress: "127.0.0.1"}, func() {
					lport := sub(first.LocalPort(), "LPORT")
					trace("first", "connected", "localPort", lport)
					b, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", LocalAddress: "127.0.0.1", LocalPort: lport}, nil)
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
}
