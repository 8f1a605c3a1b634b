package main

import (
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("bad_arg_messages", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			t := func(label string, err error) {
				if err == nil {
					trace("client", label, "threw", false)
					return
				}
				trace("client", label, errf(err)...)
			}
			connect := func(o socket.ConnectOptions) error {
				o.Loop = loop
				s, err := socket.Connect(o, nil)
				if s != nil {
					s.Destroy(nil)
				}
				return err
			}
			connectTCP := func(port int, host string) error {
				s, err := socket.ConnectTCP(loop, port, host, nil)
				if s != nil {
					s.Destroy(nil)
				}
				return err
			}
			newSocket := func() *socket.Socket { s, _ := socket.New(socket.Options{Loop: loop}); return s }
			listenErr := func(o server.ListenOptions) error {
				srv, _ := server.New(server.Options{Loop: loop}, nil)
				err := srv.Listen(o, nil)
				srv.Close(nil)
				return err
			}
			t("connect-port-70000", connectTCP(70000, "127.0.0.1"))
			t("connect-port-neg", connectTCP(-1, "127.0.0.1"))
			t("connect-family-5", connect(socket.ConnectOptions{Port: 80, Host: "127.0.0.1", Family: 5}))
			t("connect-family-5-name", connect(socket.ConnectOptions{Port: 80, Host: "localhost", Family: 5}))
			t("connect-bad-localaddress", connect(socket.ConnectOptions{Port: 80, Host: "127.0.0.1", LocalAddress: "nope"}))
			t("connect-no-port", connect(socket.ConnectOptions{Host: "127.0.0.1"}))
			t("settimeout-neg", newSocket().SetTimeout(-1*time.Millisecond, nil)) // setTimeout(-1): milliseconds
			t("listen-port-70000", listenErr(server.ListenOptions{Port: 70000}))
			t("listen-port-neg", listenErr(server.ListenOptions{Port: -1}))
			t("setencoding-bad", newSocket().SetEncoding("nope"))
			_, err := newSocket().SendString("x", "nope", nil)
			t("write-bad-encoding", err)
		})
	})
}
