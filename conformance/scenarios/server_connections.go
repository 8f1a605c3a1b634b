package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("server_connections", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var conns []*socket.Socket
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				conns = append(conns, c)
				c.Resume()
				srv.GetConnections(func(err error, n int) {
					trace("server", "connection", append(errf(err), "count", n)...)
					if n == 3 {
						srv.Close(func(err error) { trace("server", "close-cb", errf(err)...) })
						trace("server", "close-called", "listening", srv.Listening())
						srv.GetConnections(func(err error, m int) {
							trace("server", "after-close-called", append(errf(err), "count", m)...)
						})
						conns[0].End(nil, nil)
					}
				})
				c.OnClose(func(bool) {
					srv.GetConnections(func(_ error, n int) {
						trace("server", "conn-closed", "count", n)
						if n > 0 {
							conns[3-n].End(nil, nil)
						}
					})
				})
			})
			srv.OnClose(func() { trace("server", "close-event") })
			listen(srv, func(port int) {
				i := 0
				var next func()
				next = func() {
					s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", func() {
						if i++; i < 3 {
							next()
						}
					})
					s.Resume()
					s.OnEnd(func() { s.End(nil, nil) })
				}
				next()
			})
		})
	})
}
