package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("write_callbacks_order", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				var got []byte
				c.SetEncoding("utf8")
				c.OnData(func(d []byte) { got = append(got, d...) })
				c.OnEnd(func() {
					trace("server", "got", "got", got)
					srv.Close(nil)
				})
			})
			listen(srv, func(port int) {
				s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
				cb := func(name string) func(error) {
					return func(err error) { trace("client", name, append(errf(err), "bytesWritten", s.BytesWritten())...) }
				}
				s.Send([]byte("one,"), cb("cb-1"))
				trace("client", "wrote-1", "bytesWritten", s.BytesWritten())
				s.OnConnect(func() {
					s.Send([]byte("two,"), cb("cb-2"))
					s.Send([]byte("\u00e9,"), cb("cb-3"))
					trace("client", "wrote-3", "bytesWritten", s.BytesWritten())
					s.End([]byte("end"), cb("end-cb"))
					trace("client", "ended", "bytesWritten", s.BytesWritten())
				})
				s.OnFinish(func() { trace("client", "finish", "bytesWritten", s.BytesWritten()) })
			})
		})
	})
}
