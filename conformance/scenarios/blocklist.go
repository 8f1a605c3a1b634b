package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// nodenet has no BlockList: the port checks nothing and accepts both.
func init() {
	scenario("blocklist", func() {
		trace("blocklist", "check", "blocked", missing("BlockList"), "other", missing("BlockList"))
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				trace("server", "connection", "remoteAddress", und(c.RemoteAddress()))
				c.End(nil, nil)
			})
			srv.OnDrop(func(server.DropInfo) { trace("server", "drop") })
			listen(srv, func(port int) {
				blocked, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", LocalAddress: "127.0.0.2"}, nil)
				blocked.OnError(func(err error) { trace("blocked", "error", "code", errf(err)[1]) })
				blocked.Resume()
				blocked.OnClose(func(bool) {
					trace("blocked", "close")
					ok, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
					ok.Resume()
					ok.OnClose(func(bool) {
						trace("allowed", "close")
						srv.Close(nil)
					})
				})
			})
		})
	})
}
