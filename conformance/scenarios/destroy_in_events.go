package main

import (
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("destroy_in_events", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.OnError(func(error) {})
				c.End([]byte("hi"), nil)
				c.Resume()
			})
			quiet, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.OnError(func(error) {})
				c.Resume()
			})
			dead, _ := server.New(server.Options{Loop: loop}, nil)
			left := 0
			client := func(side string, o socket.ConnectOptions, when string, data bool) *socket.Socket {
				left++
				o.Loop = loop
				s, _ := socket.Connect(o, nil)
				watch(side, s, data)
				destroy := func() {
					s.Destroy(nil)
					trace(side, "destroyed-in-"+when, "destroyed", s.Destroyed())
				}
				switch when {
				case "connect":
					s.OnConnect(destroy)
				case "ready":
					s.OnReady(destroy)
				case "data":
					s.OnData(func([]byte) { destroy() })
				case "end":
					s.OnEnd(destroy)
				case "finish":
					s.OnFinish(destroy)
				case "timeout":
					s.OnTimeout(destroy)
				case "drain":
					s.OnDrain(destroy)
				case "lookup":
					s.OnLookup(func(error, string, int, string) { destroy() })
				case "error":
					s.OnError(func(error) { destroy() })
				case "close":
					s.OnClose(func(bool) { destroy() })
				}
				s.OnClose(func(bool) {
					if left--; left == 0 {
						srv.Close(nil)
						quiet.Close(nil)
					}
				})
				return s
			}
			listen(srv, func(port int) {
				quiet.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
					dead.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
						qa, _ := quiet.AddressInfo()
						q := socket.ConnectOptions{Port: sub(qa.Port, "QPORT"), Host: "127.0.0.1"}
						dead.Close(func(error) {
							o := socket.ConnectOptions{Port: port, Host: "127.0.0.1"}
							client("in-connect", o, "connect", true)
							client("in-ready", o, "ready", true)
							client("in-data", o, "data", true)
							client("in-end", o, "end", true)
							f := client("in-finish", q, "finish", false)
							f.OnConnect(func() { f.End(nil, nil) })
							t := client("in-timeout", q, "timeout", false)
							t.OnConnect(func() { t.SetTimeout(20*time.Millisecond, nil) }) // idle from the connection on
							d := client("in-drain", q, "drain", false)
							d.OnConnect(func() { trace("in-drain", "write", "returned", d.Send(make([]byte, 4<<20), nil)) })
							lookup := func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
								return []socket.LookupAddress{{Address: "127.0.0.1", Family: 4}}, nil
							}
							client("in-lookup", socket.ConnectOptions{Port: port, Host: "example.test", Lookup: lookup}, "lookup", true)
							client("in-error", socket.ConnectOptions{Port: refusedPort, Host: "127.0.0.1"}, "error", true)
							client("in-close", o, "close", true)
						})
					})
				})
			})
		})
	})
}
