package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("max_connections_drop", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var held *socket.Socket
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				trace("server", "connection")
				c.Resume()
				held = c
			})
			srv.SetMaxConnections(1)
			trace("server", "max", "maxConnections", srv.MaxConnections())
			srv.OnDrop(func(d server.DropInfo) {
				sub(d.RemotePort, "DROPPED_PORT")
				trace("server", "drop", "localAddress", d.LocalAddress, "localPort", d.LocalPort, "localFamily", d.LocalFamily,
					"remoteAddress", d.RemoteAddress, "remotePort", d.RemotePort, "remoteFamily", d.RemoteFamily)
				held.End(nil, nil)
			})
			listen(srv, func(port int) {
				a, _ := socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					trace("first", "connect")
					var b *socket.Socket
					b, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
						sub(b.LocalPort(), "DROPPED_PORT")
						trace("second", "connect")
					})
					b.OnError(func(err error) { trace("second", "error", "code", errf(err)[1]) })
					b.OnClose(func(bool) {
						trace("second", "close")
						srv.Close(nil)
					})
					b.Resume()
				})
				a.Resume()
				a.OnClose(func(bool) { trace("first", "close") })
			})

			zero, _ := server.New(server.Options{Loop: loop}, func(*socket.Socket) { trace("zero", "connection") })
			zero.SetMaxConnections(0)
			zero.OnDrop(func(server.DropInfo) { trace("zero", "drop") })
			zero.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
				a, _ := zero.AddressInfo()
				s, _ := socket.ConnectTCP(loop, a.Port, "127.0.0.1", nil)
				s.OnError(func(err error) { trace("zero-client", "error", "code", errf(err)[1]) })
				s.OnClose(func(bool) {
					trace("zero-client", "close")
					zero.Close(nil)
				})
				s.Resume()
			})
		})
	})
}
