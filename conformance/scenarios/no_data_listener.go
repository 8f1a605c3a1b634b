package main

import (
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("no_data_listener", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var client *socket.Socket
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.Send([]byte("hello"), func(error) {
					t0 := time.Now()
					var look func()
					look = func() {
						if client.BytesRead() < 5 && time.Since(t0) < time.Second {
							loop.SetTimeout(10*time.Millisecond, look)
							return
						}
						trace("client", "later", "bytesRead", client.BytesRead())
						client.Destroy(nil)
						c.Destroy(nil)
						srv.Close(nil)
					}
					look()
				})
			})
			listen(srv, func(port int) {
				client, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() { trace("client", "connect", "bytesRead", client.BytesRead()) })
			})
		})
	})
}
