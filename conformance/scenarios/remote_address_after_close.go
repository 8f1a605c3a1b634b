package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("remote_address_after_close", func() {
		remote := func(s *socket.Socket) []any {
			return []any{"remoteAddress", und(s.RemoteAddress()), "remotePort", undInt(s.RemotePort()), "remoteFamily", und(s.RemoteFamily())}
		}
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.Resume()
				c.OnEnd(func() { c.End(nil, nil) })
			})
			listen(srv, func(port int) {
				var unread *socket.Socket
				unread, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() { unread.End(nil, nil) })
				unread.OnClose(func(bool) {
					trace("client", "unread-close", remote(unread)...)
					var read *socket.Socket
					read, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
						trace("client", "read-open", remote(read)...)
						read.End(nil, nil)
					})
					read.OnClose(func(bool) {
						trace("client", "read-close", remote(read)...)
						srv.Close(nil)
					})
				})
			})
		})
	})
}
