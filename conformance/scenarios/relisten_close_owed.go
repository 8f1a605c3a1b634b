package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("relisten_close_owed", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			run := func(side string, closeAgainFirst bool) {
				var srv *server.Server
				srv, _ = server.New(server.Options{Loop: loop}, func(s *socket.Socket) {
					trace(side, "connection")
					srv.Close(func(err error) { trace(side, "close-cb-1", errf(err)...) })
					trace(side, "closed", "listening", srv.Listening())
					srv.Listen(server.ListenOptions{}, func() {
						trace(side, "relistening", "listening", srv.Listening())
						if closeAgainFirst {
							srv.Close(func(err error) { trace(side, "close-cb-2", errf(err)...) })
							trace(side, "closed-again", "listening", srv.Listening())
						}
						s.End(nil, nil)
					})
					s.OnClose(func(bool) {
						trace(side, "connection-close", "listening", srv.Listening())
						srv.GetConnections(func(_ error, n int) {
							trace(side, "connections", "n", n)
							if !closeAgainFirst {
								srv.Close(func(err error) { trace(side, "close-cb-2", errf(err)...) })
							}
						})
					})
				})
				closes := 0
				srv.OnClose(func() {
					closes++
					trace(side, "close-event", "n", closes, "listening", srv.Listening())
				})
				listen(srv, func(port int) {
					c, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1"}, nil)
					c.OnData(func([]byte) {})
					c.OnEnd(func() { c.End(nil, nil) })
				})
			}
			run("a", false)
			run("b", true)
		})
	})
}
