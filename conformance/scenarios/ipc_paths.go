package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

func init() {
	scenario("ipc_paths", func() {
		loop, _ := reactor.New()
		loop.Main(func() {
			exists := func(file string) any {
				if file == "" {
					return "abstract"
				}
				_, err := os.Stat(file)
				return err == nil
			}
			mode := func(file string) any {
				fi, err := os.Stat(file)
				if err != nil {
					return err.Error()
				}
				return strconv.FormatUint(uint64(fi.Mode().Perm()), 8)
			}
			var run func(side string, o server.ListenOptions, file string, next func())
			run = func(side string, o server.ListenOptions, file string, next func()) {
				srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) { c.Pipe(c, nil) })
				srv.OnError(func(err error) { trace(side, "error", errf(err)...) })
				srv.Listen(o, func() {
					a, _ := srv.AddressInfo()
					var all any = undefined
					if file != "" && o.ReadableAll {
						all = mode(file)
					}
					trace(side, "listening", "address", a.Address, "exists", exists(file), "all", all)
					var s *socket.Socket
					s, _ = socket.ConnectPath(loop, o.Path, func() { s.End([]byte("ping"), nil) })
					var got []byte
					s.OnData(func(d []byte) { got = append(got, d...) })
					s.OnClose(func(bool) {
						trace(side, "echo", "got", got)
						srv.Close(func(error) {
							trace(side, "closed", "exists", exists(file))
							next()
						})
					})
				})
			}
			abstract := sub(fmt.Sprintf("\x00nodenet-conformance-%d", os.Getpid()), "ABSTRACT")
			run("plain", server.ListenOptions{Path: "plain.sock"}, "plain.sock", func() {
				run("all", server.ListenOptions{Path: "all.sock", ReadableAll: true, WritableAll: true}, "all.sock", func() {
					run("abstract", server.ListenOptions{Path: abstract}, "", func() {})
				})
			})
		})
	})
}
