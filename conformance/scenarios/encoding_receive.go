package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("encoding_receive", func() {
		encs := []string{"utf8", "hex", "base64", "latin1", ""}
		loop, _ := reactor.New()
		loop.Main(func() {
			n := 0
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.OnceData(func(d []byte) {
					enc := encs[int(d[0])-'0']
					side := "recv-" + enc
					if enc == "" {
						side = "recv-default"
					}
					c.SetEncoding(enc) // "" is utf8, as setEncoding() with no name
					trace(side, "encoding", "readableEncoding", und(c.ReadableEncoding()))
					var text []byte
					c.OnData(func(s []byte) { text = append(text, s...) })
					c.OnEnd(func() {
						trace(side, "end", "text", text)
						c.End(nil, nil)
					})
					c.Send([]byte("k"), nil)
				})
				c.OnClose(func(bool) {
					if n++; n == len(encs) {
						srv.Close(nil)
					}
				})
			})
			listen(srv, func(port int) {
				for i := range encs {
					var s *socket.Socket
					s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() { s.Send([]byte{byte('0' + i)}, nil) })
					s.OnceData(func([]byte) {
						b := []byte("h\u20ac!")
						s.Send(b[:2], func(error) { s.End(b[2:], nil) })
					})
					s.Resume()
				}
			})
		})
	})
}
