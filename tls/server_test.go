package tls_test

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strconv"
	"testing"

	"github.com/nodenet/nodenet/internal/looptest"
	nntls "github.com/nodenet/nodenet/tls"
)

// A TLS echo server (the socket piped to itself) answers Go's crypto/tls
// client byte for byte, then ends when the client closes.
func TestServerEchoWithGoClient(t *testing.T) {
	for _, tc := range []struct {
		name string
		max  uint16
	}{{"TLSv1.3", tls.VersionTLS13}, {"TLSv1.2", tls.VersionTLS12}} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLoop(t)
			var proto string
			var ended, closed bool
			clientErr := make(chan error, 1)
			l.Post(func() {
				listenTLS(t, l, nntls.ServerOptions{}, func(s *nntls.TLSSocket) {
					proto = s.GetProtocol()
					s.OnEnd(func() { ended = true })
					s.OnClose(func(bool) { closed = true })
					s.Pipe(s.Socket, nil)
				}, func(srv *nntls.Server, port int) {
					go func() {
						clientErr <- echoClient(port, tc.max, 200, 3000)
						l.Post(func() { srv.Close(nil) })
					}()
				})
			})
			looptest.Run(t, l, hangGuard)
			if err := <-clientErr; err != nil {
				t.Fatal(err)
			}
			if proto != tc.name || !ended || !closed {
				t.Fatalf("protocol %q ended %v closed %v", proto, ended, closed)
			}
		})
	}
}

// echoClient sends n messages of size bytes and checks each echo.
func echoClient(port int, max uint16, n, size int) error {
	cfg := goClient(ecCert)
	cfg.MaxVersion = max
	c, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	msg := make([]byte, size)
	got := make([]byte, size)
	for i := 0; i < n; i++ {
		for j := range msg {
			msg[j] = byte(i + j)
		}
		if _, err := c.Write(msg); err != nil {
			return err
		}
		if _, err := io.ReadFull(c, got); err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
		if !bytes.Equal(got, msg) {
			return fmt.Errorf("message %d: echo differs", i)
		}
	}
	if err := c.CloseWrite(); err != nil {
		return err
	}
	if n, err := c.Read(got); n != 0 || err != io.EOF {
		return fmt.Errorf("after close_notify: %d bytes, %v", n, err)
	}
	return nil
}
