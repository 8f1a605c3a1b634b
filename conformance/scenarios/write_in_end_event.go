package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("write_in_end_event", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				var got []byte
				c.OnData(func(d []byte) { got = append(got, d...) })
				c.OnEnd(func() { trace("server", "got", "text", got) })
				c.End([]byte("bye"), nil)
				c.OnClose(func(bool) { srv.Close(nil) })
			})
			listen(srv, func(port int) {
				s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
				watch("client", s, true)
				s.OnEnd(func() {
					trace("client", "in-end", "writable", s.Writable())
					ok := s.Send([]byte("x"), func(err error) { trace("client", "write-cb", errf(err)...) })
					trace("client", "write", "returned", ok)
				})
				s.OnFinish(func() {
					ok := s.Send([]byte("y"), func(err error) { trace("client", "write-after-finish-cb", errf(err)...) })
					trace("client", "write-after-finish", "returned", ok)
				})
			})
		})
	})
}
