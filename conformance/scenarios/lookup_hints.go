package main

import (
	"fmt"
	"strings"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("lookup_hints", func() {
		hintNames := func(h int) string {
			var names []string
			for _, n := range []struct {
				name string
				v    int
			}{{"ADDRCONFIG", socket.HintAddrConfig}, {"V4MAPPED", socket.HintV4Mapped}, {"ALL", socket.HintAll}} {
				if n.v != 0 && h&n.v != 0 {
					names = append(names, n.name)
				}
			}
			if len(names) == 0 {
				return "0"
			}
			return strings.Join(names, "|")
		}
		loop, _ := reactor.New()
		loop.Main(func() {
			// socket.DefaultLookup blocks (it is dns.lookup's work, done on
			// the resolver's goroutines in a connect): called here, off the
			// loop's hot path, before anything else runs.
			for _, family := range []int{0, 4, 6} {
				for _, hints := range []int{0, socket.HintAddrConfig, socket.HintV4Mapped, socket.HintV4Mapped | socket.HintAll, socket.HintAll, socket.HintAddrConfig | socket.HintV4Mapped} {
					for _, all := range []bool{false, true} {
						addrs, err := socket.DefaultLookup("localhost", socket.LookupOptions{Family: family, Hints: hints, All: all})
						event := fmt.Sprintf("family=%d hints=%s all=%t", family, hintNames(hints), all)
						if err != nil {
							trace("lookup", event, errf(err)[:2]...)
							continue
						}
						var answers []string
						for _, a := range addrs {
							answers = append(answers, fmt.Sprintf("%s/%d", a.Address, a.Family))
						}
						trace("lookup", event, "answers", strings.Join(answers, " "))
					}
				}
			}
			var srv *server.Server
			srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				trace("server", "connection", "remoteAddress", und(c.RemoteAddress()), "remoteFamily", und(c.RemoteFamily()))
				c.End(nil, nil)
			})
			listen(srv, func(port int) {
				s, _ := socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "localhost", Family: 6, Hints: socket.HintV4Mapped}, nil)
				watch("client", s, true)
				s.OnConnect(func() {
					trace("client", "addresses", "remoteAddress", und(s.RemoteAddress()), "remoteFamily", und(s.RemoteFamily()), "localAddress", und(s.LocalAddress()))
					sub(s.LocalPort(), "CPORT")
				})
				s.Resume()
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
	})
}
