package main

import (
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("lookup_pending_destroyed", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			lookup := func(host string, o socket.LookupOptions) ([]socket.LookupAddress, error) {
				time.Sleep(200 * time.Millisecond) // a slow resolver (Node's: a 200 ms timer)
				trace("resolver", "answer", "host", host)
				return []socket.LookupAddress{{Address: "127.0.0.1", Family: 4}}, nil
			}
			s, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: 9, Host: "slow.example", Lookup: lookup}, nil)
			watch("client", s, true)
			s.Destroy(nil)
		})
	})
}
