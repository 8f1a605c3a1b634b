package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("listeners", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.Send([]byte("a"), nil)
				c.OnData(func([]byte) { c.End([]byte("b"), nil) })
			})
			listen(srv, func(port int) {
				s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
				count := func(at string) {
					trace("client", "count", "at", at, "connect", s.ListenerCount(socket.EventConnect), "data", s.ListenerCount(socket.EventData))
				}
				count("start")
				s.OnceConnect(func() { trace("client", "once-connect") })
				s.OnReady(func() { count("ready") })
				onData := s.OnData(func([]byte) { trace("client", "removed-data-listener") })
				s.OnceData(func(d []byte) {
					trace("client", "once-data", "text", d)
					s.RemoveListener(onData)
					count("after-remove")
					s.OnData(func(d2 []byte) { trace("client", "data", "text", d2) })
					s.Send([]byte("x"), nil)
				})
				count("added")
				s.OnEnd(func() {
					s.RemoveAllListeners(socket.EventData)
					count("end")
				})
				s.OnClose(func(bool) {
					trace("client", "close")
					srv.Close(nil)
				})
			})
		})
	})
}
