package main

import (
	"strings"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("lookup_autoselect", func() {
		// A Go LookupFunc always answers every address; Node's lookup is
		// asked for one (all=false) when autoSelectFamily is off, and a Go
		// port cannot tell which: it prints what it is asked.
		lookup := func(host string, family, hints int) ([]socket.LookupAddress, error) {
			trace("resolver", "lookup", "host", host, "all", missing("the lookup's all option"), "family", undInt(family))
			return []socket.LookupAddress{{Address: "::1", Family: 6}, {Address: "127.0.0.1", Family: 4}}, nil
		}
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.End(nil, nil) })
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "dual.test", Lookup: lookup}, func() {
					trace("auto", "attempted", "addresses", strings.Join(s.AutoSelectFamilyAttemptedAddresses(), " "))
				})
				watch("auto", s, true)
				s.OnClose(func(bool) {
					off := false
					t, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "dual.test", Lookup: lookup, AutoSelectFamily: &off}, nil)
					watch("first-only", t, true)
					t.OnClose(func(bool) {
						a := t.AutoSelectFamilyAttemptedAddresses()
						var v any = strings.Join(a, ",")
						if a == nil {
							v = "undefined" // String(undefined)
						}
						trace("first-only", "attempted", "addresses", v)
						srv.Close(nil)
					})
				})
			})
		})
	})
}
