package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("ipv6_addresses", func() {
		addrs := func(side string, s *socket.Socket) {
			trace(side, "addresses", "remoteAddress", und(s.RemoteAddress()), "remoteFamily", und(s.RemoteFamily()),
				"localAddress", und(s.LocalAddress()), "localFamily", und(s.LocalFamily()), "address", addressJSON(s.Address()))
		}
		loop, _ := reactor.New()
		loop.Main(func() {
			var v6 *server.Server
			v6, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				sub(c.RemotePort(), "C6PORT")
				addrs("v6-server", c)
				c.End(nil, nil)
			})
			v6.ListenTCP(0, "::1", func() {
				a, _ := v6.AddressInfo()
				sub(a.Port, "PORT6")
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, a.Port, "::1", func() {
					sub(s.LocalPort(), "C6PORT")
					addrs("v6-client", s)
				})
				s.Resume()
				s.OnClose(func(bool) { v6.Close(nil) })
			})
			var dual *server.Server
			dual, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				sub(c.RemotePort(), "C4PORT")
				addrs("dual-server", c)
				c.End(nil, nil)
			})
			dual.Listen(server.ListenOptions{}, func() {
				a, _ := dual.AddressInfo()
				sub(a.Port, "DUALPORT")
				trace("dual-server", "listening", "address", addressJSON(a))
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, a.Port, "127.0.0.1", func() {
					sub(s.LocalPort(), "C4PORT")
					addrs("dual-client", s)
				})
				s.Resume()
				s.OnClose(func(bool) { dual.Close(nil) })
			})
		})
	})
}
