package tls_test

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/internal/tlstest"
	nntls "github.com/nodenet/nodenet/tls"
)

// clientHello captures the first flight of Go's crypto/tls client.
func clientHello(t testing.TB) []byte {
	t.Helper()
	a, b := net.Pipe()
	done := make(chan []byte)
	go func() {
		buf := make([]byte, 4096)
		n, _ := io.ReadAtLeast(b, buf, 5)
		need := 5 + (int(buf[3])<<8 | int(buf[4]))
		for n < need {
			m, err := b.Read(buf[n:])
			if err != nil {
				break
			}
			n += m
		}
		b.Close()
		done <- buf[:n]
	}()
	go tls.Client(a, &tls.Config{ServerName: "localhost"}).Handshake()
	hello := <-done
	a.Close()
	return hello
}

// badRun serves o on a loop, runs bad against it, then a healthy client,
// and reports every 'tlsClientError' and 'secureConnection'. The server
// must survive bad and serve the healthy client.
type badResult struct {
	errs    []error
	secure  int
	closeHE []bool // the failed sockets' close(hadError)
}

func badRun(t *testing.T, o nntls.ServerOptions, bad func(port int)) badResult {
	return badRunWith(t, o, bad, func(port int) error { return echoClient(port, tls.VersionTLS13, 3, 100) })
}

func badRunWith(t *testing.T, o nntls.ServerOptions, bad func(port int), good func(port int) error) badResult {
	t.Helper()
	checkFDs(t)
	l := newLoop(t)
	var r badResult
	var mu sync.Mutex
	healthy := make(chan error, 1)
	l.Post(func() {
		srv := listenTLS(t, l, o, func(s *nntls.TLSSocket) {
			r.secure++
			s.Pipe(s.Socket, nil)
		}, func(srv *nntls.Server, port int) {
			go func() {
				bad(port)
				healthy <- good(port)
				l.Post(func() { srv.Close(nil) })
			}()
		})
		srv.OnTLSClientError(func(err error, s *nntls.TLSSocket) {
			mu.Lock()
			r.errs = append(r.errs, err)
			mu.Unlock()
			s.OnClose(func(hadErr bool) { r.closeHE = append(r.closeHE, hadErr) })
		})
	})
	looptest.Run(t, l, hangGuard)
	if err := <-healthy; err != nil {
		t.Fatalf("a healthy client after the bad one: %v", err)
	}
	return r
}

// checkFDs makes the test fail if it ends with more open descriptors than
// it started with (registered before the loop, it runs after its cleanup).
func checkFDs(t testing.TB) {
	before := openFDs(t)
	t.Cleanup(func() {
		if n := openFDs(t); n != before {
			t.Errorf("open descriptors: %d before, %d after", before, n)
		}
	})
}

func openFDs(t testing.TB) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// rawSend connects, writes b (then a FIN if fin), and reads until the
// server closes.
func rawSend(port int, b []byte, fin bool) []byte {
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return nil
	}
	defer c.Close()
	c.Write(b)
	if fin {
		c.(*net.TCPConn).CloseWrite()
	}
	got, _ := io.ReadAll(c)
	return got
}

func TestBadInputBeforeTheHandshake(t *testing.T) {
	hello := clientHello(t)
	isRecordHeader := func(err error) bool {
		var rh tls.RecordHeaderError
		return errors.As(err, &rh)
	}
	isEOF := func(err error) bool { return errors.Is(err, io.EOF) }
	cases := []struct {
		name   string
		send   []byte
		fin    bool
		code   string
		unwrap func(error) bool
	}{
		{"plaintext HTTP", []byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"), false, nntls.CodeHTTPRequest, isRecordHeader},
		{"garbage", []byte{1, 2, 3, 4, 5, 6, 7, 8}, false, nntls.CodeWrongVersionNumber, isRecordHeader},
		{"oversized record", []byte{0x16, 3, 1, 0xff, 0xff}, false, nntls.CodeDataLengthTooLong, isRecordHeader},
		{"truncated ClientHello", hello[:len(hello)/2], true, "ECONNRESET", isEOF},
		{"FIN before anything", nil, true, "ECONNRESET", isEOF},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := badRun(t, nntls.ServerOptions{}, func(port int) { rawSend(port, tc.send, tc.fin) })
			if len(r.errs) != 1 || code(r.errs[0]) != tc.code || !tc.unwrap(r.errs[0]) {
				t.Fatalf("tlsClientError %v, want one %s", r.errs, tc.code)
			}
			if r.secure != 1 { // the healthy client only
				t.Fatalf("%d secureConnection, want 1", r.secure)
			}
			if tc.code == "ECONNRESET" && r.errs[0].Error() != "socket hang up" {
				t.Fatalf("message %q", r.errs[0].Error())
			}
		})
	}
}

// A client that stops mid-handshake — inside its ClientHello (no goroutine
// held) or after it (a handshake goroutine waits for its Finished) — gets
// ERR_TLS_HANDSHAKE_TIMEOUT, and the socket closes without an error.
func TestHandshakeTimeout(t *testing.T) {
	hello := clientHello(t)
	for _, tc := range []struct {
		name string
		stop func(c net.Conn)
	}{
		{"inside the ClientHello", func(c net.Conn) { c.Write(hello[:10]) }},
		{"after the ClientHello", func(c net.Conn) {
			go stallHandshake(c)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := badRun(t, nntls.ServerOptions{HandshakeTimeout: 200 * time.Millisecond}, func(port int) {
				c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
				if err != nil {
					return
				}
				defer c.Close()
				tc.stop(c)
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						return // the server gave up on us
					}
				}
			})
			if len(r.errs) != 1 || code(r.errs[0]) != nntls.CodeHandshakeTimeout || r.errs[0].Error() != "TLS handshake timeout" {
				t.Fatalf("tlsClientError %v", r.errs)
			}
			if len(r.closeHE) != 1 || r.closeHE[0] {
				t.Fatalf("close(hadError) %v, want [false]", r.closeHE)
			}
		})
	}
}

// stallHandshake is a real client whose reads never return: it sends its
// ClientHello on c and waits for ever for the server's flight, so the
// server's handshake goroutine waits with it. It returns once c is closed.
func stallHandshake(c net.Conn) {
	tls.Client(stalled{c}, &tls.Config{ServerName: "localhost", InsecureSkipVerify: true}).Handshake()
}

// dialStalled connects n clients to port that run stallHandshake, each in a
// goroutine counted in wg: each holds a server handshake goroutine until its
// connection, returned in dial order, is closed.
func dialStalled(t *testing.T, port, n int, wg *sync.WaitGroup) []net.Conn {
	t.Helper()
	var cs []net.Conn
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			// Those already stalled would hold the caller's wg.Wait.
			for _, c := range cs {
				c.Close()
			}
			t.Fatal(err)
		}
		cs = append(cs, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			stallHandshake(c)
		}()
	}
	return cs
}

// stalled is a connection whose reads block until it is closed.
type stalled struct{ net.Conn }

func (s stalled) Read(p []byte) (int, error) {
	// Block on a read of nothing the server will send in time: the real
	// connection's read, but its data is dropped, so the handshake never
	// advances. Returns when the connection is closed.
	buf := make([]byte, len(p))
	for {
		if _, err := s.Conn.Read(buf); err != nil {
			return 0, err
		}
	}
}

// Client certificates, as Node's server treats them: required and missing
// fails the handshake (ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE);
// required and untrusted closes the socket after it, with 'tlsClientError'
// ECONNRESET that unwraps to the verification error; requested only, the
// connection goes on with Authorized false and Node's code.
func TestClientCertificates(t *testing.T) {
	client := func(cert *tls.Certificate) func(port int) {
		return func(port int) {
			cfg := goClient(ecCert)
			if cert != nil {
				cfg.Certificates = []tls.Certificate{*cert}
			}
			c, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), cfg)
			if err != nil {
				return
			}
			c.Write([]byte("x"))
			io.ReadAll(c)
			c.Close()
		}
	}
	self := mustPair(ecCert)
	trusted := mustPair(clientCert)
	ca := nntls.SecureContextOptions{Key: ecCert.KeyPEM, Cert: ecCert.CertPEM, CA: chain.CA.CertPEM}
	good := func(port int) error {
		cfg := goClient(ecCert)
		cfg.Certificates = []tls.Certificate{trusted}
		c, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port), cfg)
		if err != nil {
			return err
		}
		defer c.Close()
		c.Write([]byte("ping"))
		buf := make([]byte, 4)
		_, err = io.ReadFull(c, buf)
		return err
	}
	t.Run("required, missing", func(t *testing.T) {
		r := badRunWith(t, nntls.ServerOptions{SecureContextOptions: ca, RequestCert: true}, client(nil), good)
		if len(r.errs) != 1 || code(r.errs[0]) != nntls.CodePeerNoCertificate {
			t.Fatalf("tlsClientError %v", r.errs)
		}
	})
	t.Run("required, self-signed", func(t *testing.T) {
		r := badRunWith(t, nntls.ServerOptions{SecureContextOptions: ca, RequestCert: true}, client(&self), good)
		if len(r.errs) != 1 || code(r.errs[0]) != "ECONNRESET" || !isUnknownAuthority(r.errs[0]) {
			t.Fatalf("tlsClientError %v", r.errs)
		}
		var ne interface{ Unwrap() error }
		if !errors.As(r.errs[0], &ne) || code(ne.Unwrap()) != nntls.CodeDepthZeroSelfSigned {
			t.Fatalf("cause %v", r.errs[0])
		}
	})
	no := false
	for _, tc := range []struct {
		name       string
		cert       *tls.Certificate
		authorized bool
		code       string
	}{
		{"requested, trusted", &trusted, true, ""},
		{"requested, self-signed", &self, false, nntls.CodeDepthZeroSelfSigned},
		{"requested, missing", nil, false, nntls.CodeUnableToGetIssuer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLoop(t)
			var authorized []bool
			var codes []string
			l.Post(func() {
				listenTLS(t, l, nntls.ServerOptions{SecureContextOptions: ca, RequestCert: true, RejectUnauthorized: &no}, func(s *nntls.TLSSocket) {
					authorized = append(authorized, s.Authorized())
					codes = append(codes, code(s.AuthorizationError()))
					if s.Authorized() && s.GetPeerCertificate(false).Subject.Get("CN") != "localhost" {
						t.Errorf("peer certificate %+v", s.GetPeerCertificate(false).Subject)
					}
					s.Resume() // read the client's byte, so its FIN is seen
					s.End(nil, nil)
				}, func(srv *nntls.Server, port int) {
					go func() {
						client(tc.cert)(port)
						l.Post(func() { srv.Close(nil) })
					}()
				})
			})
			looptest.Run(t, l, hangGuard)
			if len(authorized) != 1 || authorized[0] != tc.authorized || codes[0] != tc.code {
				t.Fatalf("authorized %v codes %q", authorized, codes)
			}
		})
	}
}

func mustPair(c *tlstest.Cert) tls.Certificate {
	kp, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
	if err != nil {
		panic(err)
	}
	return kp
}

var clientCert = tlstest.New(tlstest.Options{CN: "localhost", ClientUse: true}, chain.CA)

// A client that resets the connection in the middle of the handshake (its
// ClientHello answered, its Finished never sent): 'tlsClientError'
// ECONNRESET "read ECONNRESET" unwrapping to the errno, then close(true),
// as Node 26 reports it.
func TestResetDuringHandshake(t *testing.T) {
	hello := clientHello(t)
	r := badRun(t, nntls.ServerOptions{}, func(port int) {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			return
		}
		c.Write(hello)
		io.ReadFull(c, make([]byte, 5)) // the server's flight has begun: it waits for ours
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	})
	if len(r.errs) != 1 || code(r.errs[0]) != "ECONNRESET" || r.errs[0].Error() != "read ECONNRESET" || !errors.Is(r.errs[0], syscall.ECONNRESET) {
		t.Fatalf("tlsClientError %v", r.errs)
	}
	if len(r.closeHE) != 1 || !r.closeHE[0] {
		t.Fatalf("close(hadError) %v, want [true]", r.closeHE)
	}
}
