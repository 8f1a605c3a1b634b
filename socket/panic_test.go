//go:build linux || windows

package socket_test

import (
	"errors"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// TestCallbackPanicDestroysItsSocket: a panic in any user callback — one
// run from a readiness event ('data') or from a step the socket deferred
// (a write callback, 'end', 'finish', 'timeout', a 'drain' listener added
// off the loop that missed its drain) or from the server's 'connection' —
// destroys that socket with ERR_NODENET_CALLBACK_PANIC, emitted as its
// 'error' and followed by 'close', and the loop goes on serving (the server
// closes and the loop returns).
func TestCallbackPanicDestroysItsSocket(t *testing.T) {
	boom := func() { panic(errors.New("user bug")) }
	for _, c := range []struct {
		name string
		// client arms the client socket; onConn the server's socket.
		client func(s *socket.Socket)
		onConn func(c *socket.Socket)
		// serverSide: the panic is the server socket's, not the client's.
		serverSide bool
	}{
		{name: "data", client: func(s *socket.Socket) {
			s.OnData(func([]byte) { boom() })
		}, onConn: func(c *socket.Socket) { c.Send([]byte("x"), nil) }},
		{name: "write callback", client: func(s *socket.Socket) {
			s.OnConnect(func() { s.Send([]byte("x"), func(error) { boom() }) })
		}},
		{name: "end", client: func(s *socket.Socket) {
			s.Resume()
			s.OnEnd(boom)
		}, onConn: func(c *socket.Socket) { c.End(nil, nil) }},
		{name: "finish", client: func(s *socket.Socket) {
			s.OnConnect(func() { s.End(nil, nil) })
			s.OnFinish(boom)
		}},
		{name: "timeout", client: func(s *socket.Socket) {
			_ = s.SetTimeout(time.Millisecond, boom)
		}},
		{name: "connection", serverSide: true, onConn: func(c *socket.Socket) { boom() }},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := newLoop(t)
			var got error
			var ev events
			record := func(s *socket.Socket) {
				s.OnError(func(err error) { got = err; ev.add("error") })
				s.OnClose(func(bool) { ev.add("close") })
			}
			start(t, l, func() {
				var srv *server.Server
				srv = listen(t, l, server.Options{}, func(sc *socket.Socket) {
					sc.Resume()
					sc.OnError(func(error) {})
					if c.serverSide {
						record(sc)
						sc.OnClose(func(bool) { srv.Close(nil) })
					}
					if c.onConn != nil {
						c.onConn(sc)
					}
				}, func(_ *server.Server, port int) {
					s, err := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, nil)
					if err != nil {
						t.Error(err)
						srv.Close(nil)
						return
					}
					if c.serverSide {
						s.Resume()
						s.OnError(func(error) {})
						return
					}
					record(s)
					s.OnClose(func(bool) { srv.Close(nil) })
					c.client(s)
				})
			})
			var ne *nodenet.Error
			if !errors.As(got, &ne) || ne.Code != nodenet.CodeCallbackPanic {
				t.Fatalf("error %v, want %s", got, nodenet.CodeCallbackPanic)
			}
			if ev.String() != "error,close" {
				t.Fatalf("events %s, want error,close", ev)
			}
		})
	}
}
