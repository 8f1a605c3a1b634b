//go:build linux || windows

package socket_test

import (
	"fmt"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// The Node program this mirrors:
//
//	const server = net.createServer(c => c.pipe(c));
//	server.listen(0, '127.0.0.1', () => {
//	  const client = net.connect(server.address().port, '127.0.0.1', () => console.log('connected'));
//	  client.setEncoding('utf8');
//	  client.write('hello, world');          // queued until connected
//	  client.on('data', d => { console.log('echo: ' + d); client.end(); });
//	  client.on('end', () => console.log('end'));
//	  client.on('close', hadError => { console.log('close', hadError); server.close(); });
//	});
func ExampleConnect() {
	l, err := reactor.New()
	if err != nil {
		panic(err)
	}
	// Main: the setup runs on the loop as one tick, like Node's top level.
	_ = l.Main(func() {
		srv, _ := server.New(server.Options{Loop: l}, func(c *socket.Socket) { c.Pipe(c, nil) })
		_ = srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
			addr, _ := srv.AddressInfo()
			client, err := socket.Connect(socket.ConnectOptions{Loop: l, Port: addr.Port, Host: "127.0.0.1"}, func() {
				fmt.Println("connected")
			})
			if err != nil {
				panic(err)
			}
			_ = client.SetEncoding("utf8")
			client.Send([]byte("hello, world"), nil)
			client.OnData(func(d []byte) {
				fmt.Printf("echo: %s\n", d)
				client.End(nil, nil)
			})
			client.OnEnd(func() { fmt.Println("end") })
			client.OnClose(func(hadError bool) {
				fmt.Println("close", hadError)
				srv.Close(nil)
			})
		})
	})
	// Like a Node process: Main returns when nothing is left to do.
	l.Stop()
	// Output:
	// connected
	// echo: hello, world
	// end
	// close false
}
