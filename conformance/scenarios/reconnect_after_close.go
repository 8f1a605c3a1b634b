package main

import (
	"strconv"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("reconnect_after_close", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.OnData(func(d []byte) { c.End(d, nil) })
			})
			listen(srv, func(port int) {
				s, _ := socket.New(socket.Options{Loop: loop})
				watch("client", s, true)
				round := 0
				s.OnConnect(func() {
					sub(s.LocalPort(), "CPORT"+strconv.Itoa(round))
					s.Send([]byte("round "+strconv.Itoa(round)), nil)
				})
				s.OnClose(func(bool) {
					state("client", s, "closed-"+strconv.Itoa(round))
					if round++; round < 2 {
						s.Connect(socket.ConnectOptions{Port: port, Host: "127.0.0.1"}, nil)
					} else {
						srv.Close(nil)
					}
				})
				s.Connect(socket.ConnectOptions{Port: port, Host: "127.0.0.1"}, nil)
			})
		})
	})
}
