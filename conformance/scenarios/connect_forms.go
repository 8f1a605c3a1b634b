package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("connect_forms", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.End([]byte("hi"), nil) })
			listen(srv, func(port int) {
				ipc, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.End([]byte("ipc"), nil) })
				ipc.ListenUnix("f.sock", func() {
					left := 5
					done := func(bool) {
						if left--; left == 0 {
							srv.Close(nil)
							ipc.Close(nil)
						}
					}
					read := func(side string, s *socket.Socket) *socket.Socket {
						s.OnLookup(func(_ error, address string, family int, _ string) {
							trace(side, "lookup", "address", und(address), "family", undInt(family))
						})
						s.OnData(func(d []byte) { trace(side, "data", "text", d) })
						s.OnClose(done)
						return s
					}
					p, _ := socket.ConnectTCP(loop, port, "127.0.0.1", func() { trace("positional", "connect") })
					read("positional", p)
					o, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1"}, nil)
					read("options", o).OnConnect(func() { trace("options", "connect") })
					u, _ := socket.ConnectPath(loop, "f.sock", func() { trace("path", "connect") })
					read("path", u)
					m, _ := socket.New(socket.Options{Loop: loop})
					m.Connect(socket.ConnectOptions{Port: port, Host: "127.0.0.1"}, func() { trace("method", "connect") })
					read("method", m)
					d, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Family: 4}, func() { trace("default-host", "connect") })
					read("default-host", d)
				})
			})
		})
	})
}
