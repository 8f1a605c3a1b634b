package main

import (
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("server_options", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			yes := true
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop, StreamOptions: socket.StreamOptions{AllowHalfOpen: true, HighWaterMark: 1024, NoDelay: &yes, KeepAlive: true, KeepAliveInitialDelay: time.Second}, PauseOnConnect: true}, func(c *socket.Socket) {
				trace("server", "connection", "allowHalfOpen", c.AllowHalfOpen(), "isPaused", c.IsPaused(), "writableHighWaterMark", c.WritableHighWaterMark(),
					"readableHighWaterMark", c.ReadableHighWaterMark(), "server", c.Owner() == any(srv))
				var got []byte
				c.OnData(func(d []byte) { got = append(got, d...) })
				loop.SetTimeout(30*time.Millisecond, func() {
					trace("server", "before-resume", "got", got)
					c.Resume()
				})
				c.OnEnd(func() {
					trace("server", "end", "got", got, "writable", c.Writable())
					c.End([]byte("half-open reply"), nil)
					srv.Close(nil)
				})
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() { s.End([]byte("data"), nil) })
				var got []byte
				s.OnData(func(d []byte) { got = append(got, d...) })
				s.OnClose(func(bool) { trace("client", "close", "got", got) })
			})
		})
	})
}
