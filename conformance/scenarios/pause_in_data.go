package main

import (
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("pause_in_data", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.Send([]byte("first"), nil)
				c.OnceData(func([]byte) { c.End([]byte("second"), nil) })
			})
			listen(srv, func(port int) {
				s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
				s.OnData(func(d []byte) {
					trace("client", "data", "text", d, "isPaused", s.IsPaused())
					if string(d) == "first" {
						s.Pause()
						s.Send([]byte("go"), func(error) {
							loop.SetTimeout(50*time.Millisecond, func() {
								trace("client", "resuming", "readableEnded", s.ReadableEnded())
								s.Resume()
							})
						})
					}
				})
				s.OnEnd(func() { trace("client", "end") })
				s.OnClose(func(bool) {
					trace("client", "close")
					srv.Close(nil)
				})
			})
		})
	})
}
