package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("pipe_noend_unpipe", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			sink, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				var got []byte
				c.OnData(func(d []byte) { got = append(got, d...) })
				c.OnEnd(func() {
					trace("sink", "end", "got", got)
					c.End(nil, nil)
				})
			})
			sink.ListenTCP(0, "127.0.0.1", func() {
				sa, _ := sink.AddressInfo()
				dst, _ := socket.ConnectTCP(loop, sa.Port, "127.0.0.1", nil)
				srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
					c.Pipe(dst, &socket.PipeOptions{NoEnd: true})
					c.OnceData(func(d []byte) {
						trace("src", "first", "text", d)
						c.Unpipe(dst)
						trace("src", "unpiped", "isPaused", c.IsPaused(), "readableFlowing", jsWord(c.ReadableFlowing().String()))
						c.OnData(func(d2 []byte) { trace("src", "after-unpipe", "text", d2) })
						c.Resume() // unpipe stopped the flow (Node); start it again
						c.Send([]byte("go on"), nil)
					})
					c.OnEnd(func() {
						trace("src", "end", "dstWritable", dst.Writable())
						dst.End([]byte("bye"), nil)
					})
				})
				dst.OnClose(func(bool) {
					trace("dst", "close")
					srv.Close(nil)
					sink.Close(nil)
				})
				listen(srv, func(port int) {
					var s *socket.Socket
					s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() { s.Send([]byte("one"), nil) })
					s.OnceData(func([]byte) { s.End([]byte("two"), nil) })
				})
			})
		})
	})
}
