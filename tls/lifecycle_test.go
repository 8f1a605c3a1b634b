package tls_test

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

// A client's socket timeout (SetTimeout) runs during the handshake too, as
// in Node, where it is the client's only handshake timeout: a server that
// never answers gives 'timeout', and the user's Destroy then is close(false)
// with no 'secureConnect' — the handshake goroutine that waited for the
// server's flight is released (goleak in TestMain) and no descriptor is left.
func TestClientTimeoutAndDestroyDuringHandshake(t *testing.T) {
	// checkFDs first: its check runs after goServer's cleanup has closed
	// everything. The server reads and never answers.
	checkFDs(t)
	port := goServer(t, nil, func(c net.Conn) { io.Copy(io.Discard, c) })
	l := newLoop(t)
	var events []string
	l.Post(func() {
		c, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
			Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, nil)
		if err != nil {
			t.Error(err)
			return
		}
		if err := c.SetTimeout(50*time.Millisecond, nil); err != nil {
			t.Error(err)
		}
		c.OnConnect(func() { events = append(events, "connect") })
		c.OnSecureConnect(func() { events = append(events, "secureConnect") })
		c.OnTimeout(func() {
			events = append(events, "timeout")
			if r, _ := nntls.HandshakeStats(); r == 0 {
				t.Error("no handshake running while the client waits for the server's flight")
			}
			c.Destroy(nil)
		})
		c.OnError(func(err error) { events = append(events, "error "+code(err)) })
		c.OnClose(func(h bool) { events = append(events, "close "+strconv.FormatBool(h)) })
	})
	looptest.Run(t, l, hangGuard)
	if s := strings.Join(events, " "); s != "connect timeout close false" {
		t.Fatalf("events %q", s)
	}
}

// An established TLSSocket's SetTimeout fires on idleness (reads and
// writes of plaintext reset it); Destroy(err) is then 'error' err and
// close(true) on the server, and the peer sees the connection end.
func TestEstablishedTimeoutAndDestroy(t *testing.T) {
	boom := errors.New("boom")
	checkFDs(t)
	l := newLoop(t)
	var events []string
	l.Post(func() {
		listenTLS(t, l, nntls.ServerOptions{}, func(s *nntls.TLSSocket) {
			events = append(events, "secureConnection")
			s.SetTimeout(50*time.Millisecond, nil)
			s.OnData(func(b []byte) { events = append(events, "data "+string(b)) })
			s.OnTimeout(func() { events = append(events, "timeout"); s.Destroy(boom) })
			s.OnError(func(err error) {
				events = append(events, "error")
				if !errors.Is(err, boom) {
					t.Errorf("error %v, want boom", err)
				}
			})
			s.OnClose(func(h bool) { events = append(events, "close "+strconv.FormatBool(h)) })
		}, func(srv *nntls.Server, port int) {
			go func() {
				defer l.Post(func() { srv.Close(nil) })
				c, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), goClient(ecCert))
				if err != nil {
					t.Error(err)
					return
				}
				defer c.Close()
				c.Write([]byte("hi"))
				if _, err := io.ReadAll(c); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !isReset(err) {
					t.Errorf("client read: %v", err)
				}
			}()
		})
	})
	looptest.Run(t, l, hangGuard)
	if s := strings.Join(events, " "); s != "secureConnection data hi timeout error close true" {
		t.Fatalf("events %q", s)
	}
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op)
}

// A server socket destroyed in 'connection', before its handshake: no
// 'secureConnection', no 'tlsClientError', close(false); the client's
// handshake fails; the server goes on serving the next client.
func TestDestroyBeforeHandshake(t *testing.T) {
	checkFDs(t)
	l := newLoop(t)
	var events []string
	clientErr := make(chan error, 2)
	l.Post(func() {
		n := 0
		srv := listenTLS(t, l, nntls.ServerOptions{}, func(s *nntls.TLSSocket) {
			events = append(events, "secureConnection")
			s.Pipe(s.Socket, nil)
		}, func(srv *nntls.Server, port int) {
			go func() {
				c, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), goClient(ecCert))
				if err == nil {
					c.Close()
					err = errors.New("handshake succeeded on a destroyed socket")
				} else {
					err = nil
				}
				clientErr <- err
				clientErr <- echoClient(port, tls.VersionTLS13, 3, 100)
				l.Post(func() { srv.Close(nil) })
			}()
		})
		srv.OnConnection(func(s *socket.Socket) {
			if n++; n == 1 {
				s.OnClose(func(h bool) { events = append(events, "close "+strconv.FormatBool(h)) })
				s.Destroy(nil)
			}
		})
		srv.OnTLSClientError(func(err error, _ *nntls.TLSSocket) { events = append(events, "tlsClientError "+code(err)) })
	})
	looptest.Run(t, l, hangGuard)
	for i := 0; i < 2; i++ {
		if err := <-clientErr; err != nil {
			t.Fatal(err)
		}
	}
	if s := strings.Join(events, " "); s != "close false secureConnection" {
		t.Fatalf("server events %q", s)
	}
}

// A server made from a whole *tls.Config (Go programs' way in): its
// certificate is served and reported by GetCertificate.
func TestServerFromConfig(t *testing.T) {
	kp := mustPair(rsaCert)
	o := nntls.ServerOptions{}
	o.Config = &tls.Config{Certificates: []tls.Certificate{kp}}
	port, s := serve(t, o, nil)
	d := dial(t, port, nntls.ConnectOptions{Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: rsaCert.CertPEM}})
	if d.err != nil || d.cn != "localhost" {
		t.Fatalf("%+v", d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.locals) != 1 || s.locals[0] != "localhost" {
		t.Fatalf("GetCertificate %q", s.locals)
	}
}
