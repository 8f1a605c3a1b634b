package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("reuse_port", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			a, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.End([]byte("a"), nil) })
			a.Listen(server.ListenOptions{Host: "127.0.0.1", ReusePort: true}, func() {
				aa, _ := a.AddressInfo()
				port := sub(aa.Port, "PORT")
				trace("reuse", "first", "port", aa.Port)
				var b *server.Server
				b, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.End([]byte("b"), nil) })
				b.OnError(func(err error) { trace("reuse", "second-error", errf(err)...) })
				b.Listen(server.ListenOptions{Port: port, Host: "127.0.0.1", ReusePort: true}, func() {
					ba, _ := b.AddressInfo()
					trace("reuse", "second", "port", ba.Port)
					c, _ := server.New(server.Options{Loop: loop}, nil)
					c.OnError(func(err error) {
						trace("plain", "error", errf(err)...)
						a.Close(nil)
						b.Close(nil)
					})
					c.Listen(server.ListenOptions{Port: port, Host: "127.0.0.1"}, nil)
				})
			})
		})
	})
}
