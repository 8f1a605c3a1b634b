package main

import (
	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("blocklist", func() {
		bl := nodenet.NewBlockList()
		bl.AddAddress("127.0.0.2", "")
		trace("blocklist", "check", "blocked", bl.Check("127.0.0.2", ""), "other", bl.Check("127.0.0.1", ""))
		loop, _ := reactor.New()
		loop.Main(func() {
			// client connects from localAddress and reports its close.
			client := func(side string, port int, local string, then func()) {
				s, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", LocalAddress: local}, nil)
				s.OnError(func(err error) { trace(side, "error", "code", errf(err)[1]) })
				s.Resume()
				s.OnClose(func(bool) { trace(side, "close"); then() })
			}
			full := func() {
				f, _ := server.New(server.Options{Loop: loop, BlockList: bl}, func(*socket.Socket) { trace("full", "connection") })
				f.SetMaxConnections(0)
				f.OnDrop(func(info server.DropInfo) { trace("full", "drop", "remoteAddress", info.RemoteAddress) })
				f.ListenTCP(0, "127.0.0.1", func() {
					a, _ := f.AddressInfo()
					client("full-blocked", a.Port, "127.0.0.2", func() { f.Close(nil) })
				})
			}
			dual := func() {
				d, _ := server.New(server.Options{Loop: loop, BlockList: bl}, func(c *socket.Socket) {
					trace("dual", "connection", "remoteAddress", und(c.RemoteAddress()))
					c.End(nil, nil)
				})
				d.Listen(server.ListenOptions{}, func() {
					a, _ := d.AddressInfo()
					client("dual-blocked", a.Port, "127.0.0.2", func() {
						client("dual-allowed", a.Port, "", func() { d.Close(nil); full() })
					})
				})
			}
			srv, _ := server.New(server.Options{Loop: loop, BlockList: bl}, func(c *socket.Socket) {
				trace("server", "connection", "remoteAddress", und(c.RemoteAddress()))
				c.End(nil, nil)
			})
			srv.OnDrop(func(server.DropInfo) { trace("server", "drop") })
			listen(srv, func(port int) {
				client("blocked", port, "127.0.0.2", func() {
					client("allowed", port, "", func() { srv.Close(nil); dual() })
				})
			})
		})
	})
}
