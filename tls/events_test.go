package tls_test

import (
	"crypto/tls"
	"errors"
	"net"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

// The tls.Server's events follow the server.Server's rules: a Once
// 'secureConnection' listener runs for the first connection only and is
// gone from SecureListenerCount before it runs; a listener removed by an
// earlier one during the emit still runs in that emit (Node emits over a
// copy of the array) and in no later one; RemoveListener takes the ids of
// both the TLS events and the promoted server events.
func TestServerTLSEventsOnceAndRemove(t *testing.T) {
	l := newLoop(t)
	var log []string
	var removed nntls.Added
	var plainConn server.Added
	conns := 0
	clientErr := make(chan error, 1)
	l.Post(func() {
		srv := listenTLS(t, l, nntls.ServerOptions{}, func(s *nntls.TLSSocket) {
			log = append(log, "first")
			s.RemoveListener(0) // a socket's: unknown, ignored
		}, func(srv *nntls.Server, port int) {
			go func() {
				var err error
				for range 2 {
					var c *tls.Conn
					if c, err = tls.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), goClient(ecCert)); err != nil {
						break
					}
					c.Write([]byte("x")) // waits for the handshake
					c.Close()
				}
				clientErr <- err
			}()
		})
		srv.OnceSecureConnection(func(s *nntls.TLSSocket) {
			log = append(log, "once count="+strconv.Itoa(srv.SecureListenerCount(nntls.EventSecureConnection)))
			srv.RemoveListener(removed.ID)
		})
		removed = srv.OnSecureConnection(func(*nntls.TLSSocket) { log = append(log, "removed") })
		srv.OnSecureConnection(func(s *nntls.TLSSocket) {
			log = append(log, "last")
			s.Destroy(nil)
			if strings.Count(strings.Join(log, " "), "last") == 2 {
				srv.RemoveListener(plainConn.ID) // a server.Server id, through tls.Server
				if n := srv.ListenerCount(server.EventConnection); n != 1 {
					t.Errorf("ListenerCount('connection') = %d after removing ours, want 1 (the TLS server's own)", n)
				}
				srv.Close(nil)
			}
		})
		plainConn = srv.OnConnection(func(*socket.Socket) { conns++ })
		if n := srv.SecureListenerCount(nntls.EventSecureConnection); n != 4 {
			t.Errorf("SecureListenerCount = %d, want 4", n)
		}
	})
	looptest.Run(t, l, hangGuard)
	if err := <-clientErr; err != nil {
		t.Fatal(err)
	}
	want := "first once count=3 removed last first last"
	if got := strings.Join(log, " "); got != want || conns != 2 {
		t.Fatalf("ran %q and %d 'connection' listeners, want %q and 2", got, conns, want)
	}
}

// A TLSSocket's Connect callback is a once 'secureConnect' listener:
// removed before it runs. A listener removed before the emit does not run;
// one removed during it by an earlier listener does. A nil TLS listener panics at the call with
// ERR_INVALID_ARG_TYPE, as the Socket's do (it used to be stored and
// skipped).
func TestTLSSocketOnceAndNilListeners(t *testing.T) {
	l := newLoop(t)
	var log []string
	l.Post(func() {
		listenTLS(t, l, nntls.ServerOptions{}, func(s *nntls.TLSSocket) { s.End(nil, nil) }, func(srv *nntls.Server, port int) {
			var c *nntls.TLSSocket
			var err error
			c, err = nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
				Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, func() {
				log = append(log, "cb count="+strconv.Itoa(c.SecureListenerCount(nntls.EventSecureConnect)))
			})
			if err != nil {
				t.Error(err)
				srv.Close(nil)
				return
			}
			c.OnceSecure(func() { log = append(log, "secure") })
			var later socket.ListenerID
			c.OnSecureConnect(func() { log = append(log, "on"); c.RemoveListener(later) })
			gone := c.OnSecureConnect(func() { log = append(log, "removed") })
			c.RemoveListener(gone)
			// Removed during the emit, by the listener before it: it still
			// runs in that emit, as from Node's copy of the array.
			later = c.OnSecureConnect(func() { log = append(log, "later") })
			c.OnClose(func(bool) { srv.Close(nil) })
			c.OnEnd(func() { c.End(nil, nil) })
			nilListenersPanic(t, c)
			nilListenersPanic(t, srv)
		})
	})
	looptest.Run(t, l, hangGuard)
	if got, want := strings.Join(log, " "), "cb count=2 on later secure"; got != want {
		t.Fatalf("ran %q, want %q", got, want)
	}
}

// nilListenersPanic calls every On…/Once… method of v taking one function
// with a nil one, found by reflection so that a new one cannot escape.
func nilListenersPanic(t *testing.T, v any) {
	t.Helper()
	rv := reflect.ValueOf(v)
	tested := 0
	for i := 0; i < rv.NumMethod(); i++ {
		m := rv.Type().Method(i)
		if !(strings.HasPrefix(m.Name, "On")) || m.Type.NumIn() != 2 || m.Type.In(1).Kind() != reflect.Func {
			continue
		}
		tested++
		func() {
			defer func() {
				err, _ := recover().(error)
				if !errors.Is(err, &nodenet.Error{Code: nodenet.CodeInvalidArgType}) {
					t.Errorf("%T.%s(nil): recovered %v, want ERR_INVALID_ARG_TYPE", v, m.Name, err)
				}
			}()
			rv.Method(i).Call([]reflect.Value{reflect.Zero(m.Type.In(1))})
		}()
	}
	if tested < 6 {
		t.Errorf("%T: only %d methods taking a listener found", v, tested)
	}
}
