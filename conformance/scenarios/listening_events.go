package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
)

func init() {
	scenario("listening_events", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, nil)
			srv.OnListening(func() { trace("server", "listening-1", "listening", srv.Listening()) })
			srv.ListenTCP(0, "127.0.0.1", func() {
				trace("server", "cb", "count", srv.ListenerCount(server.EventListening))
				srv.Close(func(error) {
					trace("server", "closed", "count", srv.ListenerCount(server.EventListening))
					other, _ := server.New(server.Options{Loop: loop}, nil)
					listen(other, func(port int) {
						s2, _ := server.New(server.Options{Loop: loop}, nil)
						s2.OnError(func(err error) {
							trace("retry", "error", "code", errf(err)[1], "count", s2.ListenerCount(server.EventListening))
							s2.ListenTCP(0, "127.0.0.1", nil)
						})
						s2.ListenTCP(port, "127.0.0.1", func() {
							trace("retry", "listening-cb", "count", s2.ListenerCount(server.EventListening))
							s2.Close(nil)
							other.Close(nil)
						})
					})
				})
			})
			srv.OnListening(func() { trace("server", "listening-2") })
		})
	})
}
