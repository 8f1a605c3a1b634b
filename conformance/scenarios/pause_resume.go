package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("pause_resume", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var client *socket.Socket
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.Pause()
				trace("server", "paused", "isPaused", c.IsPaused(), "readableFlowing", jsWord(c.ReadableFlowing().String()))
				var got []byte
				c.OnData(func(d []byte) { got = append(got, d...) })
				trace("server", "data-listener", "isPaused", c.IsPaused(), "readableFlowing", jsWord(c.ReadableFlowing().String()))
				c.OnEnd(func() {
					trace("server", "end", "got", got)
					srv.Close(nil)
				})
				client.Send([]byte("abc"), func(error) {
					loop.SetImmediate(func() {
						trace("server", "before-resume", "got", got)
						c.Resume()
						trace("server", "resumed", "isPaused", c.IsPaused(), "readableFlowing", jsWord(c.ReadableFlowing().String()))
					})
				})
				client.End(nil, nil)
			})
			listen(srv, func(port int) {
				client, _ = socket.ConnectTCP(loop, port, "127.0.0.1", nil)
			})
		})
	})
}
