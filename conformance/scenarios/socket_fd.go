//go:build unix

// The Node program passes a descriptor to a child, which Node does not
// support on Windows; so this port is Unix-only.

package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// socketFDChild is the environment variable that makes this binary the
// scenario's child (the Node program passes "child" in argv; this one's
// main takes only the scenario's name).
const socketFDChild = "NODENET_SOCKET_FD_CHILD"

func init() {
	scenario("socket_fd", func() {
		loop, _ := reactor.New()
		if ports := os.Getenv(socketFDChild); ports != "" {
			loop.Main(func() {
				var port, cport int
				fmt.Sscanf(ports, "%d,%d", &port, &cport)
				sub(port, "PORT")
				sub(cport, "CPORT")
				yes := true
				s, err := socket.New(socket.Options{Loop: loop, FD: 3, Readable: &yes, Writable: &yes})
				if err != nil {
					trace("child", "new-failed", errf(err)...)
					return
				}
				watch("child", s, true)
				state("child", s, "wrapped")
				trace("child", "addresses", "remoteAddress", und(s.RemoteAddress()), "remotePort", undInt(s.RemotePort()),
					"localAddress", und(s.LocalAddress()), "localPort", undInt(s.LocalPort()))
				s.SetEncoding("utf8")
				s.OnData(func([]byte) { s.End([]byte("bye"), nil) })
				s.SendString("hello", "utf8", nil)
			})
			return
		}
		loop.Main(func() {
			srv, _ := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
				var got strings.Builder
				c.SetEncoding("utf8")
				c.OnData(func(d []byte) {
					got.Write(d)
					if got.String() == "hello" {
						c.SendString("welcome", "utf8", nil)
					}
				})
				c.OnEnd(func() {
					trace("server", "got", "got", got.String())
					c.End(nil, nil)
				})
			})
			listen(srv, func(port int) {
				var s *socket.Socket
				s, _ = socket.Connect(socket.ConnectOptions{Loop: loop, Port: port, Host: "127.0.0.1"}, func() {
					sub(s.LocalPort(), "CPORT")
					s.Pause()
					// Node's spawn duplicates the socket's descriptor into the
					// child as fd 3; exec's ExtraFiles does the same with a dup.
					fd, err := unix.Dup(s.FD())
					if err != nil {
						trace("parent", "dup-failed", "message", err.Error())
						return
					}
					f := os.NewFile(uintptr(fd), "socket")
					cmd := exec.Command(os.Args[0], os.Args[1])
					cmd.Env = append(os.Environ(), socketFDChild+"="+strconv.Itoa(port)+","+strconv.Itoa(s.LocalPort()))
					cmd.Stdout, cmd.Stderr, cmd.ExtraFiles = os.Stdout, os.Stderr, []*os.File{f}
					if err := cmd.Start(); err != nil {
						trace("parent", "spawn-failed", "message", err.Error())
						return
					}
					f.Close()
					// Waiting blocks: on a goroutine of its own, its result
					// posted back to the loop (porting.md). The loop stays
					// alive meanwhile: the server and the socket hold it.
					go func() {
						cmd.Wait()
						loop.Post(func() {
							trace("parent", "child-exit", "code", cmd.ProcessState.ExitCode())
							s.Destroy(nil)
							srv.Close(nil)
						})
					}()
				})
			})
		})
	})
}
