package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("lookup_family_option", func() {
		lookup := func(host string, family, hints int) ([]socket.LookupAddress, error) {
			trace("resolver", "lookup", "host", host, "family", family, "hints", hints, "all", missing("the lookup's all option"))
			return []socket.LookupAddress{{Address: "127.0.0.1", Family: 4}}, nil
		}
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.End(nil, nil) })
			listen(srv, func(port int) {
				left := 3
				done := func(bool) {
					if left--; left == 0 {
						srv.Close(nil)
					}
				}
				a, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "four.test", Family: 4, Hints: socket.HintAddrConfig, Lookup: lookup}, nil)
				watch("family4", a, true).OnClose(done)
				b, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", Family: 4, Lookup: lookup}, nil)
				watch("literal", b, true).OnClose(done)
				off := false
				c, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "six.test", Family: 6, Lookup: lookup, AutoSelectFamily: &off}, nil)
				watch("family6", c, true).OnClose(done)
			})
		})
	})
}
