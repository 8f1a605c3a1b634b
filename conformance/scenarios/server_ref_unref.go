package main

import (
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
)

func init() {
	scenario("server_ref_unref", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			held, _ := server.New(server.Options{Loop: loop}, nil)
			held.ListenTCP(0, "127.0.0.1", func() {
				trace("held", "listening")
				held.Unref()
				held.Ref()
				loop.SetTimeout(50*time.Millisecond, func() {
					held.Close(func(error) { trace("held", "closed") })
				}).Unref()
			})

			early, _ := server.New(server.Options{Loop: loop}, nil)
			early.Unref()
			early.ListenTCP(0, "127.0.0.1", func() { trace("early", "listening") })
			early.OnClose(func() { trace("early", "close") })

			late, _ := server.New(server.Options{Loop: loop}, nil)
			late.ListenTCP(0, "127.0.0.1", func() {
				trace("late", "listening")
				late.Unref()
			})
		})
	})
}
