package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("local_address_bind", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				sub(c.RemotePort(), "CPORT")
				trace("server", "connection", "remoteAddress", und(c.RemoteAddress()), "remotePort", undInt(c.RemotePort()))
				c.End(nil, nil)
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", LocalAddress: "127.0.0.2"}, func() {
					sub(s.LocalPort(), "CPORT")
					trace("client", "connect", "localAddress", und(s.LocalAddress()), "localPort", undInt(s.LocalPort()))
				})
				s.Resume()
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
	})
}
