package main

import (
	"strings"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
)

// serverAddress is server.address() as the scenarios print it: null when
// not listening, the path of a Unix socket server, else the JSON of
// {address, family, port}.
func serverAddress(srv *server.Server) any {
	a, ok := srv.AddressInfo()
	if !ok {
		return nil
	}
	if a.Family == "unix" {
		return a.Address
	}
	return addressJSON(a)
}

func init() {
	scenario("listen_forms", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			show := func(side string, srv *server.Server) {
				if a, ok := srv.AddressInfo(); ok && a.Port != 0 {
					sub(a.Port, strings.ToUpper(side)+"_PORT")
				}
				trace(side, "listening", "address", serverAddress(srv), "listening", srv.Listening())
				srv.Close(func(err error) {
					trace(side, "closed", append(errf(err), "address", serverAddress(srv), "listening", srv.Listening())...)
				})
			}
			forms := []struct {
				side string
				o    server.ListenOptions
			}{
				{"positional", server.ListenOptions{Port: 0, Host: "127.0.0.1"}},
				{"options", server.ListenOptions{Port: 0, Host: "127.0.0.1"}},
				{"backlog", server.ListenOptions{Port: 0, Host: "127.0.0.1", Backlog: 5, Exclusive: true}},
				{"path", server.ListenOptions{Path: "a.sock"}},
				{"path-options", server.ListenOptions{Path: "b.sock"}},
				{"any-address", server.ListenOptions{}},
				{"ipv6", server.ListenOptions{Port: 0, Host: "::1"}},
			}
			for _, f := range forms {
				srv, _ := server.New(server.Options{Loop: loop}, nil)
				trace(f.side, "before", "address", serverAddress(srv), "listening", srv.Listening())
				srv.OnError(func(err error) { trace(f.side, "error", errf(err)...) })
				if f.side == "positional" {
					srv.ListenTCP(0, "127.0.0.1", func() { show(f.side, srv) })
				} else if f.side == "path" {
					srv.ListenUnix("a.sock", func() { show(f.side, srv) })
				} else {
					srv.Listen(f.o, func() { show(f.side, srv) })
				}
			}
		})
	})
}
