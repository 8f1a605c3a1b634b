package main

import (
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
)

func init() {
	scenario("server_error_unhandled", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			a, _ := server.New(server.Options{Loop: loop}, nil)
			listen(a, func(port int) {
				b, _ := server.New(server.Options{Loop: loop}, nil)
				b.ListenTCP(port, "127.0.0.1", nil)
				loop.SetTimeout(100*time.Millisecond, func() {
					trace("server", "still-running")
					a.Close(nil)
					b.Close(nil)
				})
			})
		})
	})
}
