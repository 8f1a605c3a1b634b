package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("type_of_service", func() {
		tos := func(s *socket.Socket) any {
			v, err := s.TypeOfService()
			if err != nil {
				return err.Error()
			}
			return v
		}
		tryTos := func(side, what string, s *socket.Socket, v int) {
			if err := s.SetTypeOfService(v); err != nil {
				trace(side, what, errf(err)...)
			}
		}
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				trace("server", "tos", "accepted", tos(c))
				c.SetTypeOfService(0x10)
				trace("server", "tos", "set", tos(c))
				c.End(nil, nil)
			})
			listen(srv, func(port int) {
				step5 := func() {
					u, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.End(nil, nil) })
					u.ListenUnix("tos.sock", func() {
						var p *socket.Socket
						p, _ = socket.ConnectPath(loop, "tos.sock", func() {
							trace("unix", "tos", "before", tos(p))
							p.SetTypeOfService(5)
							trace("unix", "tos", "after", tos(p))
						})
						p.Resume()
						p.OnClose(func(bool) { u.Close(nil); srv.Close(nil) })
					})
				}
				step4 := func() {
					v6, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.End(nil, nil) })
					v6.ListenTCP(0, "::1", func() {
						a, _ := v6.AddressInfo()
						var t *socket.Socket
						t, _ = socket.ConnectTCP(loop, a.Port, "::1", func() {
							trace("v6", "tos", "before", tos(t))
							t.SetTypeOfService(0x20)
							trace("v6", "tos", "after", tos(t))
						})
						t.Resume()
						t.OnClose(func(bool) { v6.Close(nil); step5() })
					})
				}
				step3 := func() {
					if _, err := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", TypeOfService: 256}, nil); err != nil {
						trace("option", "tos-256", errf(err)...)
					}
					var o *socket.Socket
					o, _ = socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", TypeOfService: 0x28}, func() {
						trace("option", "tos", "connected", tos(o))
						o.End(nil, nil)
					})
					o.Resume()
					o.OnClose(func(bool) { step4() })
				}
				step2 := func() {
					n, _ := socket.New(socket.Options{Loop: loop})
					trace("new", "tos", "fresh", tos(n))
					n.SetTypeOfService(8)
					trace("new", "tos", "remembered", tos(n))
					n.Connect(socket.ConnectOptions{Port: port, Host: "127.0.0.1"}, func() {
						trace("new", "tos", "connected", tos(n))
						n.End(nil, nil)
					})
					n.Resume()
					n.OnClose(func(bool) { step3() })
				}
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					trace("client", "tos", "before", tos(s))
					s.SetTypeOfService(0x10)
					trace("client", "tos", "after", tos(s))
					s.SetTypeOfService(0x10)
					trace("client", "tos", "again", tos(s))
					tryTos("client", "tos-300", s, 300)
					tryTos("client", "tos-neg", s, -1)
					trace("client", "tos", "kept", tos(s))
				})
				s.Resume()
				s.OnClose(func(bool) {
					trace("client", "tos", "closed", tos(s))
					s.SetTypeOfService(4)
					trace("client", "tos", "closed-set", tos(s))
					step2()
				})
			})
		})
	})
}
