package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
)

func init() {
	scenario("server_close_twice", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, nil)
			srv.OnClose(func() { trace("server", "close-event", "listening", srv.Listening()) })
			listen(srv, func(int) {
				srv.Close(func(err error) {
					trace("server", "close-cb-1", errf(err)...)
					srv.Close(func(err error) { trace("server", "close-cb-2", errf(err)...) })
				})
			})
		})
	})
}
