package main

import (
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("set_timeout", func() {
		ms := func(d time.Duration) int { return int(d / time.Millisecond) }
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.Resume()
				c.OnEnd(func() { c.End(nil, nil) })
			})
			closed := 0
			done := func() {
				if closed++; closed == 3 {
					srv.Close(nil)
				}
			}
			listen(srv, func(port int) {
				var a *socket.Socket
				a, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					a.SetTimeout(40*time.Millisecond, nil)
					trace("a", "set", "timeout", ms(a.Timeout()))
				})
				a.OnTimeout(func() {
					trace("a", "timeout", "destroyed", a.Destroyed(), "readyState", a.ReadyState())
					a.SetTimeout(0, nil)
					trace("a", "disabled", "timeout", ms(a.Timeout()))
					loop.SetTimeout(120*time.Millisecond, func() {
						trace("a", "no-second-timeout")
						a.End(nil, nil)
					})
				})
				a.OnClose(func(bool) { done() })

				var b *socket.Socket
				b, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
					b.SetTimeout(30*time.Millisecond, func() {
						trace("b", "cb", "listeners", b.ListenerCount(socket.EventTimeout))
						b.End(nil, nil)
					})
					trace("b", "set", "listeners", b.ListenerCount(socket.EventTimeout))
				})
				b.OnClose(func(bool) { done() })

				c, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", Timeout: 30 * time.Millisecond}, nil)
				trace("c", "created", "timeout", ms(c.Timeout()))
				c.OnTimeout(func() {
					trace("c", "timeout")
					c.Destroy(nil)
				})
				c.OnClose(func(hadError bool) {
					trace("c", "close", "hadError", hadError)
					done()
				})
			})
		})
	})
}
