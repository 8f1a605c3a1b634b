package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("remove_during_emit", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, nil)
			serverFour := func(ev server.EventName, name string) {
				var second, fourth server.Added
				var left int
				add := func(fn func()) server.Added {
					switch ev {
					case server.EventConnection:
						return srv.OnConnection(func(*socket.Socket) { fn() })
					case server.EventClose:
						return srv.OnClose(fn)
					}
					return srv.OnListening(fn)
				}
				add(func() {
					before := srv.ListenerCount(ev)
					srv.RemoveListener(second.ID)
					srv.RemoveListener(fourth.ID)
					left = srv.ListenerCount(ev)
					trace("server", name+"-first", "removed", before-left)
				})
				second = add(func() { trace("server", name+"-second") })
				add(func() { trace("server", name+"-third") })
				fourthFn := func() { trace("server", name+"-fourth", "unchanged", srv.ListenerCount(ev) == left) }
				switch ev {
				case server.EventConnection:
					fourth = srv.OnceConnection(func(*socket.Socket) { fourthFn() })
				case server.EventClose:
					fourth = srv.OnceClose(fourthFn)
				default:
					fourth = srv.OnceListening(fourthFn)
				}
			}
			serverFour(server.EventListening, "listening")
			serverFour(server.EventConnection, "connection")
			serverFour(server.EventClose, "close")
			srv.OnConnection(func(s *socket.Socket) { s.End([]byte("x"), nil) })
			listen(srv, func(port int) {
				c, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1"}, nil)
				clientFour := func(ev socket.EventName, name string) {
					var second, fourth socket.ListenerID
					var left int
					add := func(once bool, fn func()) socket.ListenerID {
						switch {
						case ev == socket.EventConnect && once:
							return c.OnceConnect(fn)
						case ev == socket.EventConnect:
							return c.OnConnect(fn)
						case ev == socket.EventData && once:
							return c.OnceData(func([]byte) { fn() })
						case ev == socket.EventData:
							return c.OnData(func([]byte) { fn() })
						case ev == socket.EventEnd && once:
							return c.OnceEnd(fn)
						case ev == socket.EventEnd:
							return c.OnEnd(fn)
						case once:
							return c.OnceClose(func(bool) { fn() })
						}
						return c.OnClose(func(bool) { fn() })
					}
					add(false, func() {
						before := c.ListenerCount(ev)
						c.RemoveListener(second)
						c.RemoveListener(fourth)
						left = c.ListenerCount(ev)
						trace("client", name+"-first", "removed", before-left)
					})
					second = add(false, func() { trace("client", name+"-second") })
					add(false, func() { trace("client", name+"-third") })
					fourth = add(true, func() { trace("client", name+"-fourth", "unchanged", c.ListenerCount(ev) == left) })
				}
				clientFour(socket.EventConnect, "connect")
				clientFour(socket.EventData, "data")
				clientFour(socket.EventEnd, "end")
				clientFour(socket.EventClose, "close")
				c.OnClose(func(bool) {
					srv.Close(nil)
				})
			})
		})
	})
}
