//go:build linux

package socket_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// The Node program this mirrors (a Unix domain socket):
//
//	const server = net.createServer(c => c.end('hi'));
//	server.listen(path, () => {
//	  const client = net.connect(path, () => console.log('connected'));
//	  client.on('data', d => console.log('got ' + d));
//	  client.on('close', () => server.close());
//	});
func ExampleConnectPath() {
	dir, err := os.MkdirTemp("", "nodenet-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "echo.sock")

	l, err := reactor.New()
	if err != nil {
		panic(err)
	}
	// Main: the setup runs on the loop as one tick, like Node's top level.
	_ = l.Main(func() {
		srv, _ := server.New(server.Options{Loop: l}, func(c *socket.Socket) { c.End([]byte("hi"), nil) })
		_ = srv.Listen(server.ListenOptions{Path: path}, func() {
			client, err := socket.ConnectPath(l, path, func() { fmt.Println("connected") })
			if err != nil {
				panic(err)
			}
			client.OnData(func(d []byte) { fmt.Printf("got %s\n", d) })
			client.OnClose(func(bool) { srv.Close(nil) })
		})
	})
	l.Stop()
	// Output:
	// connected
	// got hi
}
