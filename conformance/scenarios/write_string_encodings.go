package main

import (
	"encoding/hex"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("write_string_encodings", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				var got []byte
				c.OnData(func(d []byte) { got = append(got, d...) })
				c.OnEnd(func() {
					trace("server", "got", "hex", hex.EncodeToString(got))
					c.End(nil, nil)
					srv.Close(nil)
				})
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					s.SendString("68656c6c6f", "hex", nil)
					s.SendString("d29ybGQ=", "base64", nil)
					s.SendString("\u00e9", "latin1", nil)
					s.SendString("\u00e9", "utf8", nil)
					s.SendString("\u20ac", "utf16le", nil)
					s.SendString("aGk", "base64url", nil)
					s.SendString("ab", "ascii", nil)
					trace("client", "written", "bytesWritten", s.BytesWritten())
					// end(string, encoding): Go's End takes bytes; a port encodes first.
					s.SendString("\u00fc", "latin1", nil)
					s.End(nil, nil)
					trace("client", "ended", "bytesWritten", s.BytesWritten())
				})
				s.OnClose(func(bool) { trace("client", "close", "bytesWritten", s.BytesWritten()) })
			})
		})
	})
}
