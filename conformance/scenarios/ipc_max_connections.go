package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("ipc_max_connections", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var held *socket.Socket
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				held = c
				c.Resume()
			})
			srv.SetMaxConnections(1)
			srv.OnDrop(func(d server.DropInfo) {
				var info any = addressJSON(socket.AddressInfo{Address: d.RemoteAddress, Family: d.RemoteFamily, Port: d.RemotePort})
				if d == (server.DropInfo{}) {
					info = undefined // Node passes no argument for a Unix socket
				}
				trace("server", "drop", "info", info)
				held.End(nil, nil)
			})
			srv.ListenUnix("m.sock", func() {
				a, _ := socket.ConnectPath(loop, "m.sock", func() {
					b, _ := socket.ConnectPath(loop, "m.sock", nil)
					b.Resume()
					b.OnClose(func(bool) {
						trace("second", "close")
						srv.Close(nil)
					})
				})
				a.Resume()
			})
		})
	})
}
