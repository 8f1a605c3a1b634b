package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("cork_uncork", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				var got []byte
				c.OnData(func(d []byte) { got = append(got, d...) })
				c.OnEnd(func() {
					trace("server", "got", "got", got)
					srv.Close(nil)
				})
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					s.Cork()
					s.Cork()
					trace("client", "corked", "writableCorked", s.WritableCorked())
					s.Send([]byte("a"), func(err error) { trace("client", "cb-a", errf(err)...) })
					s.Send([]byte("b"), func(err error) { trace("client", "cb-b", errf(err)...) })
					trace("client", "queued", "bufferSize", s.BufferSize(), "writableLength", s.WritableLength())
					s.Uncork()
					trace("client", "uncork-1", "writableCorked", s.WritableCorked(), "bufferSize", s.BufferSize())
					s.Uncork()
					trace("client", "uncork-2", "writableCorked", s.WritableCorked())
					s.Uncork()
					trace("client", "uncork-extra", "writableCorked", s.WritableCorked())
					s.End([]byte("c"), nil)
				})
			})
		})
	})
}
