package main

import (
	"errors"
	"strings"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("blocklist_connect", func() {
		answers := func(list ...socket.LookupAddress) socket.LookupFunc {
			return func(string, socket.LookupOptions) ([]socket.LookupAddress, error) { return list, nil }
		}
		loop, _ := reactor.New()
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.End(nil, nil) })
			listen(srv, func(port int) {
				bl := nodenet.NewBlockList()
				bl.AddAddress("127.0.0.1", "")
				s, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1", BlockList: bl}, nil)
				watch("single", s, true)
				s.OnClose(func(bool) {
					six := nodenet.NewBlockList()
					six.AddAddress("::1", "ipv6")
					var t *socket.Socket
					t, _ = socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "dual.test", BlockList: six,
						Lookup: answers(socket.LookupAddress{Address: "::1", Family: 6}, socket.LookupAddress{Address: "127.0.0.1", Family: 4})}, func() {
						trace("skip", "attempted", "addresses", strings.Join(t.AutoSelectFamilyAttemptedAddresses(), " "))
						t.End(nil, nil)
					})
					t.Resume()
					t.OnClose(func(hadError bool) {
						trace("skip", "close", "hadError", hadError)
						u, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "all.test", BlockList: bl,
							Lookup: answers(socket.LookupAddress{Address: "127.0.0.1", Family: 4}, socket.LookupAddress{Address: "::ffff:127.0.0.1", Family: 6})}, nil)
						u.OnError(func(err error) {
							var agg *nodenet.AggregateError
							if !errors.As(err, &agg) {
								trace("all", "error", errf(err)...)
								return
							}
							var list []string
							for _, e := range agg.Errors {
								list = append(list, errf(e)[1].(string)+" "+e.Error())
							}
							trace("all", "error", "code", nodenet.ErrnoCode(err), "errors", strings.Join(list, " | "))
						})
						u.OnClose(func(hadError bool) {
							trace("all", "close", "hadError", hadError, "attempted", len(u.AutoSelectFamilyAttemptedAddresses()))
							srv.Close(nil)
						})
					})
				})
			})
		})
	})
}
