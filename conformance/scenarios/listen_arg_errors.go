package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
)

func init() {
	scenario("listen_arg_errors", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			t := func(label string, o server.ListenOptions) {
				srv, _ := server.New(server.Options{Loop: loop}, nil)
				srv.OnError(func(err error) { trace(label, "error", errf(err)...) })
				err := srv.Listen(o, func() {
					a, _ := srv.AddressInfo()
					sub(a.Port, "PORT")
					trace(label, "listening", "address", addressJSON(a))
					srv.Close(nil)
				})
				if err != nil {
					trace(label, "threw", errf(err)...)
				} else {
					trace(label, "called", "threw", false)
				}
			}
			t("abstract-readable", server.ListenOptions{Path: "\x00nodenet-abs", ReadableAll: true})
			t("abstract-writable", server.ListenOptions{Path: "\x00nodenet-abs", WritableAll: true})
			t("port-70000", server.ListenOptions{Port: 70000})
			t("backlog-negative", server.ListenOptions{Port: 0, Host: "127.0.0.1", Backlog: -1})
		})
	})
}
