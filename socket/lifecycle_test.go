//go:build linux || windows

package socket_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// The tests in this file pin behaviours checked against Node v26 with a twin
// Node script each (the expected traces below are what Node printed).

// A failure before the connection is established — refused, a missing Unix
// path, a name that does not resolve, a bind error, Destroy(err) while
// connecting — emits 'error' and then close(hadError=true): Node's socket
// has a handle from connect() on, and closing it reports the error.
// Destroy() without an error while connecting closes with false.
func TestConnectFailureClosesWithHadError(t *testing.T) {
	refused := refusedPort(t, "127.0.0.1")
	missing := filepath.Join(os.TempDir(), "nodenet-missing-"+strconv.Itoa(os.Getpid())+".sock")
	if runtime.GOOS == "windows" {
		missing = `\\.\pipe\nodenet-missing-` + strconv.Itoa(os.Getpid())
	}
	cases := []struct {
		name    string
		o       socket.ConnectOptions
		destroy func(*socket.Socket)
		code    string
		hadErr  bool
	}{
		{name: "refused", o: socket.ConnectOptions{Port: refused, Host: "127.0.0.1"}, code: "ECONNREFUSED", hadErr: true},
		{name: "enoent", o: socket.ConnectOptions{Path: missing}, code: "ENOENT", hadErr: true},
		{name: "notfound", o: socket.ConnectOptions{Port: 80, Host: "nonexistent.invalid",
			Lookup: func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
				return nil, nodenet.NewDNSError("ENOTFOUND", "nonexistent.invalid", nil)
			}}, code: "ENOTFOUND", hadErr: true},
		{name: "bind", o: socket.ConnectOptions{Port: refused, Host: "127.0.0.1", LocalAddress: "192.0.2.1"}, code: "EADDRNOTAVAIL", hadErr: true},
		{name: "destroyErr", o: socket.ConnectOptions{Port: refused, Host: "127.0.0.1"},
			destroy: func(s *socket.Socket) { s.Destroy(errors.New("boom")) }, hadErr: true},
		{name: "destroyErrWhileResolving", o: socket.ConnectOptions{Port: refused, Host: "localhost"},
			destroy: func(s *socket.Socket) { s.Destroy(errors.New("boom")) }, hadErr: true},
		{name: "destroy", o: socket.ConnectOptions{Port: refused, Host: "127.0.0.1"},
			destroy: func(s *socket.Socket) { s.Destroy(nil) }, hadErr: false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := newLoop(t)
			var ev events
			start(t, l, func() {
				o := c.o
				o.Loop = l
				s, err := socket.Connect(o, nil)
				if err != nil {
					t.Fatal(err)
				}
				s.OnError(func(err error) {
					if c.code != "" && code(err) != c.code {
						t.Errorf("error %v; want %s", err, c.code)
					}
					ev.add("error")
				})
				s.OnClose(func(hadError bool) { ev.add("close " + map[bool]string{true: "true", false: "false"}[hadError]) })
				if c.destroy != nil {
					c.destroy(s)
				}
			})
			want := "error,close true"
			if !c.hadErr {
				want = "close false"
			}
			if ev.String() != want {
				t.Errorf("events %s; want %s", ev, want)
			}
		})
	}
}

// End's callback runs before 'finish' is emitted (Node 26's
// callFinishedCallbacks precedes emit('finish')), after the write callbacks.
func TestEndCallbackBeforeFinish(t *testing.T) {
	l := newLoop(t)
	var ev events
	start(t, l, func() {
		listen(t, l, server.Options{}, func(c *socket.Socket) {
			c.Resume()
			c.OnEnd(func() { c.End(nil, nil) })
		}, func(srv *server.Server, port int) {
			var s *socket.Socket
			s, _ = socket.ConnectTCP(l, port, "127.0.0.1", func() {
				s.OnFinish(func() { ev.add("finish") })
				s.Send([]byte("abc"), func(error) { ev.add("write cb") })
				s.End([]byte("def"), func(err error) { ev.add("end cb " + errString(err)) })
				s.End(nil, func(err error) { ev.add("end cb2 " + errString(err)) })
			})
			s.Resume()
			s.OnEnd(func() { ev.add("end") })
			s.OnClose(func(bool) { ev.add("close"); srv.Close(nil) })
		})
	})
	if want := "write cb,end cb null,end cb2 null,finish,end,close"; ev.String() != want {
		t.Errorf("events %s\n\twant %s", ev, want)
	}
}

func errString(err error) string {
	if err == nil {
		return "null"
	}
	if c := code(err); c != "" {
		return c
	}
	return err.Error()
}

// End (and End with data) after the socket was destroyed with an error:
// the callback hears ERR_STREAM_DESTROYED ("Cannot call end after a stream
// was destroyed"; with data, the write's "Cannot call write ..."), not the
// destroy error. A write after End and Destroy is ERR_STREAM_WRITE_AFTER_END
// (Node checks ending first), and returns false.
func TestEndAfterDestroyIsStreamDestroyed(t *testing.T) {
	l := newLoop(t)
	var ev events
	start(t, l, func() {
		listen(t, l, server.Options{}, func(c *socket.Socket) {
			c.Resume()
			c.OnEnd(func() { c.End(nil, nil) })
		}, func(srv *server.Server, port int) {
			var s *socket.Socket
			s, _ = socket.ConnectTCP(l, port, "127.0.0.1", func() {
				s.Destroy(errors.New("boom"))
				s.End(nil, func(err error) {
					ev.add("end cb " + errString(err))
					if err.Error() != "Cannot call end after a stream was destroyed" {
						t.Errorf("message %q", err.Error())
					}
				})
			})
			s.OnError(func(err error) { ev.add("error " + err.Error()) })
			s.OnClose(func(h bool) {
				ev.add("close")
				s.End([]byte("x"), func(err error) { ev.add("end data cb " + errString(err)) })
				var u *socket.Socket
				u, _ = socket.ConnectTCP(l, port, "127.0.0.1", func() {
					u.End(nil, nil)
					u.Destroy(nil)
					if u.Send([]byte("x"), func(err error) { ev.add("write cb " + errString(err)) }) {
						t.Error("write after end and destroy returned true")
					}
					u.End(nil, func(err error) { ev.add("u end cb " + errString(err)) })
				})
				u.OnClose(func(bool) { srv.Close(nil) })
			})
		})
	})
	want := "error boom,end cb ERR_STREAM_DESTROYED,close,end data cb ERR_STREAM_DESTROYED,write cb ERR_STREAM_WRITE_AFTER_END,u end cb ERR_STREAM_DESTROYED"
	if ev.String() != want {
		t.Errorf("events %s\n\twant %s", ev, want)
	}
}

// Writing to a socket that was never connected (Node's socket without a
// handle): Send returns false, its callback and then the 'error' event hear
// ERR_SOCKET_CLOSED, and 'close' follows. End on such a socket emits
// 'finish' at once — its callback first — and does not destroy it: a later
// Connect starts a fresh, writable connection (Node 26).
func TestNeverConnectedSendAndEnd(t *testing.T) {
	l := newLoop(t)
	var ev events
	start(t, l, func() {
		s, _ := socket.New(socket.Options{Loop: l})
		s.OnError(func(err error) { ev.add("error " + errString(err)) })
		s.OnClose(func(h bool) { ev.add("close") })
		if s.Send([]byte("x"), func(err error) { ev.add("write cb " + errString(err)) }) {
			t.Error("Send on a never-connected socket returned true")
		}
		if s.Writable() || s.Errored() == nil {
			t.Errorf("after the failed write: writable %v, errored %v; want false, ERR_SOCKET_CLOSED", s.Writable(), s.Errored())
		}
		u, _ := socket.New(socket.Options{Loop: l})
		u.OnFinish(func() { ev.add("u finish") })
		u.OnceFinish(func() {
			listen(t, l, server.Options{}, func(c *socket.Socket) {
				c.OnData(func(b []byte) { ev.add("server data " + string(b)) })
				c.OnEnd(func() { c.End(nil, nil) })
			}, func(srv *server.Server, port int) {
				if err := u.Connect(socket.ConnectOptions{Port: port, Host: "127.0.0.1"}, func() {
					ev.add("u connect")
					if !u.Writable() || u.WritableEnded() || u.WritableFinished() {
						t.Errorf("after Connect: writable %v, ended %v, finished %v", u.Writable(), u.WritableEnded(), u.WritableFinished())
					}
					u.End([]byte("after"), nil)
				}); err != nil {
					t.Error(err)
				}
				u.OnClose(func(bool) { ev.add("u close"); srv.Close(nil) })
			})
		})
		u.OnClose(func(bool) { ev.add("u close") })
		u.End(nil, func(err error) { ev.add("u end cb " + errString(err)) })
	})
	want := "write cb ERR_SOCKET_CLOSED,u end cb null,u finish,error ERR_SOCKET_CLOSED,close,u connect,u finish,server data after,u close,u close"
	if ev.String() != want {
		t.Errorf("events %s\n\twant %s", ev, want)
	}
}

// Send's return value is decided after the write attempt: a write the
// kernel takes whole returns true — whatever its size against the
// high-water mark — and no 'drain' follows (Node 26: write(16 KiB … 64 KiB
// + 1) to a reading peer on loopback returns true, no 'drain').
func TestSendTakenWholeReturnsTrue(t *testing.T) {
	l := newLoop(t)
	drains := 0
	start(t, l, func() {
		listen(t, l, server.Options{}, func(c *socket.Socket) {
			c.Resume()
			c.OnEnd(func() { c.End(nil, nil) })
		}, func(srv *server.Server, port int) {
			var s *socket.Socket
			s, _ = socket.ConnectTCP(l, port, "127.0.0.1", func() {
				for _, n := range []int{s.WritableHighWaterMark(), 65535, 65536, 65537} {
					ok := s.Send(make([]byte, n), nil)
					if s.BufferSize() != 0 {
						t.Logf("the kernel did not take %d bytes at once; skipping the rest", n)
						break
					}
					if !ok || s.WritableNeedDrain() {
						t.Errorf("Send(%d) taken whole returned %v (needDrain %v); want true", n, ok, s.WritableNeedDrain())
					}
				}
				s.End(nil, nil)
			})
			s.OnDrain(func() { drains++ })
			s.OnClose(func(bool) { srv.Close(nil) })
		})
	})
	if drains != 0 {
		t.Errorf("%d 'drain' events after writes the kernel took whole; want none", drains)
	}
}

// 'ready' follows 'connect' even when a 'connect' listener destroyed the
// socket (Node's afterConnect emits both unconditionally); nothing else
// does but 'close'.
func TestReadyAfterDestroyInConnect(t *testing.T) {
	l := newLoop(t)
	var ev events
	start(t, l, func() {
		listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(srv *server.Server, port int) {
			var s *socket.Socket
			s, _ = socket.ConnectTCP(l, port, "127.0.0.1", func() { ev.add("connect"); s.Destroy(nil) })
			s.OnReady(func() { ev.add("ready") })
			s.OnData(func([]byte) { ev.add("data") })
			s.OnClose(func(bool) { ev.add("close"); srv.Close(nil) })
		})
	})
	if want := "connect,ready,close"; ev.String() != want {
		t.Errorf("events %s; want %s", ev, want)
	}
}

// Pause and Resume do nothing on a destroyed socket (Node's Readable.pause
// and resume return at once once destroyed): IsPaused stays false and
// ReadableFlowing keeps its value.
func TestPauseResumeAfterDestroyDoNothing(t *testing.T) {
	l := newLoop(t)
	start(t, l, func() {
		s, _ := socket.New(socket.Options{Loop: l})
		s.Destroy(nil)
		s.Pause()
		if s.IsPaused() || s.ReadableFlowing() != socket.FlowingNull {
			t.Errorf("after Pause on a destroyed socket: isPaused %v, flowing %v; want false, null", s.IsPaused(), s.ReadableFlowing())
		}
		s.Resume()
		if s.ReadableFlowing() != socket.FlowingNull {
			t.Errorf("after Resume on a destroyed socket: flowing %v; want null", s.ReadableFlowing())
		}
	})
}

// Unref before Connect does not let Run return before the connection: the
// connect holds the loop whatever the socket's ref (a libuv request in
// Node), and the Unref applies to the connected socket, which then lets
// Run return.
func TestUnrefBeforeConnectStillConnects(t *testing.T) {
	l := newLoop(t)
	var ev events
	start(t, l, func() {
		listen(t, l, server.Options{}, func(c *socket.Socket) {
			c.Unref()
			c.Resume()
		}, func(srv *server.Server, port int) {
			srv.Unref()
			s, _ := socket.New(socket.Options{Loop: l})
			s.Unref()
			s.OnConnect(func() { ev.add("connect") })
			s.OnClose(func(bool) { ev.add("close") })
			if err := s.Connect(socket.ConnectOptions{Port: port, Host: "127.0.0.1"}, nil); err != nil {
				t.Error(err)
			}
		})
	})
	if ev.String() != "connect" {
		t.Errorf("events %s; want connect (and Run returning with the unrefed socket open)", ev)
	}
}

// A socket destroyed while its lookup is pending: the lookup still holds
// the loop until it answers (Node's process waits for its getaddrinfo). The
// lookup here waits for an unrefed timer of the loop, so a loop that is not
// held returns before the answer.
func TestPendingLookupHoldsLoop(t *testing.T) {
	l := newLoop(t)
	release := make(chan struct{})
	var answered atomic.Bool
	lookup := func(host string, o socket.LookupOptions) ([]socket.LookupAddress, error) {
		<-release
		answered.Store(true)
		return []socket.LookupAddress{{Address: "127.0.0.1", Family: 4}}, nil
	}
	err := l.Main(func() {
		s, err := socket.Connect(socket.ConnectOptions{Loop: l, Port: 9, Host: "slow.example", Lookup: lookup}, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.Destroy(nil)
		l.SetTimeout(20*time.Millisecond, func() { close(release) }).Unref()
	})
	if err != nil {
		t.Fatal(err)
	}
	if !answered.Load() {
		close(release)
		t.Error("Run returned while the destroyed socket's lookup was still pending")
	}
}

// Writes made while connecting go out from a 'connect' listener of the
// socket's own, added by the first of them, as in Node 26 (each case's
// trace is what Node printed for the twin script):
//   - written before the user's listener was added: the first write's
//     callback runs before that listener, the rest on the next tick;
//   - a 'connect' listener added before the writes destroys the socket:
//     the writes fail with ERR_SOCKET_CLOSED and bytesWritten is 0 at close;
//   - destroyed while connecting: ERR_SOCKET_CLOSED_BEFORE_CONNECTION, and
//     bytesWritten keeps the first write only (Node's _pendingData).
func TestWritesQueuedWhileConnecting(t *testing.T) {
	cases := []struct {
		name string
		run  func(l *socket.Socket, ev *events)
		want string
	}{
		{"listener after the writes", func(s *socket.Socket, ev *events) {
			s.Send([]byte("hello"), func(err error) { ev.add("w1 " + errString(err)) })
			s.Send([]byte("world"), func(err error) { ev.add("w2 " + errString(err)) })
			s.OnConnect(func() { ev.add("connect " + itoa(int(s.BytesWritten())) + " " + itoa(s.WritableLength())) })
			s.OnReady(func() { ev.add("ready") })
			s.End(nil, nil)
		}, "w1 null,connect 10 0,ready,w2 null,close 10"},
		{"destroyed by an earlier connect listener", func(s *socket.Socket, ev *events) {
			s.OnConnect(func() {
				s.Destroy(nil)
				ev.add("destroyed " + itoa(int(s.BytesWritten())))
			})
			s.Send([]byte("hello"), func(err error) { ev.add("w1 " + errString(err)) })
			s.Send([]byte("world!"), func(err error) { ev.add("w2 " + errString(err)) })
			s.OnReady(func() { ev.add("ready") })
		}, "destroyed 11,w1 ERR_SOCKET_CLOSED,w2 ERR_SOCKET_CLOSED,ready,close 0"},
		{"destroyed while connecting", func(s *socket.Socket, ev *events) {
			s.Send([]byte("hello"), func(err error) { ev.add("w1 " + errString(err)) })
			s.Send([]byte("world!"), func(err error) { ev.add("w2 " + errString(err)) })
			s.Destroy(nil)
			ev.add("destroyed " + itoa(int(s.BytesWritten())))
		}, "destroyed 11,w1 ERR_SOCKET_CLOSED_BEFORE_CONNECTION,w2 ERR_SOCKET_CLOSED_BEFORE_CONNECTION,close 5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := newLoop(t)
			var ev events
			start(t, l, func() {
				listen(t, l, server.Options{}, func(c *socket.Socket) {
					c.Resume()
					c.OnEnd(func() { c.End(nil, nil) })
				}, func(srv *server.Server, port int) {
					s, _ := socket.ConnectTCP(l, port, "127.0.0.1", nil)
					c.run(s, &ev)
					s.OnClose(func(bool) { ev.add("close " + itoa(int(s.BytesWritten()))); srv.Close(nil) })
				})
			})
			if ev.String() != c.want {
				t.Errorf("events %s\n\twant %s", ev, c.want)
			}
		})
	}
}
