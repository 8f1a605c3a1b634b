//go:build linux || windows

package server_test

import (
	"fmt"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// An echo server on an OS-chosen port and one client, all on one loop:
// Node's net.createServer(c => c.pipe(c)).listen(0, ...). Run returns once
// the client is gone and the server is closed.
func ExampleNew() {
	loop, err := reactor.New()
	if err != nil {
		panic(err)
	}
	srv, err := server.New(server.Options{Loop: loop}, func(c *socket.Socket) {
		c.Pipe(c, nil) // echo
	})
	if err != nil {
		panic(err)
	}
	// Main runs the setup on the loop as one tick (Node's top-level code),
	// then the loop until nothing refed is left.
	err = loop.Main(func() {
		srv.OnError(func(err error) { fmt.Println("server error:", err) })
		err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
			addr, _ := srv.AddressInfo()
			c, err := socket.Connect(socket.ConnectOptions{Loop: loop, Host: addr.Address, Port: addr.Port}, nil)
			if err != nil {
				panic(err)
			}
			c.OnConnect(func() { c.Send([]byte("hello, nodenet"), nil) })
			c.OnData(func(b []byte) {
				fmt.Printf("echoed: %s\n", b)
				c.End(nil, nil)
				srv.Close(nil)
			})
			c.OnError(func(err error) { fmt.Println("client error:", err) })
		})
		if err != nil {
			panic(err)
		}
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("done")
	// Output:
	// echoed: hello, nodenet
	// done
}
