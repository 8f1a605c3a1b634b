package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
)

func init() {
	scenario("listen_close_same_tick", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, nil)
			srv.OnListening(func() { trace("server", "listening") })
			srv.OnClose(func() { trace("server", "close-event") })
			srv.Listen(server.ListenOptions{Port: 0, Host: "127.0.0.1"}, nil)
			trace("server", "listen-called", "listening", srv.Listening())
			srv.Close(func(err error) { trace("server", "close-cb", errf(err)...) })
			trace("server", "close-called", "listening", srv.Listening())

			anyHost, _ := server.New(server.Options{Loop: loop}, nil)
			anyHost.OnListening(func() { trace("anyhost", "listening") })
			anyHost.OnClose(func() { trace("anyhost", "close-event") })
			anyHost.Listen(server.ListenOptions{Port: 0}, nil)
			trace("anyhost", "listen-called", "listening", anyHost.Listening())
			anyHost.Close(func(err error) { trace("anyhost", "close-cb", errf(err)...) })
			trace("anyhost", "close-called", "listening", anyHost.Listening())
		})
	})
}
