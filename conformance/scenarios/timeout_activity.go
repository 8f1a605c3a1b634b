package main

import (
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("timeout_activity", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				n := 0
				var t *reactor.Timer
				t = loop.SetInterval(20*time.Millisecond, func() {
					c.Send([]byte("."), nil)
					if n++; n == 5 {
						loop.ClearTimeout(t)
						trace("server", "stopped")
					}
				})
				c.OnError(func(error) {}) // the client's destroy may reset it
				c.OnClose(func(bool) { srv.Close(nil) })
			})
			listen(srv, func(port int) {
				s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
				got := 0
				s.OnData(func(d []byte) {
					if got == 0 {
						s.SetTimeout(time.Second, nil)
					}
					got += len(d)
				})
				s.OnTimeout(func() {
					trace("client", "timeout", "got", got)
					s.Destroy(nil)
				})
			})
		})
	})
}
