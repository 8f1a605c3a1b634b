package main

import (
	"errors"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("lookup_all_refused", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			dead, _ := server.New(server.Options{Loop: loop}, nil)
			dead.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
				dead.Close(func(error) {
					lookup := func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
						return []socket.LookupAddress{{Address: "127.0.0.1", Family: 4}, {Address: "::1", Family: 6}}, nil
					}
					s, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: refusedPort, Host: "gone.test", Lookup: lookup}, nil)
					watch("client", s, true)
					s.OnError(func(err error) {
						var agg *nodenet.AggregateError
						if errors.As(err, &agg) {
							for _, e := range agg.Errors {
								trace("client", "attempt", errf(e)...)
							}
						}
					})
				})
			})
		})
	})
}
