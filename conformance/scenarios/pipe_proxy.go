package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("pipe_proxy", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			upstream, _ := server.New(server.Options{Loop: loop}, func(u *socket.Socket) { u.Pipe(u, nil) })
			upstream.ListenTCP(0, "127.0.0.1", func() {
				ua, _ := upstream.AddressInfo()
				var proxy *server.Server
				proxy, _ = server.New(server.Options{Loop: loop, StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}, func(c *socket.Socket) {
					u, _ := socket.ConnectTCP(loop, ua.Port, "127.0.0.1", nil)
					c.Pipe(u, nil)
					u.Pipe(c, nil)
					c.OnEnd(func() { trace("proxy", "client-end") })
					u.OnEnd(func() { trace("proxy", "upstream-end") })
					u.OnClose(func(bool) {
						trace("proxy", "upstream-close")
						proxy.Close(nil)
						upstream.Close(nil)
					})
				})
				listen(proxy, func(port int) {
					var s *socket.Socket
					s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() { s.End([]byte("through the proxy"), nil) })
					var got []byte
					s.OnData(func(d []byte) { got = append(got, d...) })
					s.OnEnd(func() { trace("client", "end", "got", got) })
					s.OnClose(func(bool) { trace("client", "close") })
				})
			})
		})
	})
}
