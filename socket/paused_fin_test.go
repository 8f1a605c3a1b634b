//go:build linux || windows

package socket_test

import (
	"io"
	"net"
	"strconv"
	"testing"

	"github.com/nodenet/nodenet/socket"
)

// NS-032, NS-037: a socket paused after it started reading still notices a
// peer that only sends its FIN: 'end' while paused, then (allowHalfOpen
// false) 'finish' and 'close' — Node 20 does the same, as its pause() leaves
// the handle reading. With AllowHalfOpen the socket stays open and writable
// after 'end'.
func TestNS037_PausedAfterReadingSeesBareFIN(t *testing.T) {
	for _, halfOpen := range []bool{false, true} {
		t.Run("allowHalfOpen="+strconv.FormatBool(halfOpen), func(t *testing.T) {
			ready := make(chan struct{})
			got := make(chan string, 1)
			port := peer(t, func(c net.Conn) {
				<-ready
				c.(*net.TCPConn).CloseWrite()
				b, _ := io.ReadAll(c)
				got <- string(b)
			})
			l := newLoop(t)
			var ev events
			start(t, l, func() {
				var s *socket.Socket
				s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1", StreamOptions: socket.StreamOptions{AllowHalfOpen: halfOpen}}, func() {
					// Reading started at connect (data listener); pause on
					// the next iteration, then let the peer send its FIN.
					l.SetImmediate(func() { s.Pause(); close(ready) })
				})
				s.OnData(func([]byte) { t.Error("data") })
				s.OnEnd(func() {
					ev.add("end")
					if !s.IsPaused() {
						t.Error("not paused at end")
					}
					if halfOpen {
						if !s.Writable() {
							t.Error("half-open socket not writable after end")
						}
						s.End([]byte("bye"), nil)
					}
				})
				s.OnFinish(func() { ev.add("finish") })
				s.OnClose(func(hadError bool) { ev.add("close") })
			})
			if got := ev.String(); got != "end,finish,close" {
				t.Fatalf("events %s, want end,finish,close", got)
			}
			if want := map[bool]string{false: "", true: "bye"}[halfOpen]; <-got != want {
				t.Fatalf("peer did not read %q", want)
			}
		})
	}
}

// NS-032, NS-037: a socket paused before it ever read (inside its 'connect'
// listener) does not see the FIN while paused — Run even returns, as nothing
// holds it (NS-049) — and emits 'end', 'finish', 'close' on Resume (Node 20:
// the same, 'end' right after resume()).
func TestNS037_PausedBeforeReadingSeesFINOnResume(t *testing.T) {
	finSent := make(chan struct{})
	port := peer(t, func(c net.Conn) {
		c.(*net.TCPConn).CloseWrite()
		close(finSent)
		_, _ = io.Copy(io.Discard, c)
	})
	l := newLoop(t)
	var ev events
	var s *socket.Socket
	start(t, l, func() {
		s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() {
			ev.add("connect")
			s.Pause()
			// A data listener added while paused does not start reading.
			// (One added before 'connect' would have: Node's never-read
			// case is a socket with no data listener until it pauses.)
			s.OnData(func([]byte) { t.Error("data") })
		})
		s.OnEnd(func() { ev.add("end") })
		s.OnFinish(func() { ev.add("finish") })
		s.OnClose(func(bool) { ev.add("close") })
	})
	<-finSent
	if got := ev.String(); got != "connect" || s.Destroyed() {
		t.Fatalf("before resume: events %s, destroyed %v", got, s.Destroyed())
	}
	start(t, l, func() { s.Resume() })
	if got := ev.String(); got != "connect,end,finish,close" {
		t.Fatalf("events %s, want connect,end,finish,close", got)
	}
}

// NS-032: data that arrives before the FIN on a paused socket is kept, and
// 'end' waits for Resume, after that data (Node 20: the same; the data waits
// in the stream's buffer). The paused socket keeps Run going meanwhile: it
// started reading (NS-049).
func TestNS032_PausedWithDataThenFINEndsAfterResume(t *testing.T) {
	l := newLoop(t)
	ready := make(chan struct{})
	var s *socket.Socket
	port := peer(t, func(c net.Conn) {
		<-ready
		_, _ = c.Write([]byte("hi"))
		c.(*net.TCPConn).CloseWrite()
		_ = l.Post(func() { s.Resume() }) // only once data and FIN are sent
		_, _ = io.Copy(io.Discard, c)
	})
	var ev events
	start(t, l, func() {
		s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() {
			l.SetImmediate(func() { s.Pause(); close(ready) })
		})
		s.OnData(func(b []byte) {
			if s.IsPaused() {
				t.Error("data while paused")
			}
			ev.add("data:" + string(b))
		})
		s.OnEnd(func() {
			if s.IsPaused() {
				t.Error("end while paused with data waiting")
			}
			ev.add("end")
		})
		s.OnClose(func(bool) { ev.add("close") })
	})
	if got := ev.String(); got != "data:hi,end,close" {
		t.Fatalf("events %s, want data:hi,end,close", got)
	}
}
