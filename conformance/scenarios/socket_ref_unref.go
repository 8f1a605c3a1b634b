package main

import (
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("socket_ref_unref", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				trace("server", "connection")
				c.Resume()
				c.Unref()
				srv.Unref()
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					trace("client", "connect")
					s.Unref()
					s.Ref()
					s.Unref()
				})
				s.Resume()
				s.OnClose(func(bool) { trace("client", "close") })
			})

			held, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.Resume()
				c.Unref() // only the client's Ref holds Run
				loop.SetTimeout(50*time.Millisecond, func() { c.End([]byte("bye"), nil) }).Unref()
			})
			held.ListenTCP(0, "127.0.0.1", func() {
				a, _ := held.AddressInfo()
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, a.Port, "127.0.0.1", func() {
					s.Unref()
					s.Ref()
					held.Close(nil)
				})
				s.OnData(func(d []byte) { trace("held", "data", "text", d) })
				s.OnClose(func(bool) { trace("held", "close") })
			})
		})
	})
}
