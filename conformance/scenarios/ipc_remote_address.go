package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("ipc_remote_address", func() {
		addrs := func(side string, s *socket.Socket, at string) {
			trace(side, "addresses", "at", at,
				"remoteAddress", und(s.RemoteAddress()), "remoteFamily", und(s.RemoteFamily()), "remotePort", undInt(s.RemotePort()),
				"localAddress", und(s.LocalAddress()), "localFamily", und(s.LocalFamily()), "localPort", undInt(s.LocalPort()),
				"address", addressJSON(s.Address()))
		}
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				addrs("server", c, "connection")
				c.OnClose(func(bool) {
					addrs("server", c, "close")
					srv.Close(nil)
				})
				c.Resume()
			})
			srv.ListenUnix("s.sock", func() {
				a, _ := srv.AddressInfo()
				trace("server", "listening", "address", a.Address)
				var s *socket.Socket
				s, _ = socket.ConnectPath(loop, "s.sock", func() {
					addrs("client", s, "connect")
					s.End(nil, nil)
				})
				s.OnClose(func(bool) { addrs("client", s, "close") })
			})
		})
	})
}
