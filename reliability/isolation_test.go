//go:build linux

package reliability

import (
	"encoding/binary"
	"sync/atomic"
	"testing"

	"github.com/nodenet/nodenet/socket"
)

// TestIsolation: 1,000 connections each send their own id pattern through an
// echo server that answers straight out of the loop's shared read buffer; no
// byte of one connection may ever reach another.
func TestIsolation(t *testing.T) {
	n, rounds := 1000, 20
	if testing.Short() {
		n, rounds = 200, 10
	}
	if soakMode() {
		rounds = 200
	}
	raiseFDLimit(t)
	e := newEnv(t, serverOptions(), func(c *socket.Socket) {
		c.OnData(func(b []byte) { c.Send(b, nil) }) // b is the loop's shared buffer
	})
	var foreign, finished atomic.Int64
	all := make(chan struct{})
	e.cliL.Post(func() {
		for i := 0; i < n; i++ {
			var pat [4]byte
			binary.LittleEndian.PutUint32(pat[:], uint32(i)*2654435761+1)
			msg := make([]byte, 1024+i%3000)
			for k := range msg {
				msg[k] = pat[k%4]
			}
			var got, sent int
			round := 0
			var s *socket.Socket
			s = e.connect(func() { s.Send(msg, nil); sent += len(msg) })
			s.OnData(func(b []byte) {
				for _, x := range b {
					if x != msg[got%len(msg)] {
						foreign.Add(1)
					}
					got++
				}
				if got == sent {
					round++
					if round < rounds {
						s.Send(msg, nil)
						sent += len(msg)
					} else {
						s.End(nil, nil)
					}
				}
			})
			s.OnClose(func(bool) {
				if finished.Add(1) == int64(n) {
					close(all)
				}
			})
		}
	})
	wait(t, all, "all isolation clients")
	if f := foreign.Load(); f != 0 {
		t.Fatalf("%d bytes reached the wrong connection", f)
	}
}
