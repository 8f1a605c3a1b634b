package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("lookup_invalid_answers", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			answers := []struct {
				side string
				a    socket.LookupAddress
			}{
				{"not-ip", socket.LookupAddress{Address: "banana", Family: 4}},
				{"bad-family", socket.LookupAddress{Address: "127.0.0.1", Family: 7}},
			}
			for _, x := range answers {
				lookup := func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
					return []socket.LookupAddress{x.a}, nil
				}
				s, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: 9, Host: x.side + ".test", Lookup: lookup}, nil)
				watch(x.side, s, true)
			}
		})
	})
}
