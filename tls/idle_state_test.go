package tls_test

import (
	"io"
	"strings"
	"testing"

	"github.com/nodenet/nodenet/internal/looptest"
	nntls "github.com/nodenet/nodenet/tls"
)

// An established connection lets its handshake state go: by its first
// data event the server's socket holds none (it was dropped as the
// handshake ended), on either side of the data and after the peer ends.
func TestEstablishedDropsHandshakeState(t *testing.T) {
	checkFDs(t)
	l := newLoop(t)
	var seen []string
	l.Post(func() {
		listenTLS(t, l, nntls.ServerOptions{}, func(s *nntls.TLSSocket) {
			s.OnData(func([]byte) {
				seen = append(seen, "data held="+boolStr(nntls.HoldsHandshakeState(s)))
			})
			s.OnEnd(func() {
				seen = append(seen, "end held="+boolStr(nntls.HoldsHandshakeState(s)))
				s.End(nil, nil)
			})
		}, func(srv *nntls.Server, port int) {
			go func() {
				defer l.Post(func() { srv.Close(nil) })
				c, raw := goTLS(t, port)
				if c == nil {
					return
				}
				defer raw.Close()
				c.Write([]byte("hi"))
				c.CloseWrite()
				io.ReadAll(c) // until the server's close_notify
			}()
		})
	})
	looptest.Run(t, l, hangGuard)
	if got, want := strings.Join(seen, " "), "data held=false end held=false"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
