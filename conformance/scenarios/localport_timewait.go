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
				var lport int
				var first *socket.Socket
				first, _ = socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", LocalAddress: "127.0.0.1"}, func() {
					lport = sub(first.LocalPort(), "LPORT")
					trace("first", "connected", "localPort", lport)
					first.End(nil, nil)
				})
				watch("first", first, false)
				first.OnClose(func(bool) {
					var b *socket.Socket
					b, _ = socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", LocalAddress: "127.0.0.1", LocalPort: lport}, func() {
						trace("client", "second-connected", "localPort", b.LocalPort())
						b.End(nil, nil)
					})
					watch("client", b, false)
					b.OnClose(func(bool) { srv.Close(nil) })
				})
			})
		})
	})
}
