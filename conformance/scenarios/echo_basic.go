package main

import (
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() { scenario("echo_basic", echoBasic) }

func echoBasic() {
	loop, _ := reactor.New()
	loop.Main(func() {
		var srv *server.Server
		srv, _ = server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
			sub(c.RemotePort(), "CPORT")
			trace("server", "connection",
				"remoteAddress", und(c.RemoteAddress()), "remoteFamily", und(c.RemoteFamily()), "remotePort", undInt(c.RemotePort()),
				"localAddress", und(c.LocalAddress()), "localPort", undInt(c.LocalPort()))
			c.OnData(func(d []byte) {
				trace("server", "data", "text", d)
				c.Send(d, nil)
			})
			c.OnEnd(func() { trace("server", "end", "bytesRead", c.BytesRead()) })
			c.OnFinish(func() { trace("server", "finish", "bytesWritten", c.BytesWritten()) })
			c.OnError(func(err error) { trace("server", "error", errf(err)...) })
			c.OnClose(func(hadError bool) {
				trace("server", "close", "hadError", hadError, "destroyed", c.Destroyed())
				srv.Close(func(error) { trace("server", "closed") })
			})
		})
		srv.Listen(server.ListenOptions{Port: 0, Host: "127.0.0.1"}, func() {
			a, _ := srv.AddressInfo()
			port := sub(a.Port, "PORT")
			trace("server", "listening", "address", a.Address, "family", a.Family, "port", a.Port)
			var s *socket.Socket
			s, _ = socket.ConnectTCP(loop, port, "127.0.0.1", func() {
				sub(s.LocalPort(), "CPORT")
				trace("client", "connect",
					"remoteAddress", und(s.RemoteAddress()), "remotePort", undInt(s.RemotePort()), "localPort", undInt(s.LocalPort()),
					"readyState", s.ReadyState(), "connecting", s.Connecting(), "pending", s.Pending())
				s.Send([]byte("hello"), nil)
			})
			trace("client", "created", "connecting", s.Connecting(), "pending", s.Pending(), "readyState", s.ReadyState())
			s.OnReady(func() { trace("client", "ready") })
			s.OnData(func(d []byte) {
				trace("client", "data", "text", d, "bytesRead", s.BytesRead())
				s.End(nil, nil)
			})
			s.OnEnd(func() { trace("client", "end") })
			s.OnFinish(func() { trace("client", "finish", "bytesWritten", s.BytesWritten(), "readyState", s.ReadyState()) })
			s.OnError(func(err error) { trace("client", "error", errf(err)...) })
			s.OnClose(func(hadError bool) {
				trace("client", "close", "hadError", hadError, "destroyed", s.Destroyed(), "readyState", s.ReadyState())
			})
		})
	})
}
