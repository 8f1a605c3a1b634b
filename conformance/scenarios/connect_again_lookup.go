package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("connect_again_lookup", func() {
		// Each lookup waits for its socket's 'close' to release it, as the
		// Node program answers from there.
		lookupFor := func(name string, release chan struct{}) socket.LookupFunc {
			return func(host string, o socket.LookupOptions) ([]socket.LookupAddress, error) {
				trace(name+"-resolver", "lookup", "host", host, "all", o.All)
				<-release
				trace(name+"-resolver", "answer", "host", host)
				return []socket.LookupAddress{{Address: "127.0.0.1", Family: 4}}, nil
			}
		}
		cases := []struct {
			name    string
			o       socket.ConnectOptions
			destroy bool
		}{
			{"again-one", socket.ConnectOptions{Host: "one.test", Family: 4}, false},
			{"again-all", socket.ConnectOptions{Host: "all.test"}, false},
			{"destroyed-one", socket.ConnectOptions{Host: "one.test", Family: 4}, true},
			{"destroyed-all", socket.ConnectOptions{Host: "all.test"}, true},
		}
		loop, _ := reactor.New()
		loop.Main(func() {
			var next func(i int)
			next = func(i int) {
				if i == len(cases) {
					return
				}
				c := cases[i]
				release := make(chan struct{}, 1)
				o := c.o
				o.Loop, o.Port, o.Lookup = loop, refusedPort, lookupFor(c.name, release)
				var s *socket.Socket
				if c.destroy {
					s, _ = socket.Connect(o, nil)
					watch(c.name, s, true)
					s.Destroy(nil)
				} else {
					s, _ = socket.Connect(socket.ConnectOptions{Loop: loop, Port: refusedPort, Host: "127.0.0.1"}, nil)
					watch(c.name, s, true)
					s.Connect(o, nil)
				}
				s.OnClose(func(bool) {
					release <- struct{}{}
					next(i + 1)
				})
			}
			next(0)
		})
	})
}
