package main

import (
	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("connection_attempts", func() {
		events := func(side string, s *socket.Socket) *socket.Socket {
			s.OnConnectionAttempt(func(address string, port, family int) {
				trace(side, "attempt", "address", address, "port", undInt(port), "family", undInt(family))
			})
			s.OnConnectionAttemptFailed(func(address string, port, family int, err error) {
				trace(side, "attempt-failed", "address", address, "port", undInt(port), "family", undInt(family), "code", nodenet.ErrnoCode(err))
			})
			s.OnConnectionAttemptTimeout(func(address string, port, family int) {
				trace(side, "attempt-timeout", "address", address, "port", undInt(port), "family", undInt(family))
			})
			s.OnConnect(func() { trace(side, "connect") })
			s.OnError(func(err error) { trace(side, "error", "code", nodenet.ErrnoCode(err)) })
			s.OnClose(func(hadError bool) { trace(side, "close", "hadError", hadError) })
			return s
		}
		answers := func(list ...socket.LookupAddress) socket.LookupFunc {
			return func(string, socket.LookupOptions) ([]socket.LookupAddress, error) { return list, nil }
		}
		dual := answers(socket.LookupAddress{Address: "::1", Family: 6}, socket.LookupAddress{Address: "127.0.0.1", Family: 4})
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.End(nil, nil) })
			listen(srv, func(port int) {
				resumed := func(s *socket.Socket) *socket.Socket { s.Resume(); return s }
				steps := []func() *socket.Socket{
					func() *socket.Socket {
						s, _ := socket.ConnectTCP(loop, refusedPort, "127.0.0.1", nil)
						return events("refused", s)
					},
					func() *socket.Socket {
						s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
						return resumed(events("single", s))
					},
					func() *socket.Socket {
						s, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "dual.test", Lookup: dual}, nil)
						return resumed(events("multi", s))
					},
					func() *socket.Socket {
						bl := nodenet.NewBlockList()
						bl.AddAddress("::1", "ipv6")
						s, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "dual.test", BlockList: bl, Lookup: dual}, nil)
						return resumed(events("blocked", s))
					},
					func() *socket.Socket {
						s, _ := socket.ConnectPath(loop, "nobody.sock", nil)
						return events("unix", s)
					},
				}
				var next func(i int)
				next = func(i int) {
					if i == len(steps) {
						srv.Close(nil)
						return
					}
					steps[i]().OnClose(func(bool) { next(i + 1) })
				}
				next(0)
			})
		})
	})
}
