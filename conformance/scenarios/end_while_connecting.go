package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("end_while_connecting", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				var got []byte
				c.OnData(func(d []byte) { got = append(got, d...) })
				c.OnEnd(func() {
					trace("server", "end", "got", got)
					srv.Close(nil)
				})
			})
			listen(srv, func(port int) {
				s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
				watch("client", s, true)
				s.End([]byte("early"), func(err error) { trace("client", "end-cb", errf(err)...) })
				state("client", s, "ended-while-connecting")
			})
		})
	})
}
