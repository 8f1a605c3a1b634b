//go:build linux || windows

package socket_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// A second Connect (conformance connect_while_connected): while connecting,
// Node's second connect(2) on the handle fails, so the socket is destroyed
// with "connect EALREADY <second target> - Local (<its address>)" and
// close(hadError=true) — nodenet destroyed it with an error code of its own;
// once connected, Connect returns ERR_NODENET_ALREADY_CONNECTED and the
// connection carries on (nodenet destroyed it; Node "reconnects" to
// nowhere, on purpose not copied).
func TestConnectAgain(t *testing.T) {
	t.Run("while-connecting", func(t *testing.T) {
		l := newLoop(t)
		var gotErr error
		var hadError, connected bool
		var port int
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(_ *server.Server, p int) {
				port = p
				s, _ := socket.ConnectTCP(l, p, "127.0.0.1", nil)
				s.OnConnect(func() { connected = true })
				s.OnError(func(err error) { gotErr = err })
				s.OnClose(func(h bool) { hadError = h; srv.Close(nil) })
				if err := s.Connect(socket.ConnectOptions{Port: p, Host: "127.0.0.1"}, func() { t.Error("second connect's callback ran") }); err != nil {
					t.Errorf("second Connect returned %v (Node does not throw)", err)
				}
			})
		})
		e := nerr(t, gotErr)
		prefix := "connect EALREADY 127.0.0.1:" + itoa(port) + " - Local (127.0.0.1:"
		if e.Code != "EALREADY" || e.Syscall != "connect" || e.Address != "127.0.0.1" || e.Port != port ||
			!strings.HasPrefix(e.Message, prefix) || !hadError || connected {
			t.Fatalf("error %+v (want message %q...), close hadError %v, connected %v", e, prefix, hadError, connected)
		}
	})
	t.Run("while-connected", func(t *testing.T) {
		l := newLoop(t)
		var again error
		var got string
		destroyed := true
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
				c.OnData(func(b []byte) { got += string(b) })
				c.OnEnd(func() { c.End(nil, nil) })
			}, func(_ *server.Server, p int) {
				var s *socket.Socket
				s, _ = socket.ConnectTCP(l, p, "127.0.0.1", func() {
					again = s.Connect(socket.ConnectOptions{Port: p + 1, Host: "127.0.0.1"}, func() { t.Error("callback of a refused Connect ran") })
					destroyed = s.Destroyed()
					s.End([]byte("still here"), nil)
				})
				s.Resume()
				s.OnError(func(err error) { t.Errorf("error event: %v", err) })
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
		if !errors.Is(again, nodenet.ErrAlreadyConnected) || destroyed || got != "still here" {
			t.Fatalf("Connect on an open socket: %v; destroyed %v; server got %q", again, destroyed, got)
		}
	})
}
