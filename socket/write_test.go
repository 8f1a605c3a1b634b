//go:build linux || windows

package socket_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// smallBuffers shrinks the kernel's buffers of a connected socket (loop
// goroutine only) so backpressure shows after kilobytes, not megabytes.
func smallBuffers(s *socket.Socket, n int) {
	if fd := s.FD(); fd != sysnet.Invalid {
		setBufSizes(fd, n)
	}
}

// NC-033: latin1 round-trips all 256 byte values. Data listeners receive
// the decoded text as UTF-8; SendString(…, "latin1") encodes it back.
func TestNC033_Latin1RoundTrip(t *testing.T) {
	l := newLoop(t)
	var received []rune
	start(t, l, func() {
		var srv *server.Server
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
			if err := c.SetEncoding("latin1"); err != nil {
				t.Error(err)
			}
			c.OnData(func(b []byte) {
				if _, err := c.SendString(string(b), "latin1", nil); err != nil {
					t.Error(err)
				}
			})
			c.OnEnd(func() { c.End(nil, nil) })
		}, func(_ *server.Server, port int) {
			var s *socket.Socket
			var all strings.Builder
			for i := 255; i >= 0; i-- {
				all.WriteRune(rune(i))
			}
			s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() {
				_, _ = s.SendString(all.String(), "binary", nil)
			})
			_ = s.SetEncoding("latin1")
			next := 0
			s.OnData(func(b []byte) {
				for _, r := range string(b) {
					received = append(received, r)
					if next < 256 {
						s.Send([]byte{byte(next)}, nil)
						if next++; next == 256 {
							s.End(nil, nil)
						}
					}
				}
			})
			s.OnClose(func(bool) { srv.Close(nil) })
		})
	})
	if len(received) != 512 {
		t.Fatalf("received %d chars, want 512", len(received))
	}
	for i := 0; i < 256; i++ {
		if received[255-i] != received[256+i] || received[256+i] != rune(i) {
			t.Fatalf("char %d: %d vs %d", i, received[255-i], received[256+i])
		}
	}
}

// NC-034: 40960 'あ' sent with encoding "UTF-8" arrive as 40960 characters,
// no data event splitting one.
func TestNC034_UTF8NotSplit(t *testing.T) {
	l := newLoop(t)
	count := 0
	split := false
	start(t, l, func() {
		var srv *server.Server
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
			_ = c.SetEncoding("UTF-8")
			c.OnData(func(b []byte) {
				split = split || !utf8.Valid(b)
				count += utf8.RuneCount(b)
			})
			c.OnClose(func(bool) { srv.Close(nil) })
		}, func(_ *server.Server, port int) {
			s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, nil)
			if _, err := s.SendString(strings.Repeat("あ", 40960), "UTF-8", nil); err != nil {
				t.Error(err)
			}
			s.End(nil, nil)
		})
	})
	if count != 40960 || split {
		t.Fatalf("counted %d characters (split %v)", count, split)
	}
}

// NC-035: ping-pong invariants over a Unix path, TCP on 127.0.0.1 and ::1.
func TestNC035_PingPong(t *testing.T) {
	const N = 1000
	targets := map[string]server.ListenOptions{
		"tcp4": {Host: "127.0.0.1"},
	}
	if haveUnixSockets {
		targets["unix"] = server.ListenOptions{Path: filepath.Join(t.TempDir(), "pp.sock")}
	}
	if hasIPv6() {
		targets["tcp6"] = server.ListenOptions{Host: "::1"}
	}
	for name, lo := range targets {
		t.Run(name, func(t *testing.T) {
			l := newLoop(t)
			var bad []string
			check := func(what string, ok bool) {
				if !ok && len(bad) < 10 {
					bad = append(bad, what)
				}
			}
			srvData, srvCbs, cliData := 0, 0, 0
			srvEnd, srvClose, cliClose, srvClosed := false, false, false, false
			start(t, l, func() {
				srv, _ := server.New(server.Options{Loop: l, StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}, func(c *socket.Socket) {
					c.SetNoDelay(true)
					_ = c.SetEncoding("utf8")
					c.OnData(func(b []byte) {
						srvData++
						check("server data PING", string(b) == "PING")
						check("server readable/writable", c.Readable() && c.Writable())
						check("server bufferSize 0..4", c.BufferSize() >= 0 && c.BufferSize() <= 4)
						c.Send([]byte("PONG"), func(err error) {
							check("PONG write cb", err == nil)
							srvCbs++
						})
					})
					c.OnEnd(func() {
						srvEnd = true
						check("server end: allowHalfOpen", c.AllowHalfOpen())
						check("server end: writable", c.Writable())
						check("server end: not readable", !c.Readable())
						c.End(nil, nil)
					})
					c.OnClose(func(bool) {
						srvClose = true
						check("server close: neither", !c.Readable() && !c.Writable())
					})
					c.OnError(func(err error) { t.Error(err) })
				})
				srv.OnClose(func() { srvClosed = true })
				srv.OnError(func(err error) { t.Error(err) })
				_ = srv.Listen(lo, func() {
					o := socket.ConnectOptions{Loop: l, Path: lo.Path}
					if lo.Path == "" {
						a, _ := srv.AddressInfo()
						o.Host, o.Port = a.Address, a.Port
					}
					var s *socket.Socket
					s, _ = socket.Connect(o, func() {
						check("client connect: readable & writable", s.Readable() && s.Writable())
						s.Send([]byte("PING"), nil)
					})
					_ = s.SetEncoding("ascii")
					finalSent := false
					s.OnData(func(b []byte) {
						check("client data PONG", string(b) == "PONG")
						cliData++
						if finalSent {
							check("after end: writable false, readable true", !s.Writable() && s.Readable())
							return
						}
						s.Send([]byte("PING"), nil)
						if cliData == N {
							finalSent = true
							s.End(nil, nil)
						}
					})
					s.OnError(func(err error) { t.Error(err) })
					s.OnClose(func(bool) {
						cliClose = true
						srv.Close(nil)
					})
				})
			})
			if len(bad) > 0 {
				t.Fatalf("failed: %v", bad)
			}
			if srvData != N+1 || srvCbs != N+1 || cliData != N+1 || !srvEnd || !srvClose || !cliClose || !srvClosed {
				t.Fatalf("server data %d cbs %d, client data %d, end %v close %v/%v server close %v",
					srvData, srvCbs, cliData, srvEnd, srvClose, cliClose, srvClosed)
			}
		})
	}
}

// NC-038: backpressure. Send returns false, nothing is lost, and 'drain'
// resumes the writer. The client's pauses are paced with loop timers; the
// test waits on events only.
func TestNC038_BackpressureDrain(t *testing.T) {
	t.Run("throttle", func(t *testing.T) {
		l := newLoop(t)
		total, got, pauses := 0, 0, 0
		dataWhilePaused := false
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
				smallBuffers(c, 65536)
				chunk := bytes.Repeat([]byte("x"), 1024)
				extra := 0
				for extra < 2 {
					total += len(chunk)
					if !c.Send(chunk, nil) || extra > 0 {
						extra++
					}
					if c.BufferSize() < 0 || c.WritableLength() > total {
						t.Errorf("bufferSize %d writableLength %d total %d", c.BufferSize(), c.WritableLength(), total)
					}
				}
				c.End(nil, nil)
			}, func(_ *server.Server, port int) {
				var s *socket.Socket
				s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() { smallBuffers(s, 65536) })
				paused := false
				s.OnData(func(b []byte) {
					if paused {
						dataWhilePaused = true
					}
					got += len(b)
					paused = true
					pauses++
					s.Pause()
					l.SetTimeout(2*time.Millisecond, func() { paused = false; s.Resume() })
				})
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
		if got != total || pauses < 2 || dataWhilePaused {
			t.Fatalf("received %d of %d bytes, %d pauses, data while paused %v", got, total, pauses, dataWhilePaused)
		}
	})
	t.Run("write-slow", func(t *testing.T) {
		l := newLoop(t)
		cbs, got := 0, 0
		ended := false
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
				// Not smaller: with a few KiB windows a paused reader's
				// window updates wait for the persist timer (gVisor: ~170 ms
				// per read), which tests TCP, not nodenet.
				smallBuffers(c, 65536)
				for i := 0; i < 10; i++ {
					c.Send(make([]byte, 200000), func(err error) {
						if err != nil {
							t.Error(err)
						}
						cbs++
					})
				}
				c.End(nil, nil)
			}, func(_ *server.Server, port int) {
				var s *socket.Socket
				s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() { smallBuffers(s, 65536) })
				s.OnData(func(b []byte) {
					got += len(b)
					s.Pause()
					l.SetTimeout(time.Millisecond, func() { s.Resume() })
				})
				s.OnEnd(func() { ended = true })
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
		if cbs != 10 || got != 2000000 || !ended {
			t.Fatalf("%d callbacks, %d bytes, end %v", cbs, got, ended)
		}
	})
	t.Run("write-until-false", func(t *testing.T) {
		for _, hex := range []bool{false, true} {
			l := newLoop(t)
			rounds, drains := 0, 0
			start(t, l, func() {
				var srv *server.Server
				srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
					smallBuffers(c, 65536)
					c.Resume()
				}, func(_ *server.Server, port int) {
					var s *socket.Socket
					// Each Send is 1.5 times the high-water mark and the
					// kernel buffers are small, so a round is one to three
					// Sends (true while the kernel takes them, then false):
					// 20 rounds move ~3 MB per mode. 1 MiB Sends into autotuned
					// loopback buffers moved ~36 MB, and took 8 s a run
					// under -race at load 17 against the 60 s guard.
					big := make([]byte, 96<<10)
					hexStr := strings.Repeat("ab", 96<<10) // 192 KB of hex: 96 KiB of bytes
					var round func()
					round = func() {
						if rounds == 0 {
							smallBuffers(s, 65536)
						}
						rounds++
						for {
							var ok bool
							if hex {
								ok, _ = s.SendString(hexStr, "hex", nil)
							} else {
								ok = s.Send(big, nil)
							}
							if !ok {
								break
							}
						}
					}
					s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, round)
					s.OnDrain(func() {
						drains++
						if rounds < 20 {
							round()
							return
						}
						s.End(nil, nil)
					})
					s.OnClose(func(bool) { srv.Close(nil) })
				})
			})
			if rounds != 20 || drains != 20 {
				t.Fatalf("hex %v: %d rounds, %d drains", hex, rounds, drains)
			}
		}
	})
}

// NC-040: a write on a destroyed socket fails through its callback only.
func TestNC040_WriteAfterDestroyCallbackOnly(t *testing.T) {
	l := newLoop(t)
	var cbErr error
	cbInsideSend, errorEvents := false, 0
	var ret bool
	var ioErr error
	start(t, l, func() {
		var srv *server.Server
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(_ *server.Server, port int) {
			var s *socket.Socket
			s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() {
				s.Destroy(nil)
				inSend := true
				ret = s.Send([]byte("x"), func(err error) { cbErr = err; cbInsideSend = inSend })
				inSend = false
				_, ioErr = s.Write([]byte("y"))
			})
			s.OnError(func(error) { errorEvents++ })
			s.OnClose(func(bool) { srv.Close(nil) })
		})
	})
	e := nerr(t, cbErr)
	if ret || cbInsideSend || errorEvents != 0 || e.Code != nodenet.CodeStreamDestroyed || e.Message != "Cannot call write after a stream was destroyed" {
		t.Fatalf("Send=%v cb %v (sync %v), %d error events", ret, cbErr, cbInsideSend, errorEvents)
	}
	if !errors.Is(ioErr, nodenet.ErrStreamDestroyed) {
		t.Fatalf("io.Writer after destroy: %v", ioErr)
	}
}

// NC-041: a write queued while connecting hears
// ERR_SOCKET_CLOSED_BEFORE_CONNECTION when the socket is destroyed first.
func TestNC041_PendingWriteDestroyedBeforeConnect(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "localhost"} {
		l := newLoop(t)
		var cbErr error
		connected, errorEvents, closes := false, 0, 0
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(_ *server.Server, port int) {
				s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: host}, func() { connected = true })
				s.Send([]byte("foo"), func(err error) { cbErr = err })
				s.Destroy(nil)
				s.OnError(func(error) { errorEvents++ })
				s.OnClose(func(bool) { closes++; srv.Close(nil) })
			})
		})
		if connected || errorEvents != 0 || closes != 1 || code(cbErr) != nodenet.CodeSocketClosedBeforeConnection {
			t.Fatalf("%s: connected %v, %d errors, %d closes, cb %v", host, connected, errorEvents, closes, cbErr)
		}
	}
}

// NC-042: writing after both sides ended (not half-open) is EPIPE,
// reported to the callback and as an 'error' on a later tick.
func TestNC042_WriteAfterBothEndedEPIPE(t *testing.T) {
	t.Run("client", func(t *testing.T) {
		l := newLoop(t)
		var cbErr, evErr error
		ret := true
		errDuringSend := false
		hadError := false
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(_ *server.Server, port int) {
				var s *socket.Socket
				inSend := false
				s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() { s.End(nil, nil) })
				s.OnEnd(func() {
					inSend = true
					ret = s.Send([]byte("hello"), func(err error) { cbErr = err })
					inSend = false
				})
				s.OnData(func([]byte) {})
				s.OnError(func(err error) { evErr = err; errDuringSend = inSend })
				s.OnClose(func(he bool) { hadError = he; srv.Close(nil) })
			})
		})
		e := nerr(t, cbErr)
		if ret || e.Code != "EPIPE" || e.Message != "This socket has been ended by the other party" || !errors.Is(cbErr, errPipe) {
			t.Fatalf("Send=%v cb %+v", ret, e)
		}
		if evErr == nil || errDuringSend || code(evErr) != "EPIPE" || !hadError {
			t.Fatalf("error event %v (during Send %v), close hadError %v", evErr, errDuringSend, hadError)
		}
	})
	t.Run("server", func(t *testing.T) {
		l := newLoop(t)
		var srvGot, cliGot string
		var cbErr error
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
				c.OnData(func(b []byte) { srvGot += string(b) })
				c.OnEnd(func() {
					l.SetImmediate(func() {
						c.Send([]byte("bye"), func(err error) { cbErr = err })
						c.End(nil, nil)
					})
				})
				c.OnError(func(error) {})
			}, func(_ *server.Server, port int) {
				var s *socket.Socket
				s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() {
					s.Send([]byte("hello1"), nil)
					s.Send([]byte("hello2"), nil)
					s.Send([]byte("hello3\n"), nil)
					s.End([]byte("THUNDERMUSCLE!"), nil)
				})
				s.OnData(func(b []byte) { cliGot += string(b) })
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
		if code(cbErr) != "EPIPE" || cbErr.Error() == "write after end" {
			t.Fatalf("cb %v", cbErr)
		}
		if srvGot != "hello1hello2hello3\nTHUNDERMUSCLE!" || cliGot != "" {
			t.Fatalf("server got %q, client got %q", srvGot, cliGot)
		}
	})
}

// NC-043: writing to an accepted socket that auto-ended and was destroyed
// fails through the callback (EPIPE, Node 26) with no 'error' event.
func TestNC043_WriteToGonePeer(t *testing.T) {
	l := newLoop(t)
	var cbErr error
	srvErrors := 0
	start(t, l, func() {
		var srv *server.Server
		var accepted *socket.Socket
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
			accepted = c
			c.Resume()
			c.OnError(func(error) { srvErrors++ })
		}, func(_ *server.Server, port int) {
			var s *socket.Socket
			s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() { s.End(nil, nil) })
			s.OnData(func([]byte) {})
			s.OnEnd(func() {
				accepted.Send([]byte("late"), func(err error) { cbErr = err })
			})
			s.OnClose(func(bool) { srv.Close(nil) })
		})
	})
	if cbErr == nil || srvErrors != 0 {
		t.Fatalf("cb %v, %d server errors", cbErr, srvErrors)
	}
	if e := nerr(t, cbErr); e.Code != "EPIPE" || e.Message != "This socket has been ended by the other party" {
		t.Fatalf("cb %+v", e)
	}
}

// NC-079: BufferSize counts queued bytes (Node counts UTF-16 units of
// strings; nodenet counts bytes, the same for ASCII).
func TestNC079_BufferSizeCountsQueued(t *testing.T) {
	l := newLoop(t)
	var sizes []int
	atFinish := -1
	start(t, l, func() {
		var srv *server.Server
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(_ *server.Server, port int) {
			s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, nil)
			for i := 1; i <= 9; i++ {
				_, _ = s.SendString("a", "", nil)
				sizes = append(sizes, s.BufferSize())
			}
			s.End(nil, nil)
			s.OnFinish(func() { atFinish = s.BufferSize() })
			s.OnClose(func(bool) { srv.Close(nil) })
		})
	})
	for i, n := range sizes {
		if n != i+1 {
			t.Fatalf("after write %d bufferSize %d (all: %v)", i+1, n, sizes)
		}
	}
	if atFinish != 0 {
		t.Fatalf("bufferSize at finish %d", atFinish)
	}
}

// NC-081: byte counters restart for each connection of the same Socket.
func TestNC081_CountersPerConnection(t *testing.T) {
	l := newLoop(t)
	var written, read int64
	start(t, l, func() {
		var srv *server.Server
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
			c.Resume()
			c.OnEnd(func() { read += c.BytesRead() })
		}, func(_ *server.Server, port int) {
			s, _ := socket.New(socket.Options{Loop: l})
			connect := func() {
				_ = s.Connect(socket.ConnectOptions{Port: port, Host: "127.0.0.1"}, func() {
					s.Send([]byte("foo"), func(error) { s.End([]byte("bar"), nil) })
				})
			}
			s.OnFinish(func() { written += s.BytesWritten() })
			n := 0
			s.OnClose(func(bool) {
				if n++; n == 1 {
					connect()
					return
				}
				srv.Close(nil)
			})
			s.Resume()
			connect()
		})
	})
	if written != 12 || read != 12 {
		t.Fatalf("bytesWritten sum %d, bytesRead sum %d; want 12, 12", written, read)
	}
}

// NC-082: BytesWritten counts bytes handed to Send/End at call time, once.
func TestNC082_BytesWrittenImmediate(t *testing.T) {
	const N = 10_000_000
	t.Run("end-large", func(t *testing.T) {
		l := newLoop(t)
		var sync, inCb, peerRead int64
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
				c.Resume()
				c.OnClose(func(bool) { peerRead = c.BytesRead() })
			}, func(_ *server.Server, port int) {
				var s *socket.Socket
				s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() {
					s.End(make([]byte, N), func(error) { inCb = s.BytesWritten() })
					sync = s.BytesWritten()
				})
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
		if sync != N || inCb != N || peerRead != N {
			t.Fatalf("sync %d, in callback %d, peer read %d", sync, inCb, peerRead)
		}
	})
	t.Run("corked", func(t *testing.T) {
		l := newLoop(t)
		var a, b, inCb, peerRead int64
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
				c.Resume()
				c.OnClose(func(bool) { peerRead = c.BytesRead() })
			}, func(_ *server.Server, port int) {
				var s *socket.Socket
				s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() {
					s.Cork()
					_, _ = s.SendString(strings.Repeat("a", N), "", nil)
					a = s.BytesWritten()
					s.Send(make([]byte, N), nil)
					b = s.BytesWritten()
					s.End([]byte{}, func(error) { inCb = s.BytesWritten() })
				})
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
		if a != N || b != 2*N || inCb != 2*N || peerRead != 2*N {
			t.Fatalf("%d %d %d, peer read %d", a, b, inCb, peerRead)
		}
	})
	t.Run("before-connect", func(t *testing.T) {
		l := newLoop(t)
		var now, atConnect, atFinish, latin, afterEnd int64
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(_ *server.Server, port int) {
				s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, nil)
				s.Cork()
				_, _ = s.SendString("one", "", nil)
				s.Send([]byte("twø"), nil)
				s.Uncork()
				now = s.BytesWritten()
				s.OnConnect(func() { atConnect = s.BytesWritten() })
				s.OnFinish(func() { atFinish = s.BytesWritten() })
				s.OnClose(func(bool) {
					s2, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, nil)
					_, _ = s2.SendString("L'État, c'est ", "", func(error) { afterEnd = s2.BytesWritten() })
					latin = s2.BytesWritten()
					s2.End([]byte("moi"), nil)
					s2.OnClose(func(bool) { srv.Close(nil) })
				})
				s.End(nil, nil)
			})
		})
		if now != 7 || atConnect != 7 || atFinish != 7 {
			t.Fatalf("cork before connect: %d now, %d at connect, %d at finish; want 7", now, atConnect, atFinish)
		}
		if latin != 15 || afterEnd != 18 {
			t.Fatalf("while connecting: %d (want 15 UTF-8 bytes), %d in callback (want 18)", latin, afterEnd)
		}
	})
}

var _ = reactor.New
