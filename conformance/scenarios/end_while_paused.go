package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("end_while_paused", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.Send([]byte("x"), nil)
				c.OnceData(func([]byte) { c.End(nil, nil) })
			})
			listen(srv, func(port int) {
				s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
				s.OnceData(func([]byte) {
					s.Pause()
					trace("client", "paused", "isPaused", s.IsPaused())
					s.Send([]byte("fin please"), nil)
				})
				s.OnEnd(func() { trace("client", "end", "isPaused", s.IsPaused()) })
				s.OnClose(func(bool) {
					trace("client", "close")
					srv.Close(nil)
				})
			})
		})
	})
}
