//go:build linux || windows

package socket_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// streamState is what a Node program prints of a socket's stream state.
type streamState struct {
	Pending, Connecting       bool
	ReadyState                string
	Readable, Writable        bool
	WEnded, WFinished, WDrain bool
	WCorked                   int
	REnded                    bool
	RFlowing                  string
	RDidRead                  bool
	REncoding                 string
	RAborted                  bool
	Destroyed, Closed         bool
	Errored                   string
	IsPaused                  bool
}

func snapshot(s *socket.Socket) streamState {
	e := ""
	if err := s.Errored(); err != nil {
		e = err.Error()
	}
	return streamState{
		Pending: s.Pending(), Connecting: s.Connecting(), ReadyState: s.ReadyState(),
		Readable: s.Readable(), Writable: s.Writable(),
		WEnded: s.WritableEnded(), WFinished: s.WritableFinished(), WDrain: s.WritableNeedDrain(),
		WCorked: s.WritableCorked(), REnded: s.ReadableEnded(), RFlowing: s.ReadableFlowing().String(),
		RDidRead: s.ReadableDidRead(), REncoding: s.ReadableEncoding(), RAborted: s.ReadableAborted(),
		Destroyed: s.Destroyed(), Closed: s.Closed(), Errored: e, IsPaused: s.IsPaused(),
	}
}

// TestStreamStateAsNodeReportsIt walks one socket through its life and
// compares, at each step, what Node v26 prints for the same program (the
// values in want were printed by /tmp/node26 running the twin script: a
// fresh socket is "open", readableFlowing is null until a data listener,
// false after pause, closed is set by destroy itself, errored holds the
// destroy error, writableNeedDrain follows a write that returned false).
func TestStreamStateAsNodeReportsIt(t *testing.T) {
	base := streamState{ReadyState: "open", Readable: true, Writable: true, RFlowing: "null"}
	with := func(f func(*streamState)) streamState { s := base; f(&s); return s }
	open := with(func(s *streamState) {})
	want := []struct {
		step string
		st   streamState
	}{
		{"fresh", with(func(s *streamState) { s.Pending = true })},
		{"connecting", with(func(s *streamState) { s.Pending, s.Connecting, s.ReadyState = true, true, "opening" })},
		{"connect", open},
		{"corked2", with(func(s *streamState) { s.WCorked = 2 })},
		{"dataListener", with(func(s *streamState) { s.RFlowing = "true" })},
		{"paused", with(func(s *streamState) { s.RFlowing, s.IsPaused = "false", true })},
		{"resumed", with(func(s *streamState) { s.RFlowing = "true" })},
		{"needDrain", with(func(s *streamState) { s.RFlowing, s.RDidRead, s.WDrain = "true", true, true })},
		{"drain", with(func(s *streamState) { s.RFlowing, s.RDidRead = "true", true })},
		{"enc", with(func(s *streamState) { s.RFlowing, s.RDidRead, s.REncoding = "true", true, "hex" })},
		{"ended", with(func(s *streamState) {
			s.RFlowing, s.RDidRead, s.REncoding, s.ReadyState, s.Writable, s.WEnded = "true", true, "hex", "readOnly", false, true
		})},
		{"finish", with(func(s *streamState) {
			s.RFlowing, s.RDidRead, s.REncoding, s.ReadyState, s.Writable, s.WEnded, s.WFinished = "true", true, "hex", "readOnly", false, true, true
		})},
		{"end", with(func(s *streamState) {
			s.RFlowing, s.RDidRead, s.REncoding, s.ReadyState, s.Readable, s.Writable, s.WEnded, s.WFinished, s.REnded =
				"true", true, "hex", "closed", false, false, true, true, true
		})},
		{"close", with(func(s *streamState) {
			s.RFlowing, s.RDidRead, s.REncoding, s.ReadyState, s.Readable, s.Writable, s.WEnded, s.WFinished, s.REnded =
				"true", true, "hex", "closed", false, false, true, true, true
			s.Pending, s.Destroyed, s.Closed = true, true, true
		})},
		{"destroyedErr", with(func(s *streamState) {
			s.Pending, s.ReadyState, s.Readable, s.Writable, s.RAborted, s.Destroyed, s.Closed, s.Errored = true, "closed", false, false, true, true, true, "boom"
		})},
		{"error", with(func(s *streamState) {
			s.Pending, s.ReadyState, s.Readable, s.Writable, s.RAborted, s.Destroyed, s.Closed, s.Errored = true, "closed", false, false, true, true, true, "boom"
		})},
	}
	l := newLoop(t)
	var got []string
	var states []streamState
	rec := func(step string, s *socket.Socket) { got = append(got, step); states = append(states, snapshot(s)) }
	start(t, l, func() {
		var paused *socket.Socket
		listen(t, l, server.Options{}, func(c *socket.Socket) {
			if paused == nil {
				// The first connection reads nothing until the client's big
				// write returned false, then drains it and answers.
				paused = c
				c.Pause()
				c.Send([]byte("x"), nil)
			} else {
				c.Resume()
			}
			c.OnEnd(func() { c.End(nil, nil) })
		}, func(srv *server.Server, port int) {
			s, _ := socket.New(socket.Options{Loop: l})
			rec("fresh", s)
			_ = s.Connect(socket.ConnectOptions{Port: port, Host: "127.0.0.1"}, nil)
			rec("connecting", s)
			s.OnConnect(func() {
				rec("connect", s)
				s.Cork()
				s.Cork()
				rec("corked2", s)
				s.Uncork()
				s.Uncork()
				first := true
				s.OnData(func([]byte) {
					if !first {
						return
					}
					first = false
					if s.Send(make([]byte, 32<<20), nil) {
						t.Error("a 32 MiB write to a paused peer returned true")
					}
					rec("needDrain", s)
					paused.Resume()
				})
				rec("dataListener", s)
				s.Pause()
				rec("paused", s)
				s.Resume()
				rec("resumed", s)
			})
			s.OnceDrain(func() {
				rec("drain", s)
				_ = s.SetEncoding("hex")
				rec("enc", s)
				s.End(nil, nil)
				rec("ended", s)
			})
			s.OnFinish(func() { rec("finish", s) })
			s.OnEnd(func() { rec("end", s) })
			s.OnClose(func(bool) {
				rec("close", s)
				var u *socket.Socket
				u, _ = socket.ConnectTCP(l, port, "127.0.0.1", func() {
					u.Destroy(errors.New("boom"))
					rec("destroyedErr", u)
				})
				u.OnError(func(error) { rec("error", u) })
				u.OnClose(func(bool) { srv.Close(nil) })
			})
		})
	})
	if len(got) != len(want) {
		t.Fatalf("steps %v; want %d steps", got, len(want))
	}
	for i, w := range want {
		if got[i] != w.step || states[i] != w.st {
			t.Errorf("%s: got %+v\n\twant %s %+v", got[i], states[i], w.step, w.st)
		}
	}
}

// TestStreamStateReadableOffLoop calls every stream-state getter from other
// goroutines while data flows, the socket ends and is destroyed: under
// -race this proves them safe from any goroutine, and each answer must be
// one a Node program could have seen at some moment.
func TestStreamStateReadableOffLoop(t *testing.T) {
	l := newLoop(t)
	var stop atomic.Bool
	var wg sync.WaitGroup
	var seen sync.Map
	watch := func(s *socket.Socket) {
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for done := false; !done; {
					// One more pass after stop: the loop has returned by
					// then, so that one sees the socket's final state.
					done = stop.Load()
					// Finished first, then ended: both only turn true, so
					// finished seen true and ended read after it false is
					// the bug. The other order races an End that lands
					// between the two reads (seen once under load).
					finished := s.WritableFinished()
					st := snapshot(s)
					_ = s.ReadableLength() + s.ReadableHighWaterMark() + s.WritableLength() + s.WritableHighWaterMark()
					if finished && !st.WEnded {
						t.Error("writableFinished without writableEnded")
					}
					seen.Store(fmt.Sprintf("%s %v %v", st.RFlowing, st.WEnded, st.Destroyed), true)
				}
			}()
		}
	}
	start(t, l, func() {
		listen(t, l, server.Options{}, func(c *socket.Socket) {
			watch(c)
			c.Pipe(c, nil)
		}, func(srv *server.Server, port int) {
			var s *socket.Socket
			n := 0
			s, _ = socket.ConnectTCP(l, port, "127.0.0.1", func() {
				for i := 0; i < 64; i++ {
					s.Send(make([]byte, 1024), nil)
				}
				s.Cork()
				s.Uncork()
			})
			watch(s)
			s.OnData(func(b []byte) {
				n += len(b)
				if n == 64*1024 {
					s.Pause()
					s.Resume()
					_ = s.SetEncoding("utf8")
					s.End(nil, nil)
				}
			})
			s.OnClose(func(bool) { srv.Close(nil) })
		})
	})
	stop.Store(true)
	wg.Wait()
	if _, ok := seen.Load("true true true"); !ok {
		t.Error("the watchers never saw the ended, destroyed socket")
	}
}
