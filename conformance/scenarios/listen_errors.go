package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
)

func init() {
	scenario("listen_errors", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			first, _ := server.New(server.Options{Loop: loop}, nil)
			listen(first, func(port int) {
				second, _ := server.New(server.Options{Loop: loop}, nil)
				second.OnError(func(err error) {
					trace("tcp", "error", append(errf(err), "listening", second.Listening())...)
					second.Close(func(err error) {
						trace("tcp", "close-cb", errf(err)...)
						second.ListenTCP(0, "127.0.0.1", func() {
							trace("tcp", "relisten", "listening", second.Listening())
							second.Close(nil)
							first.Close(nil)
						})
					})
				})
				second.ListenTCP(port, "127.0.0.1", nil)
				if err := first.ListenTCP(0, "127.0.0.1", nil); err != nil {
					trace("tcp", "second-listen", errf(err)...)
				} else {
					trace("tcp", "second-listen", "threw", false)
				}
			})

			ipc, _ := server.New(server.Options{Loop: loop}, nil)
			ipc.ListenUnix("in-use.sock", func() {
				other, _ := server.New(server.Options{Loop: loop}, nil)
				other.OnError(func(err error) {
					trace("ipc", "error", append(errf(err), "listening", other.Listening())...)
					ipc.Close(func(error) { trace("ipc", "closed") })
				})
				other.ListenUnix("in-use.sock", nil)
			})
		})
	})
}
