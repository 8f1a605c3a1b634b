package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
)

func init() {
	scenario("server_close_idle", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, nil)
			srv.OnClose(func() { trace("server", "close-event") })
			srv.GetConnections(func(err error, n int) { trace("server", "connections", append(errf(err), "count", n)...) })
			srv.Close(func(err error) {
				trace("server", "close-cb", append(errf(err), "address", serverAddress(srv), "listening", srv.Listening())...)
			})
		})
	})
}
