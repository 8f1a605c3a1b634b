package main

import (
	"strings"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("lookup_autoselect", func() {
		// The lookup answers both addresses even when it is asked for one
		// (All false, autoSelectFamily off): the connect uses the first,
		// as Node's lookup(host, {all: false}) callback gets one.
		lookup := func(host string, o socket.LookupOptions) ([]socket.LookupAddress, error) {
			trace("resolver", "lookup", "host", host, "all", o.All, "family", undInt(o.Family))
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
