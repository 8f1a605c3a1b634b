package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("write_before_connect", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				var got []byte
				c.OnData(func(d []byte) { got = append(got, d...) })
				c.OnEnd(func() {
					trace("server", "got", "text", got)
					c.End(nil, nil)
				})
				c.OnClose(func(bool) { srv.Close(nil) })
			})
			listen(srv, func(port int) {
				s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
				watch("client", s, false)
				s.OnConnect(func() {
					trace("client", "user-connect", "bufferSize", s.BufferSize(), "bytesWritten", s.BytesWritten())
				})
				r1 := s.Send([]byte("hello "), func(err error) { trace("client", "write-cb-1", errf(err)...) })
				r2 := s.Send([]byte("world"), func(err error) { trace("client", "write-cb-2", errf(err)...) })
				trace("client", "queued", "r1", r1, "r2", r2, "bufferSize", s.BufferSize(), "writableLength", s.WritableLength(), "bytesWritten", s.BytesWritten())
				s.End(nil, nil)
			})
		})
	})
}
