package tls_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

// serverTrace runs a TLS server whose sockets record their events, lets
// client talk to it, and returns the trace of the first connection.
func serverTrace(t *testing.T, o nntls.ServerOptions, client func(port int)) []string {
	t.Helper()
	checkFDs(t)
	l := newLoop(t)
	var trace []string
	add := func(s string) { trace = append(trace, s) }
	l.Post(func() {
		listenTLS(t, l, o, func(s *nntls.TLSSocket) {
			add("secureConnection")
			s.OnData(func(b []byte) { add("data " + string(b)) })
			s.OnEnd(func() { add("end") })
			s.OnError(func(err error) { add("error " + code(err)) })
			s.OnClose(func(h bool) { add("close " + strconv.FormatBool(h)) })
		}, func(srv *nntls.Server, port int) {
			go func() {
				client(port)
				l.Post(func() { srv.Close(nil) })
			}()
		})
	})
	looptest.Run(t, l, hangGuard)
	return trace
}

// goTLS dials port with crypto/tls and returns the TLS and raw connections.
func goTLS(t *testing.T, port int) (*tls.Conn, *net.TCPConn) {
	raw, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Error(err)
		return nil, nil
	}
	c := tls.Client(raw, goClient(ecCert))
	if err := c.Handshake(); err != nil {
		t.Error(err)
	}
	return c, raw.(*net.TCPConn)
}

// How the end of the stream is reported, as Node 26 does: close_notify, a
// FIN without close_notify at a record boundary and even inside a record
// are all 'end' (no error); a record that fails to decrypt is an error.
func TestEndOfStream(t *testing.T) {
	cases := []struct {
		name  string
		after func(c *tls.Conn, raw *net.TCPConn)
		want  string
	}{
		{"close_notify", func(c *tls.Conn, raw *net.TCPConn) { c.CloseWrite() }, "secureConnection data hi end close false"},
		{"FIN without close_notify", func(c *tls.Conn, raw *net.TCPConn) { raw.CloseWrite() }, "secureConnection data hi end close false"},
		{"FIN inside a record", func(c *tls.Conn, raw *net.TCPConn) {
			raw.Write([]byte{0x17, 3, 3, 0, 0x20, 1, 2, 3})
			raw.CloseWrite()
		}, "secureConnection data hi end close false"},
		{"bad record MAC", func(c *tls.Conn, raw *net.TCPConn) {
			raw.Write(append([]byte{0x17, 3, 3, 0, 0x20}, make([]byte, 0x20)...))
		}, "secureConnection data hi error " + nntls.CodeBadRecordMAC + " close true"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := serverTrace(t, nntls.ServerOptions{}, func(port int) {
				c, raw := goTLS(t, port)
				if c == nil {
					return
				}
				defer raw.Close()
				c.Write([]byte("hi"))
				tc.after(c, raw)
				io.ReadAll(c)
			})
			if s := strings.Join(got, " "); s != tc.want {
				t.Fatalf("trace %q, want %q", s, tc.want)
			}
		})
	}
}

// Writes made before the handshake finishes are held, counted by
// BufferSize and BytesWritten (plaintext, as Node), answered with Node's
// return rule and 'drain', and sent in order once it is done; an End
// made then waits too.
func TestWritesBeforeSecure(t *testing.T) {
	port := goServer(t, serverConfig(ecCert.CertPEM, ecCert.KeyPEM), nil)
	l := newLoop(t)
	var got bytes.Buffer
	var want bytes.Buffer
	var events []string
	var first, second bool
	var bufAfter, written int64
	var cbErrs []error
	l.Post(func() {
		c, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
			Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, nil)
		if err != nil {
			t.Error(err)
			return
		}
		small := []byte("first;")
		// Past the high-water mark, so the held write returns false.
		big := bytes.Repeat([]byte("x"), socket.DefaultHighWaterMark+4000)
		want.Write(small)
		want.Write(big)
		first = c.Send(small, func(err error) { cbErrs = append(cbErrs, err) })
		second = c.Send(big, func(err error) { cbErrs = append(cbErrs, err) })
		bufAfter, written = int64(c.BufferSize()), c.BytesWritten()
		c.End(nil, nil)
		c.OnDrain(func() { events = append(events, "drain") })
		c.OnSecureConnect(func() { events = append(events, "secureConnect") })
		c.OnData(func(b []byte) { got.Write(b) })
		c.OnEnd(func() { events = append(events, "end") })
		c.OnClose(func(bool) { events = append(events, "close") })
	})
	looptest.Run(t, l, hangGuard)
	if n := int64(len("first;") + socket.DefaultHighWaterMark + 4000); !first || second || bufAfter != n || written != n {
		t.Fatalf("Send returned %v, %v; BufferSize %d BytesWritten %d", first, second, bufAfter, written)
	}
	if len(cbErrs) != 2 || cbErrs[0] != nil || cbErrs[1] != nil {
		t.Fatalf("write callbacks %v", cbErrs)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("echoed %d bytes, want %d", got.Len(), want.Len())
	}
	// No 'drain': End was called (Node's afterWrite emits none once ending).
	if s := strings.Join(events, " "); s != "secureConnect end close" {
		t.Fatalf("events %q", s)
	}
}

// Pause stops the plaintext too: what is decrypted waits, no 'data' and no
// 'end' come until Resume, and then everything in order.
func TestPauseResume(t *testing.T) {
	port := goServer(t, nil, func(c net.Conn) {
		tc := tls.Server(c, serverConfig(ecCert.CertPEM, ecCert.KeyPEM))
		for i := 0; i < 20; i++ {
			tc.Write(bytes.Repeat([]byte{byte('a' + i)}, 1000))
		}
		tc.CloseWrite()
		io.Copy(io.Discard, tc)
	})
	l := newLoop(t)
	var got bytes.Buffer
	var pausedData, pausedEnd bool
	var paused, ended bool
	l.Post(func() {
		c, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
			Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, nil)
		if err != nil {
			t.Error(err)
			return
		}
		c.OnData(func(b []byte) {
			if paused {
				pausedData = true
			}
			got.Write(b)
			if got.Len() == 1000 {
				paused = true
				c.Pause()
				// Resume after the loop has had every chance to deliver:
				// a timer of 0 runs after the pending I/O of this turn.
				l.SetTimeout(0, func() {
					l.SetImmediate(func() { paused = false; c.Resume() })
				})
			}
		})
		c.OnEnd(func() {
			if paused {
				pausedEnd = true
			}
			ended = true
		})
	})
	looptest.Run(t, l, hangGuard)
	var want bytes.Buffer
	for i := 0; i < 20; i++ {
		want.Write(bytes.Repeat([]byte{byte('a' + i)}, 1000))
	}
	if pausedData || pausedEnd || !ended || !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("data while paused %v, end while paused %v, ended %v, %d of %d bytes", pausedData, pausedEnd, ended, got.Len(), want.Len())
	}
}

// Backpressure through the layer: writing to a peer that does not read
// fills the queue (Send false, BufferSize up), and 'drain' follows once it
// reads; every byte arrives (SHA-256).
func TestBackpressure(t *testing.T) {
	const total = 8 << 20
	sums := make(chan [32]byte, 1)
	release := make(chan struct{})
	port := goServer(t, nil, func(c net.Conn) {
		c.(*net.TCPConn).SetReadBuffer(32 << 10) // so that the client's queue fills
		tc := tls.Server(c, serverConfig(ecCert.CertPEM, ecCert.KeyPEM))
		tc.Handshake()
		select { // read nothing until the client's queue has filled
		case <-release:
		case <-time.After(hangGuard):
		}
		h := sha256.New()
		io.CopyN(h, tc, total)
		var s [32]byte
		copy(s[:], h.Sum(nil))
		sums <- s
		tc.Write([]byte("done"))
		io.Copy(io.Discard, tc) // until the client's close_notify
	})
	l := newLoop(t)
	h := sha256.New()
	var sawFalse, drained, released bool
	var maxBuf int
	l.Post(func() {
		c, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
			Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, nil)
		if err != nil {
			t.Error(err)
			return
		}
		sent := 0
		chunk := make([]byte, 64<<10)
		var write func()
		write = func() {
			for sent < total {
				for i := range chunk {
					chunk[i] = byte(sent + i)
				}
				h.Write(chunk)
				sent += len(chunk)
				ok := c.Send(chunk, nil)
				maxBuf = max(maxBuf, c.BufferSize())
				if maxBuf >= 16<<10 && !released {
					released = true
					close(release)
				}
				if !ok {
					sawFalse = true
					return // wait for 'drain'
				}
			}
		}
		c.OnDrain(func() { drained = true; write() })
		c.OnSecureConnect(func() {
			// Bound what the kernel takes from the client: autotuned,
			// its send buffer grows to tcp_wmem's maximum (4 MB here,
			// more elsewhere), and the queue fills only past that.
			setSendBuffer(c.FD(), 64<<10)
			write()
		})
		c.OnData(func(b []byte) {
			if string(b) == "done" {
				c.End(nil, nil)
			}
		})
		c.OnError(func(err error) { t.Error(err) })
	})
	looptest.Run(t, l, hangGuard)
	var want [32]byte
	copy(want[:], h.Sum(nil))
	if got := <-sums; got != want || !sawFalse || !drained || maxBuf < 16<<10 {
		t.Fatalf("sha256 match %v, Send false %v, drain %v, max BufferSize %d", got == want, sawFalse, drained, maxBuf)
	}
}

// SetEncoding on a TLSSocket decodes the plaintext, keeping a character
// split across two records whole.
func TestSetEncoding(t *testing.T) {
	text := "héllo wörld ✓"
	b := []byte(text)
	cut := bytes.IndexRune(b, '✓') + 1 // inside the three-byte check mark
	port := goServer(t, nil, func(c net.Conn) {
		tc := tls.Server(c, serverConfig(ecCert.CertPEM, ecCert.KeyPEM))
		tc.Write(b[:cut]) // two records
		tc.Write(b[cut:])
		tc.CloseWrite()
		io.Copy(io.Discard, tc)
	})
	l := newLoop(t)
	var chunks []string
	l.Post(func() {
		c, _ := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
			Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, nil)
		c.SetEncoding("utf8")
		c.OnData(func(b []byte) { chunks = append(chunks, string(b)) })
	})
	looptest.Run(t, l, hangGuard)
	if strings.Join(chunks, "") != text {
		t.Fatalf("chunks %q", chunks)
	}
	for _, c := range chunks {
		if strings.ContainsRune(c, '\uFFFD') {
			t.Fatalf("a character was split: %q", chunks)
		}
	}
}

// Send and End from another goroutine go through the layer too.
func TestOffLoopWrites(t *testing.T) {
	got := serverTrace(t, nntls.ServerOptions{}, func(port int) {
		l := newLoop(t)
		var c *nntls.TLSSocket
		secure := make(chan struct{})
		l.Post(func() {
			var err error
			c, err = nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
				Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, func() { close(secure) })
			if err != nil {
				t.Error(err)
			}
		})
		wait := looptest.GoRun(t, l, hangGuard)
		<-secure
		c.Send([]byte("from another goroutine"), nil)
		c.End(nil, nil)
		wait()
	})
	if s := strings.Join(got, " "); s != "secureConnection data from another goroutine end close false" {
		t.Fatalf("trace %q", s)
	}
}

// STARTTLS over TCP: a plain exchange, then both sides upgrade the same
// sockets — the server with NewTLSSocket, the client with Connect{Socket}.
func TestStartTLS(t *testing.T) {
	l := newLoop(t)
	var serverGot, clientGot string
	var serverSecure bool
	l.Post(func() {
		srv, err := server.New(server.Options{Loop: l}, func(s *socket.Socket) {
			var buf string
			var dataID socket.ListenerID
			dataID = s.OnData(func(b []byte) {
				buf += string(b)
				if buf != "STARTTLS\r\n" {
					return
				}
				s.RemoveListener(dataID)
				s.Pause()
				s.Send([]byte("OK\r\n"), nil)
				ts, err := nntls.NewTLSSocket(s, nntls.TLSSocketOptions{IsServer: true,
					SecureContextOptions: nntls.SecureContextOptions{Key: ecCert.KeyPEM, Cert: ecCert.CertPEM}})
				if err != nil {
					t.Error(err)
					return
				}
				ts.OnSecure(func() {
					serverSecure = true
					ts.OnData(func(b []byte) { serverGot += string(b); ts.Send(b, nil) })
					ts.Resume()
				})
				ts.OnError(func(err error) { t.Errorf("server: %v", err) })
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
			a, _ := srv.AddressInfo()
			c, err := socket.ConnectTCP(l, a.Port, "127.0.0.1", func() {})
			if err != nil {
				t.Error(err)
				return
			}
			c.Send([]byte("STARTTLS\r\n"), nil)
			var reply string
			var id socket.ListenerID
			id = c.OnData(func(b []byte) {
				reply += string(b)
				if reply != "OK\r\n" {
					return
				}
				c.RemoveListener(id)
				tc, err := nntls.Connect(nntls.ConnectOptions{Socket: c, Servername: "localhost",
					SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, nil)
				if err != nil {
					t.Error(err)
					return
				}
				tc.OnSecureConnect(func() { tc.Send([]byte("secret"), nil) })
				tc.OnData(func(b []byte) {
					clientGot += string(b)
					if clientGot == "secret" {
						tc.End(nil, nil)
						srv.Close(nil)
					}
				})
				tc.OnError(func(err error) { t.Errorf("client: %v", err) })
			})
		})
	})
	looptest.Run(t, l, hangGuard)
	if !serverSecure || serverGot != "secret" || clientGot != "secret" {
		t.Fatalf("server secure %v got %q, client got %q", serverSecure, serverGot, clientGot)
	}
}

// Every listen form of net.Server and connect form of net.connect: a Unix
// socket path too.
func TestUnixPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tls.sock")
	l := newLoop(t)
	var got string
	l.Post(func() {
		srv, err := nntls.CreateServer(nntls.ServerOptions{Options: server.Options{Loop: l},
			SecureContextOptions: nntls.SecureContextOptions{Key: ecCert.KeyPEM, Cert: ecCert.CertPEM}},
			func(s *nntls.TLSSocket) { s.Pipe(s.Socket, nil) })
		if err != nil {
			t.Fatal(err)
		}
		srv.ListenUnix(path, func() {
			c, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Path: path},
				Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}},
				nil)
			if err != nil {
				t.Error(err)
				return
			}
			c.OnSecureConnect(func() { c.Send([]byte("over a path"), nil) })
			c.OnData(func(b []byte) { got += string(b); c.End(nil, nil); srv.Close(nil) })
			c.OnError(func(err error) { t.Error(err) })
		})
	})
	looptest.Run(t, l, hangGuard)
	if got != "over a path" {
		t.Fatalf("got %q", got)
	}
}

// A held write that returned false is followed by 'drain' once the
// handshake is done and the queue is empty.
func TestHeldWriteDrain(t *testing.T) {
	port := goServer(t, serverConfig(ecCert.CertPEM, ecCert.KeyPEM), nil)
	l := newLoop(t)
	var events []string
	var ok bool
	l.Post(func() {
		c, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
			Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, nil)
		if err != nil {
			t.Error(err)
			return
		}
		ok = c.Send(make([]byte, socket.DefaultHighWaterMark+4000), nil) // past the mark: false
		c.OnSecureConnect(func() { events = append(events, "secureConnect") })
		c.OnDrain(func() { events = append(events, "drain"); c.End(nil, nil) })
		c.OnData(func([]byte) {})
	})
	looptest.Run(t, l, hangGuard)
	if ok || strings.Join(events, " ") != "secureConnect drain" {
		t.Fatalf("Send %v, events %q", ok, events)
	}
}

// An upgraded socket is the TLSSocket: a Send through the *socket.Socket
// after NewTLSSocket is held until the handshake and then encrypted (Node
// writes its old net.Socket raw; docs/tls.md says so). Go's crypto/tls
// client reads the go-ahead sent before the upgrade in plaintext, then the
// later Send decrypted.
func TestUpgradeWritesAreEncrypted(t *testing.T) {
	l := newLoop(t)
	clientErr := make(chan error, 1)
	var got string
	l.Post(func() {
		var srv *server.Server
		srv, err := server.New(server.Options{Loop: l}, func(s *socket.Socket) {
			s.OnceData(func(b []byte) {
				s.Send([]byte("OK\n"), nil) // plaintext: before the upgrade
				ts, err := nntls.NewTLSSocket(s, nntls.TLSSocketOptions{IsServer: true,
					SecureContextOptions: nntls.SecureContextOptions{Key: ecCert.KeyPEM, Cert: ecCert.CertPEM}})
				if err != nil {
					t.Error(err)
					return
				}
				ts.OnError(func(err error) { t.Errorf("server: %v", err) })
				s.End([]byte("after the upgrade"), nil) // through the plain Socket: encrypted
				ts.OnClose(func(bool) { srv.Close(nil) })
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
			a, _ := srv.AddressInfo()
			go func() {
				clientErr <- func() error {
					c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(a.Port)))
					if err != nil {
						return err
					}
					defer c.Close()
					if _, err := c.Write([]byte("STARTTLS\n")); err != nil {
						return err
					}
					ok := make([]byte, 3)
					if _, err := io.ReadFull(c, ok); err != nil || string(ok) != "OK\n" {
						return fmt.Errorf("go-ahead %q, %v", ok, err)
					}
					tc := tls.Client(c, goClient(ecCert))
					b, err := io.ReadAll(tc)
					got = string(b)
					return err
				}()
			}()
		})
	})
	looptest.Run(t, l, hangGuard)
	if err := <-clientErr; err != nil {
		t.Fatal(err)
	}
	if got != "after the upgrade" {
		t.Fatalf("client read %q", got)
	}
}
