package main

import (
	"os"
	"strconv"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
)

func init() {
	scenario("listen_address_timing", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			var run func(side string, o server.ListenOptions, next func())
			run = func(side string, o server.ListenOptions, next func()) {
				srv, _ := server.New(server.Options{Loop: loop}, nil)
				srv.OnListening(func() {
					trace(side, "listening-event", "listening", srv.Listening(), "hasAddress", srv.Address() != nil)
					srv.Close(func(error) { trace(side, "closed"); next() })
				})
				srv.Listen(o, nil)
				trace(side, "after-listen", "listening", srv.Listening(), "hasAddress", srv.Address() != nil)
				loop.NextTick(func() {
					trace(side, "next-tick", "listening", srv.Listening(), "hasAddress", srv.Address() != nil)
				})
			}
			path := os.TempDir() + "/nodenet-addr-timing-" + strconv.Itoa(os.Getpid()) + ".sock"
			run("literal", server.ListenOptions{Host: "127.0.0.1"}, func() {
				run("nohost", server.ListenOptions{}, func() {
					run("path", server.ListenOptions{Path: path}, func() {})
				})
			})
		})
	})
}
