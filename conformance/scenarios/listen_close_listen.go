package main

import (
	"strconv"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
)

func init() {
	scenario("listen_close_listen", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			run := func(side string, first, second func(srv *server.Server, cb func(), port int)) {
				srv, _ := server.New(server.Options{Loop: loop}, nil)
				names := map[int]string{}
				addr := func() any {
					a, ok := srv.AddressInfo()
					if !ok {
						return nil
					}
					if _, seen := names[a.Port]; !seen {
						names[a.Port] = "P" + strconv.Itoa(len(names)+1)
					}
					return a.Address + " " + names[a.Port]
				}
				at := func(what string) { trace(side, what, "address", addr(), "listening", srv.Listening()) }
				srv.OnListening(func() { at("listening") })
				srv.OnClose(func() { at("close-event") })
				srv.OnError(func(err error) { trace(side, "error", errf(err)...) })
				n := 0
				end := func() {
					if n++; n == 2 {
						loop.SetImmediate(func() {
							srv.Close(func(err error) { trace(side, "close-cb-2", errf(err)...) })
						})
					}
				}
				first(srv, func() { at("listen-cb-1") }, 0)
				at("listen-1-called")
				a, _ := srv.AddressInfo()
				srv.Close(func(err error) {
					trace(side, "close-cb-1", append(errf(err), "address", addr(), "listening", srv.Listening())...)
					end()
				})
				at("close-called")
				second(srv, func() { at("listen-cb-2"); end() }, a.Port)
				at("listen-2-called")
			}
			listenPort := func(srv *server.Server, cb func(), port int) {
				srv.Listen(server.ListenOptions{Port: port}, cb)
			}
			listenHost := func(srv *server.Server, cb func(), _ int) {
				srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, cb)
			}
			run("same", listenPort, listenPort)
			run("any", listenPort, func(srv *server.Server, cb func(), _ int) { listenPort(srv, cb, 0) })
			run("host", listenHost, listenHost)
		})
	})
}
