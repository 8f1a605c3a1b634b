package main

import (
	"errors"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("end_after_destroy", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.OnClose(func(bool) { srv.Close(nil) }) })
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					s.Destroy(errors.New("boom"))
					s.End(nil, func(err error) { trace("client", "end-cb", errf(err)...) })
					s.End([]byte("x"), func(err error) { trace("client", "end-data-cb", errf(err)...) })
				})
				watch("client", s, true)
			})
		})
	})
}
