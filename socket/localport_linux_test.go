package socket_test

import (
	"strconv"
	"testing"

	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// LocalPort binding as libuv does it (Node 26 checked with the twin
// script): SO_REUSEADDR is set before the bind, so a local port still in
// TIME_WAIT (our side closed first) connects again; while a live connection
// holds the same 4-tuple, connect(2) fails and the error names the socket's
// own address: "connect EADDRNOTAVAIL 127.0.0.1:PORT - Local
// (127.0.0.1:LPORT)", then close(true).
func TestLocalPortReuseAndAddrNotAvail(t *testing.T) {
	lport := freePort(t)
	l := newLoop(t)
	var ev events
	start(t, l, func() {
		listen(t, l, server.Options{}, func(c *socket.Socket) {
			c.Resume()
			c.OnEnd(func() { c.End(nil, nil) })
		}, func(srv *server.Server, port int) {
			o := socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1", LocalAddress: "127.0.0.1", LocalPort: lport}
			var a *socket.Socket
			a, _ = socket.Connect(o, func() {
				ev.add("a connect " + strconv.FormatBool(a.LocalPort() == lport))
				b, _ := socket.Connect(o, nil)
				b.OnError(func(err error) {
					want := "connect EADDRNOTAVAIL 127.0.0.1:" + itoa(port) + " - Local (127.0.0.1:" + itoa(lport) + ")"
					if err.Error() != want {
						t.Errorf("error %q\n\twant %q", err.Error(), want)
					}
					ev.add("b error " + code(err))
				})
				b.OnClose(func(hadError bool) {
					ev.add("b close " + strconv.FormatBool(hadError))
					a.End(nil, nil) // our FIN first: a's port goes to TIME_WAIT
				})
			})
			a.Resume()
			a.OnClose(func(bool) {
				var c *socket.Socket
				c, _ = socket.Connect(o, func() {
					ev.add("c connect")
					c.End(nil, nil)
				})
				c.Resume()
				c.OnError(func(err error) { ev.add("c error " + err.Error()) })
				c.OnClose(func(bool) { srv.Close(nil) })
			})
		})
	})
	if want := "a connect true,b error EADDRNOTAVAIL,b close true,c connect"; ev.String() != want {
		t.Errorf("events %s\n\twant %s", ev, want)
	}
}
