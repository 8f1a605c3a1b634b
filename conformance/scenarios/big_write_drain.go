package main

import (
	"bytes"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("big_write_drain", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				n := 0
				c.OnData(func(d []byte) { n += len(d) })
				c.OnEnd(func() {
					trace("server", "got", "bytes", n)
					c.End(nil, nil)
					srv.Close(nil)
				})
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					ok := s.Send(bytes.Repeat([]byte("x"), 8<<20), func(err error) {
						trace("client", "write-cb", append(errf(err), "bufferSize", s.BufferSize())...)
					})
					trace("client", "write", "returned", ok, "writableNeedDrain", s.WritableNeedDrain(), "bytesWritten", s.BytesWritten(), "queued", s.BufferSize() > 0)
				})
				drains := 0
				s.OnDrain(func() {
					drains++
					trace("client", "drain", "n", drains, "bufferSize", s.BufferSize(), "writableNeedDrain", s.WritableNeedDrain())
					if drains == 1 {
						ok := s.Send([]byte("tail"), func(err error) {
							trace("client", "tail-cb", errf(err)...)
							s.End(nil, nil)
						})
						trace("client", "tail-write", "returned", ok)
					}
				})
				s.OnClose(func(bool) { trace("client", "close", "drains", drains, "bytesWritten", s.BytesWritten()) })
			})
		})
	})
}
