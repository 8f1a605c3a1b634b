package main

import (
	"regexp"
	"strconv"
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("connect_while_connected", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				c.Resume()
				c.OnEnd(func() { c.End(nil, nil) })
			})
			listen(srv, func(port int) {
				again := func(side string, s *socket.Socket) {
					if err := s.Connect(socket.ConnectOptions{Port: port, Host: "127.0.0.1"}, nil); err != nil {
						trace(side, "second-connect", errf(err)...)
					} else {
						trace(side, "second-connect", "threw", false)
					}
				}
				s, _ := socket.ConnectTCP(loop, port, "127.0.0.1", nil)
				s.OnError(func(err error) {
					if m := regexp.MustCompile(`:(\d+)\)$`).FindStringSubmatch(err.Error()); m != nil {
						n, _ := strconv.Atoi(m[1])
						sub(n, "LPORT")
					}
				})
				watch("connecting", s, true)
				again("connecting", s)
				s.OnClose(func(bool) {
					var t *socket.Socket
					t, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
						again("open", t)
						t.End(nil, nil)
					})
					watch("open", t, true)
					t.OnClose(func(bool) { loop.SetTimeout(50*time.Millisecond, func() { srv.Close(nil) }) })
				})
				s.OnConnect(func() { s.End(nil, nil) })
			})
		})
	})
}
