//go:build windows

package socket_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	"golang.org/x/sys/windows"
)

// IPC on Windows: named pipes (\\.\pipe\name, \\?\pipe\name) for
// server.Listen and socket.Connect. Nothing here measures time: Wine is
// slow and its timing is not Windows'.

func pipeName(t testing.TB, prefix string) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return prefix + "nodenet-test-" + hex.EncodeToString(b[:])
}

// listenPipe starts a server on path (on l's goroutine) and calls ready once
// it listens.
func listenPipe(t testing.TB, l *reactor.Loop, path string, o server.Options, onConn func(*socket.Socket), ready func(*server.Server)) *server.Server {
	t.Helper()
	o.Loop = l
	srv, err := server.New(o, onConn)
	if err != nil {
		t.Fatal(err)
	}
	srv.OnError(func(err error) { t.Errorf("server error: %v", err) })
	if err := srv.Listen(server.ListenOptions{Path: path}, func() { ready(srv) }); err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestPipeEchoBothWays: a server on a named pipe greets each client and
// echoes what it receives; the client checks both, ends, and both sides see
// Node's order of events. Both spellings of the pipe namespace, and forward
// slashes (Address keeps the caller's spelling).
func TestPipeEchoBothWays(t *testing.T) {
	for _, prefix := range []string{`\\.\pipe\`, `\\?\pipe\`, `//./pipe/`} {
		t.Run(strings.Trim(prefix, `\/`), func(t *testing.T) {
			l := newLoop(t)
			path := pipeName(t, prefix)
			var srvEv, cliEv events
			var got []byte
			var addr string
			var listeningBefore, listeningAfter bool
			start(t, l, func() {
				var srv *server.Server
				srv = listenPipe(t, l, path, server.Options{}, func(c *socket.Socket) {
					srvEv.add("connection")
					c.OnData(func(b []byte) {
						srvEv.add("data")
						c.Send(b, nil)
					})
					c.OnEnd(func() { srvEv.add("end") })
					c.OnFinish(func() { srvEv.add("finish") })
					c.OnError(func(err error) { t.Errorf("server socket error: %v", err) })
					c.OnClose(func(hadErr bool) {
						srvEv.add("close:" + boolStr(hadErr))
						srv.Close(nil)
						listeningAfter = srv.Listening()
					})
					c.Send([]byte("S:"), nil)
				}, func(srv *server.Server) {
					listeningBefore = srv.Listening()
					addr = srv.Address().String()
					cli, err := socket.Connect(socket.ConnectOptions{Path: path, Loop: l}, func() {
						cliEv.add("connect")
					})
					if err != nil {
						t.Fatal(err)
					}
					cli.OnReady(func() { cliEv.add("ready") })
					// Written before the connection exists: queued, then sent.
					cli.Send([]byte("hello over a pipe"), nil)
					cli.OnData(func(b []byte) {
						got = append(got, b...)
						if len(got) == len("S:hello over a pipe") {
							cliEv.add("data")
							cli.End(nil, nil)
						}
					})
					cli.OnEnd(func() { cliEv.add("end") })
					cli.OnFinish(func() { cliEv.add("finish") })
					cli.OnError(func(err error) { t.Errorf("client error: %v", err) })
					cli.OnClose(func(hadErr bool) { cliEv.add("close:" + boolStr(hadErr)) })
				})
			})
			if string(got) != "S:hello over a pipe" {
				t.Errorf("client got %q", got)
			}
			if addr != path {
				t.Errorf("Address() = %q, want %q", addr, path)
			}
			if !listeningBefore || listeningAfter {
				t.Errorf("Listening: %v while listening, %v after Close", listeningBefore, listeningAfter)
			}
			if want := "connect,ready,data,finish,end,close:false"; cliEv.String() != want {
				t.Errorf("client events %s, want %s", cliEv, want)
			}
			// The server's data events depend on how the bytes were split.
			se := strings.ReplaceAll(srvEv.String(), "data,", "")
			if want := "connection,end,finish,close:false"; se != want || !strings.Contains(srvEv.String(), "data") {
				t.Errorf("server events %s, want %s with data", srvEv, want)
			}
		})
	}
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// TestPipeConnectErrors: a pipe nobody serves is ENOENT, Node's message
// and fields, unwrapping to ERROR_FILE_NOT_FOUND, after
// 'connectionAttemptFailed'; a Path that is not in the
// pipe namespace is refused with EINVAL.
func TestPipeConnectErrors(t *testing.T) {
	missing := pipeName(t, `\\.\pipe\`)
	cases := []struct {
		path, code, msg string
		errno           error
	}{
		{missing, "ENOENT", `connect ENOENT ` + missing, windows.ERROR_FILE_NOT_FOUND},
		{`C:\nodenet-not-a-pipe`, "EINVAL", `connect EINVAL C:\nodenet-not-a-pipe`, windows.ERROR_INVALID_PARAMETER},
	}
	for _, c := range cases {
		l := newLoop(t)
		var gotErr error
		var ev events
		start(t, l, func() {
			cli, err := socket.Connect(socket.ConnectOptions{Path: c.path, Loop: l}, func() { ev.add("connect") })
			if err != nil {
				t.Fatal(err)
			}
			cli.OnConnectionAttemptFailed(func(address string, port, family int, err error) {
				ev.add("attemptFailed")
				if address != c.path || port != 0 || family != 0 {
					t.Errorf("%s: connectionAttemptFailed(%q, %d, %d)", c.path, address, port, family)
				}
			})
			cli.OnError(func(err error) { ev.add("error"); gotErr = err })
			cli.OnClose(func(hadErr bool) { ev.add("close:" + boolStr(hadErr)) })
		})
		// As for a Unix socket path: libuv reports the failure through the
		// connect callback, so 'connectionAttemptFailed' comes first; Node's
		// socket has a Pipe handle from connect() on, so closing it after
		// the failure carries hadError.
		if ev.String() != "attemptFailed,error,close:true" {
			t.Errorf("%s: events %s", c.path, ev)
		}
		if gotErr == nil {
			continue
		}
		e := nerr(t, gotErr)
		if e.Code != c.code || !strings.HasPrefix(e.Message, c.msg) || e.Syscall != "connect" || e.Address != c.path {
			t.Errorf("%s: error %+v (message %q)", c.path, e, e.Message)
		}
		if !errors.Is(gotErr, c.errno) {
			t.Errorf("%s: %v does not unwrap to %v", c.path, gotErr, c.errno)
		}
	}
}

// TestPipeListenErrors: a second server on a name in use is EADDRINUSE
// (the first instance is created with FILE_FLAG_FIRST_PIPE_INSTANCE, as
// libuv does); a Path outside the pipe namespace is refused with EINVAL.
// Wine 8.0 ignores FILE_FLAG_FIRST_PIPE_INSTANCE, so there the second
// server listens (and the test says so) instead of failing.
func TestPipeListenErrors(t *testing.T) {
	l := newLoop(t)
	path := pipeName(t, `\\.\pipe\`)
	var inUse, bad string
	start(t, l, func() {
		var first *server.Server
		first = listenPipe(t, l, path, server.Options{}, nil, func(*server.Server) {
			second, _ := server.New(server.Options{Loop: l}, nil)
			second.OnError(func(err error) {
				inUse = code(err)
				first.Close(nil)
			})
			_ = second.Listen(server.ListenOptions{Path: path}, func() {
				inUse = "listening"
				second.Close(nil)
				first.Close(nil)
			})
		})
		third, _ := server.New(server.Options{Loop: l}, nil)
		third.OnError(func(err error) { bad = code(err) })
		_ = third.Listen(server.ListenOptions{Path: `C:\nodenet-not-a-pipe`}, nil)
	})
	switch {
	case inUse == "listening" && isWine():
		t.Log("Wine ignores FILE_FLAG_FIRST_PIPE_INSTANCE: a second server listened on the same pipe name")
	case inUse != "EADDRINUSE":
		t.Errorf("second listen on a pipe name in use: %q, want EADDRINUSE", inUse)
	}
	if bad != "EINVAL" {
		t.Errorf("listen on a path that is not a pipe: %q, want EINVAL", bad)
	}
}

// TestPipeConcurrentClients: several clients at once (more than the server
// keeps instances waiting), each echoed its own bytes.
func TestPipeConcurrentClients(t *testing.T) {
	const clients = 12
	l := newLoop(t)
	path := pipeName(t, `\\.\pipe\`)
	got := make([][]byte, clients)
	want := make([][]byte, clients)
	closed := 0
	conns := 0
	start(t, l, func() {
		var srv *server.Server
		srv = listenPipe(t, l, path, server.Options{}, func(c *socket.Socket) {
			conns++
			c.OnData(func(b []byte) { c.Send(b, nil) })
			c.OnError(func(err error) { t.Errorf("server socket: %v", err) })
		}, func(*server.Server) {
			for i := 0; i < clients; i++ {
				i := i
				want[i] = bytes.Repeat([]byte{byte('a' + i)}, 10_000+i)
				cli, err := socket.Connect(socket.ConnectOptions{Path: path, Loop: l}, nil)
				if err != nil {
					t.Fatal(err)
				}
				cli.Send(want[i], nil)
				cli.OnData(func(b []byte) {
					got[i] = append(got[i], b...)
					if len(got[i]) == len(want[i]) {
						cli.End(nil, nil)
					}
				})
				cli.OnError(func(err error) { t.Errorf("client %d: %v", i, err) })
				cli.OnClose(func(bool) {
					closed++
					if closed == clients {
						srv.Close(nil)
					}
				})
			}
		})
	})
	if conns != clients || closed != clients {
		t.Errorf("%d connections, %d clients closed; want %d", conns, closed, clients)
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("client %d: got %d bytes, want %d of %q", i, len(got[i]), len(want[i]), want[i][0])
		}
	}
}

// TestPipeServerCloseWaitsForConnections: Close stops accepting at once but
// 'close' comes only after the last connection; then the pipe name is gone
// and a new Connect is ENOENT.
func TestPipeServerCloseWaitsForConnections(t *testing.T) {
	l := newLoop(t)
	path := pipeName(t, `\\.\pipe\`)
	var ev events
	var afterErr error
	start(t, l, func() {
		var clis []*socket.Socket
		var srv *server.Server
		srv = listenPipe(t, l, path, server.Options{}, func(c *socket.Socket) {
			ev.add("connection")
			c.OnClose(func(bool) { ev.add("conn-close") })
			if srv.Connections() == 2 {
				srv.Close(func(err error) {
					if err != nil {
						t.Errorf("close callback: %v", err)
					}
				})
				ev.add("close-called")
				// Let the clients go one after the other.
				clis[0].End(nil, nil)
				clis[0].OnClose(func(bool) { clis[1].End(nil, nil) })
			}
		}, func(srv *server.Server) {
			for i := 0; i < 2; i++ {
				cli, err := socket.Connect(socket.ConnectOptions{Path: path, Loop: l}, nil)
				if err != nil {
					t.Fatal(err)
				}
				cli.OnError(func(err error) { t.Errorf("client: %v", err) })
				clis = append(clis, cli)
			}
		})
		srv.OnClose(func() {
			ev.add("server-close")
			cli, err := socket.Connect(socket.ConnectOptions{Path: path, Loop: l}, func() { t.Error("connected after Close") })
			if err != nil {
				t.Fatal(err)
			}
			cli.OnError(func(err error) { afterErr = err })
		})
	})
	// Node's order: the server's 'close' is emitted (next tick) as soon as
	// its last connection is destroyed, before that socket's own 'close'
	// (which comes from the handle's close callback).
	if want := "connection,connection,close-called,conn-close,server-close,conn-close"; ev.String() != want {
		t.Errorf("events %s, want %s", ev, want)
	}
	if code(afterErr) != "ENOENT" {
		t.Errorf("connect after close: %v, want ENOENT", afterErr)
	}
}

// TestPipeLargeTransferBackpressure: 4 MiB through a pipe to a server that
// keeps pausing: the client writes only while Send says so and continues on
// 'drain'; every byte arrives in order.
func TestPipeLargeTransferBackpressure(t *testing.T) {
	const total = 4 << 20
	l := newLoop(t)
	path := pipeName(t, `\\.\pipe\`)
	payload := make([]byte, total)
	if _, err := rand.Read(payload); err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	received, drains, pauses, falses := 0, 0, 0, 0
	var srvEv events
	start(t, l, func() {
		var srv *server.Server
		srv = listenPipe(t, l, path, server.Options{}, func(c *socket.Socket) {
			c.OnData(func(b []byte) {
				h.Write(b)
				received += len(b)
				if received/(256<<10) != (received-len(b))/(256<<10) {
					// Stop reading for a moment every 256 KiB.
					pauses++
					c.Pause()
					l.SetTimeout(time.Millisecond, func() { c.Resume() })
				}
			})
			c.OnEnd(func() { srvEv.add("end") })
			c.OnClose(func(bool) { srvEv.add("close"); srv.Close(nil) })
			c.OnError(func(err error) { t.Errorf("server socket: %v", err) })
		}, func(*server.Server) {
			cli, err := socket.Connect(socket.ConnectOptions{Path: path, Loop: l}, nil)
			if err != nil {
				t.Fatal(err)
			}
			cli.OnError(func(err error) { t.Errorf("client: %v", err) })
			off := 0
			var pump func()
			pump = func() {
				for off < total {
					n := min(32<<10, total-off)
					ok := cli.Send(payload[off:off+n], nil)
					off += n
					if !ok {
						falses++
						return
					}
				}
				cli.End(nil, nil)
			}
			cli.OnDrain(func() { drains++; pump() })
			cli.OnConnect(pump)
		})
	})
	if received != total {
		t.Fatalf("server received %d bytes, want %d", received, total)
	}
	sum := sha256.Sum256(payload)
	if !bytes.Equal(h.Sum(nil), sum[:]) {
		t.Error("bytes differ (SHA-256)")
	}
	if drains == 0 || drains != falses {
		t.Errorf("%d drains for %d false Sends", drains, falses)
	}
	if pauses == 0 {
		t.Error("the server never paused")
	}
	if srvEv.String() != "end,close" {
		t.Errorf("server events %s", srvEv)
	}
}

// TestPipeMaxConnections: over maxConnections a client is dropped (its
// pipe closed: the client reads EOF) and 'drop' is emitted.
func TestPipeMaxConnections(t *testing.T) {
	l := newLoop(t)
	path := pipeName(t, `\\.\pipe\`)
	drops, conns := 0, 0
	var secondEv events
	start(t, l, func() {
		var srv *server.Server
		var first *socket.Socket
		srv = listenPipe(t, l, path, server.Options{}, func(c *socket.Socket) { conns++ }, func(*server.Server) {
			var err error
			first, err = socket.Connect(socket.ConnectOptions{Path: path, Loop: l}, func() {
				second, err := socket.Connect(socket.ConnectOptions{Path: path, Loop: l}, nil)
				if err != nil {
					t.Fatal(err)
				}
				second.OnData(func([]byte) {})
				second.OnEnd(func() { secondEv.add("end") })
				second.OnClose(func(bool) {
					secondEv.add("close")
					first.Destroy(nil)
					srv.Close(nil)
				})
			})
			if err != nil {
				t.Fatal(err)
			}
		})
		srv.SetMaxConnections(1)
		srv.OnDrop(func(server.DropInfo) { drops++ })
	})
	if conns != 1 || drops != 1 {
		t.Errorf("%d connections, %d drops; want 1 and 1", conns, drops)
	}
	if secondEv.String() != "end,close" {
		t.Errorf("dropped client events %s, want end,close", secondEv)
	}
}

// TestPipeDestroy: a client destroyed at once; the server side reads EOF and
// closes; Destroy in the middle of a pending read is safe.
func TestPipeDestroy(t *testing.T) {
	l := newLoop(t)
	path := pipeName(t, `\\.\pipe\`)
	var srvEv, cliEv events
	start(t, l, func() {
		var srv *server.Server
		srv = listenPipe(t, l, path, server.Options{}, func(c *socket.Socket) {
			c.OnData(func([]byte) { srvEv.add("data") })
			c.OnEnd(func() { srvEv.add("end") })
			c.OnClose(func(hadErr bool) { srvEv.add("close:" + boolStr(hadErr)); srv.Close(nil) })
		}, func(*server.Server) {
			var cli *socket.Socket
			cli, _ = socket.Connect(socket.ConnectOptions{Path: path, Loop: l}, func() {
				cli.Send([]byte("x"), func(err error) {
					cliEv.add("written")
					cli.Destroy(nil)
				})
			})
			cli.OnData(func([]byte) {})
			cli.OnClose(func(hadErr bool) { cliEv.add("close:" + boolStr(hadErr)) })
		})
	})
	if cliEv.String() != "written,close:false" {
		t.Errorf("client events %s", cliEv)
	}
	if srvEv.String() != "data,end,close:false" {
		t.Errorf("server events %s", srvEv)
	}
}

// TestPipeLoopStop: stopping a loop with a pipe server, a waiting instance
// and both ends of a connection open tears all of them down (each socket
// hears ErrLoopStopped) and Run returns; the pipe name is gone afterwards.
func TestPipeLoopStop(t *testing.T) {
	l := newLoop(t)
	path := pipeName(t, `\\.\pipe\`)
	var errs []string
	start(t, l, func() {
		listenPipe(t, l, path, server.Options{}, func(c *socket.Socket) {
			c.OnData(func([]byte) {})
			c.OnError(func(err error) { errs = append(errs, "server:"+code(err)) })
			l.Stop()
		}, func(*server.Server) {
			cli, err := socket.Connect(socket.ConnectOptions{Path: path, Loop: l}, nil)
			if err != nil {
				t.Fatal(err)
			}
			cli.OnData(func([]byte) {})
			cli.OnError(func(err error) { errs = append(errs, "client:"+code(err)) })
		})
	})
	<-l.Done()
	if len(errs) != 2 {
		t.Errorf("errors %v, want one per socket", errs)
	}
	// The name went with the last handle.
	name, _ := windows.UTF16PtrFromString(path)
	h, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING, 0, 0)
	if err == nil {
		windows.CloseHandle(h)
		t.Error("the pipe still exists after the loop stopped")
	} else if !errors.Is(err, windows.ERROR_FILE_NOT_FOUND) {
		t.Errorf("open after stop: %v, want ERROR_FILE_NOT_FOUND", err)
	}
}

// TestPipeListenBindsAtTheCall: a named-pipe Listen binds at the call, as
// the TCP and handle forms do: right after Listen returns — on the loop,
// or off it before the loop ever ran — Listening is true, Address is the
// pipe path, and the name is served (a client's CreateFile finds it);
// 'listening' follows and the client is a 'connection'. Off the loop the
// pipe used to be created by the loop: not listening, no Address, and
// CreateFile got ERROR_FILE_NOT_FOUND until the loop ran.
func TestPipeListenBindsAtTheCall(t *testing.T) {
	for _, where := range []string{"OnLoop", "OffLoopBeforeRun"} {
		t.Run(where, func(t *testing.T) {
			l := newLoop(t)
			path := pipeName(t, `\\.\pipe\`)
			var events []string
			var srv *server.Server
			srv, err := server.New(server.Options{Loop: l}, func(c *socket.Socket) {
				events = append(events, "connection")
				c.Destroy(nil)
				srv.Close(nil)
			})
			if err != nil {
				t.Fatal(err)
			}
			srv.OnError(func(err error) { t.Errorf("server error: %v", err) })
			var client windows.Handle = windows.InvalidHandle
			t.Cleanup(func() {
				if client != windows.InvalidHandle {
					windows.CloseHandle(client)
				}
			})
			listen := func() {
				if err := srv.Listen(server.ListenOptions{Path: path}, func() { events = append(events, "listening") }); err != nil {
					t.Error(err)
					return
				}
				if !srv.Listening() {
					t.Error("Listening false right after Listen")
				}
				if a, ok := srv.AddressInfo(); !ok || a.Address != path || a.Family != "unix" {
					t.Errorf("AddressInfo %+v, %v right after Listen; want the path", a, ok)
				}
				name, _ := windows.UTF16PtrFromString(path)
				h, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING, 0, 0)
				if err != nil {
					t.Errorf("CreateFile right after Listen: %v", err)
					srv.Close(nil)
					return
				}
				client = h
			}
			if where == "OnLoop" {
				start(t, l, listen)
			} else {
				listen()
				run(t, l)
			}
			if got := strings.Join(events, ","); got != "listening,connection" && got != "connection,listening" {
				t.Errorf("events %q, want listening and connection", got)
			}
		})
	}
}
