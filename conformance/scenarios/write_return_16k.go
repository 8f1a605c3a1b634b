package main

import (
	"bytes"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("write_return_16k", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				n := 0
				c.OnData(func(d []byte) {
					n += len(d)
					if n == 16384 {
						c.End(nil, nil)
					}
				})
				c.OnClose(func(bool) { srv.Close(nil) })
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					trace("client", "hwm", "writableHighWaterMark", s.WritableHighWaterMark(), "readableHighWaterMark", s.ReadableHighWaterMark())
					ok := s.Send(bytes.Repeat([]byte("a"), 16384), func(err error) {
						trace("client", "write-cb", "err", err, "bufferSize", s.BufferSize())
					})
					trace("client", "write", "returned", ok, "bufferSize", s.BufferSize(), "writableLength", s.WritableLength())
				})
				watch("client", s, true)
			})
		})
	})
}
