package main

import (
	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("connect_enotfound", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			lookup := func(host string, o socket.LookupOptions) ([]socket.LookupAddress, error) {
				return nil, nodenet.NewDNSError("ENOTFOUND", host, nil)
			}
			s, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: 80, Host: "no.such.host.invalid", Lookup: lookup}, nil)
			watch("client", s, true)
			state("client", s, "connecting")
			s.OnClose(func(bool) { state("client", s, "close") })
		})
	})
}
