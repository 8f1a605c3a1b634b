package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("listen_handle", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			a, _ := server.New(server.Options{Loop: loop}, func(*socket.Socket) { trace("a", "connection") })
			listen(a, func(port int) {
				b, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
					trace("b", "connection")
					c.End([]byte("from b"), nil)
				})
				b.OnError(func(err error) { trace("b", "error", errf(err)...) })
				b.Listen(server.ListenOptions{Handle: a}, func() {
					ba, _ := b.AddressInfo()
					trace("b", "listening", "address", addressJSON(ba))
					s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
					s.OnData(func(d []byte) { trace("client", "data", "text", d) })
					s.OnClose(func(bool) {
						b.Close(nil)
						a.Close(nil)
					})
				})
			})
		})
	})
}
