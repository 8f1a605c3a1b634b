package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("lookup_family_option", func() {
		lookup := func(host string, o socket.LookupOptions) ([]socket.LookupAddress, error) {
			trace("resolver", "lookup", "host", host, "family", undInt(o.Family), "hints", o.Hints, "all", o.All)
			return []socket.LookupAddress{{Address: "127.0.0.1", Family: 4}}, nil
		}
		off := false
		cases := []struct {
			name string
			o    socket.ConnectOptions
		}{
			{"family4", socket.ConnectOptions{Host: "four.test", Family: 4, Hints: socket.HintAddrConfig}},
			{"literal", socket.ConnectOptions{Host: "127.0.0.1", Family: 4}},
			{"family6", socket.ConnectOptions{Host: "six.test", Family: 6, AutoSelectFamily: &off}},
			{"default", socket.ConnectOptions{Host: "any.test"}},
			{"one", socket.ConnectOptions{Host: "one.test", AutoSelectFamily: &off}},
			{"odd", socket.ConnectOptions{Host: "odd.test", Family: 5, Hints: 12345}},
		}
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.End(nil, nil) })
			listen(srv, func(port int) {
				var next func(i int)
				next = func(i int) {
					if i == len(cases) {
						srv.Close(nil)
						return
					}
					o := cases[i].o
					o.Loop, o.Port, o.Lookup = loop, port, lookup
					s, _ := socket.Connect(o, nil)
					watch(cases[i].name, s, true).OnClose(func(bool) { next(i + 1) })
				}
				next(0)
			})
		})
	})
}
