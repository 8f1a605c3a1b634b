package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("state_half_closed_read", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.End(nil, nil)
				var got []byte
				c.OnData(func(d []byte) { got = append(got, d...) })
				c.OnEnd(func() { trace("server", "got", "got", got) })
				c.OnClose(func(bool) { srv.Close(nil) })
			})
			listen(srv, func(port int) {
				s, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}, nil)
				watch("client", s, true)
				s.OnEnd(func() {
					state("client", s, "end")
					probe("client", s, "end")
					state("client", s, "probed")
					s.Send([]byte("after-fin"), func(err error) { trace("client", "write-cb", errf(err)...) })
					s.End(nil, func(err error) { trace("client", "end-cb", errf(err)...) })
				})
			})
		})
	})
}
