package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("stream_state", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.OnData(func([]byte) {})
				c.OnEnd(func() {
					c.End([]byte("bye"), nil)
					srv.Close(nil)
				})
			})
			listen(srv, func(port int) {
				s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
				streamState("client", s, "connecting")
				s.OnConnect(func() {
					streamState("client", s, "connect")
					s.Cork()
					streamState("client", s, "corked")
					s.Uncork()
					s.End([]byte("x"), nil)
					streamState("client", s, "after-end")
				})
				s.OnFinish(func() { streamState("client", s, "finish") })
				s.OnData(func([]byte) { streamState("client", s, "data") })
				s.OnEnd(func() { streamState("client", s, "end") })
				s.OnClose(func(bool) { streamState("client", s, "close") })
			})
		})
	})
}
