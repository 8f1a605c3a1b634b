//go:build linux || windows

package socket_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// net.connect(port, host, cb): the positional form connects and calls cb
// once at 'connect'; host "" means localhost (whichever family answers, the
// IPv4 server is reached through family selection).
func TestConnectTCPPositional(t *testing.T) {
	for _, host := range []string{"127.0.0.1", ""} {
		l := newLoop(t)
		var ev events
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.End([]byte("hi"), nil) }, func(_ *server.Server, port int) {
				s, err := socket.ConnectTCP(l, port, host, func() { ev.add("cb") })
				if err != nil {
					t.Error(err)
					srv.Close(nil)
					return
				}
				s.OnConnect(func() { ev.add("connect") })
				s.OnData(func(b []byte) { ev.add("data:" + string(b)) })
				s.OnClose(func(hadError bool) { ev.add("close"); srv.Close(nil) })
			})
		})
		if got := ev.String(); got != "cb,connect,data:hi,close" {
			t.Fatalf("host %q: events %s", host, got)
		}
	}
}

// Bad positional arguments come back at once with Node's codes.
func TestConnectPositionalBadArguments(t *testing.T) {
	l := newLoop(t)
	for _, c := range []struct {
		name string
		err  error
		code string
	}{
		{"port -1", second(socket.ConnectTCP(l, -1, "", nil)), nodenet.CodeSocketBadPort},
		{"port 65536", second(socket.ConnectTCP(l, 65536, "127.0.0.1", nil)), nodenet.CodeSocketBadPort},
		{"port 0", second(socket.ConnectTCP(l, 0, "127.0.0.1", nil)), nodenet.CodeMissingArgs},
		{"nil loop", second(socket.ConnectTCP(nil, 80, "", nil)), nodenet.CodeInvalidArgValue},
		{"empty path", second(socket.ConnectPath(l, "", nil)), nodenet.CodeMissingArgs},
		{"nil loop path", second(socket.ConnectPath(nil, "x", nil)), nodenet.CodeInvalidArgValue},
	} {
		var e *nodenet.Error
		if !errors.As(c.err, &e) || e.Code != c.code {
			t.Errorf("%s: %v, want %s", c.name, c.err, c.code)
		}
	}
}

func second(_ *socket.Socket, err error) error { return err }

// The Node program this mirrors:
//
//	const server = net.createServer(c => c.end('hi'));
//	server.listen(0, '127.0.0.1', () => {
//	  const client = net.connect(server.address().port, '127.0.0.1', () => console.log('connected'));
//	  client.on('data', d => console.log('got ' + d));
//	  client.on('close', () => server.close());
//	});
func ExampleConnectTCP() {
	l, err := reactor.New()
	if err != nil {
		panic(err)
	}
	// Main: the setup runs on the loop as one tick, like Node's top level.
	_ = l.Main(func() {
		srv, _ := server.New(server.Options{Loop: l}, func(c *socket.Socket) { c.End([]byte("hi"), nil) })
		_ = srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
			addr, _ := srv.AddressInfo()
			client, err := socket.ConnectTCP(l, addr.Port, "127.0.0.1", func() { fmt.Println("connected") })
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
