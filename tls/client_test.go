package tls_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/internal/tlstest"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

// goServer runs a crypto/tls echo server (or handle, if not nil) on
// 127.0.0.1:0 until the test ends and returns its port.
func goServer(t testing.TB, cfg *tls.Config, handle func(c net.Conn)) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				if handle != nil {
					handle(c)
					return
				}
				tc := tls.Server(c, cfg)
				io.Copy(tc, tc)
				tc.CloseWrite()
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

func serverConfig(certPEM, keyPEM []byte) *tls.Config {
	kp, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		panic(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{kp}}
}

// clientRun connects with o to port on a fresh loop, sends "hello", ends,
// and reports what happened.
type clientResult struct {
	events     []string
	err        error
	echo       string
	authorized bool
	authErr    error
	protocol   string
	closeErr   bool
}

func clientRun(t *testing.T, o nntls.ConnectOptions) clientResult {
	t.Helper()
	l := newLoop(t)
	var r clientResult
	o.Loop = l
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	l.Post(func() {
		c, err := nntls.Connect(o, nil)
		if err != nil {
			r.err = err
			return
		}
		c.OnConnect(func() { r.events = append(r.events, "connect") })
		c.OnSecureConnect(func() {
			r.events = append(r.events, "secureConnect")
			r.authorized, r.authErr, r.protocol = c.Authorized(), c.AuthorizationError(), c.GetProtocol()
		})
		c.OnSecure(func() { r.events = append(r.events, "secure") })
		c.OnData(func(b []byte) { r.echo += string(b) })
		c.OnEnd(func() { r.events = append(r.events, "end") })
		c.OnError(func(err error) { r.events = append(r.events, "error"); r.err = err })
		c.OnClose(func(hadErr bool) { r.events = append(r.events, "close"); r.closeErr = hadErr })
		c.End([]byte("hello"), nil)
	})
	looptest.Run(t, l, hangGuard)
	return r
}

func code(err error) string {
	var e *nodenet.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestConnectTrustedServer(t *testing.T) {
	port := goServer(t, serverConfig(chain.Leaf.CertPEM, chain.Leaf.KeyPEM), nil)
	r := clientRun(t, nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Port: port}, SecureContextOptions: nntls.SecureContextOptions{CA: chain.CA.CertPEM}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := "connect secureConnect secure end close"
	if got := join(r.events); got != want || r.echo != "hello" || !r.authorized || r.authErr != nil || r.protocol != "TLSv1.3" {
		t.Fatalf("events %q (want %q) echo %q authorized %v %v protocol %q", got, want, r.echo, r.authorized, r.authErr, r.protocol)
	}
}

func join(s []string) string {
	out := ""
	for i, e := range s {
		if i > 0 {
			out += " "
		}
		out += e
	}
	return out
}

// Certificate failures carry Node's codes and unwrap to crypto/x509's
// errors; with RejectUnauthorized false the connection goes on, with
// Authorized false and the same code in AuthorizationError.
func TestConnectVerificationErrors(t *testing.T) {
	expired := tlstest.New(tlstest.Options{CN: "localhost", DNS: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}, chain.CA)
	other := tlstest.New(tlstest.Options{CN: "example.com", DNS: []string{"example.com"}}, chain.CA)
	unknownCA := tlstest.NewChain(tlstest.ECDSA)
	cases := []struct {
		name       string
		cert, key  []byte
		ca         []byte
		servername string
		code       string
		unwrap     func(error) bool
	}{
		{"self-signed", ecCert.CertPEM, ecCert.KeyPEM, nil, "", nntls.CodeDepthZeroSelfSigned, isUnknownAuthority},
		{"leaf of an unknown CA", unknownCA.Leaf.CertPEM, unknownCA.Leaf.KeyPEM, nil, "", nntls.CodeUnableToVerifyLeaf, isUnknownAuthority},
		{"chain with an untrusted root", unknownCA.ChainPEM(), unknownCA.Leaf.KeyPEM, nil, "", nntls.CodeSelfSignedInChain, isUnknownAuthority},
		{"expired", expired.CertPEM, expired.KeyPEM, chain.CA.CertPEM, "", nntls.CodeCertHasExpired, isInvalid(x509.Expired)},
		{"wrong host", other.CertPEM, other.KeyPEM, chain.CA.CertPEM, "", nntls.CodeCertAltnameInvalid, isHostname},
		{"wrong SNI", chain.Leaf.CertPEM, chain.Leaf.KeyPEM, chain.CA.CertPEM, "other.example", nntls.CodeCertAltnameInvalid, isHostname},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			port := goServer(t, serverConfig(tc.cert, tc.key), nil)
			o := nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Port: port}, Servername: tc.servername,
				SecureContextOptions: nntls.SecureContextOptions{CA: tc.ca}}
			r := clientRun(t, o)
			if code(r.err) != tc.code || !tc.unwrap(r.err) {
				t.Fatalf("error %v (code %q), want code %s unwrapping to the x509 error", r.err, code(r.err), tc.code)
			}
			if got := join(r.events); got != "connect error close" || !r.closeErr {
				t.Fatalf("events %q closeErr %v", got, r.closeErr)
			}
			no := false
			o.RejectUnauthorized = &no
			r = clientRun(t, o)
			if r.err != nil || r.authorized || code(r.authErr) != tc.code || r.echo != "hello" {
				t.Fatalf("rejectUnauthorized false: err %v authorized %v authErr %v echo %q", r.err, r.authorized, r.authErr, r.echo)
			}
		})
	}
}

func isUnknownAuthority(err error) bool {
	var e x509.UnknownAuthorityError
	return errors.As(err, &e)
}

func isHostname(err error) bool {
	var e x509.HostnameError
	var a *nntls.AltnameError
	return errors.As(err, &e) && errors.As(err, &a)
}

func isInvalid(r x509.InvalidReason) func(error) bool {
	return func(err error) bool {
		var e x509.CertificateInvalidError
		return errors.As(err, &e) && e.Reason == r
	}
}

// A server that goes away during the handshake, as Node reports it: a
// reset is the socket's "read ECONNRESET" (unwrapping to the errno), a FIN
// is ECONNRESET "Client network socket disconnected before secure TLS
// connection was established".
func TestConnectPeerGoneDuringHandshake(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reset bool
		msg   string
	}{
		{"reset", true, "read ECONNRESET"},
		{"FIN", false, "Client network socket disconnected before secure TLS connection was established"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := goServer(t, nil, func(c net.Conn) {
				// Read the whole ClientHello record: closing with unread
				// bytes would send a reset in the FIN case too.
				hdr := make([]byte, 5)
				io.ReadFull(c, hdr)
				io.ReadFull(c, make([]byte, int(hdr[3])<<8|int(hdr[4])))
				if tc.reset {
					c.(*net.TCPConn).SetLinger(0)
				}
			})
			r := clientRun(t, nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Port: port}})
			if code(r.err) != "ECONNRESET" || r.err.Error() != tc.msg || tc.reset != errors.Is(r.err, syscall.ECONNRESET) {
				t.Fatalf("error %v (%q) events %q", r.err, code(r.err), join(r.events))
			}
			if got := join(r.events); got != "connect error close" {
				t.Fatalf("events %q", got)
			}
		})
	}
}

// Connect passes every net.connect option to its socket: a blocked address
// is ERR_IP_BLOCKED before any byte (blockList), and typeOfService is
// applied to the connection.
func TestConnectSocketOptions(t *testing.T) {
	port := goServer(t, serverConfig(chain.Leaf.CertPEM, chain.Leaf.KeyPEM), nil)
	bl := nodenet.NewBlockList()
	if err := bl.AddAddress("127.0.0.1", "ipv4"); err != nil {
		t.Fatal(err)
	}
	r := clientRun(t, nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Port: port, BlockList: bl},
		SecureContextOptions: nntls.SecureContextOptions{CA: chain.CA.CertPEM}})
	if code(r.err) != nodenet.CodeIPBlocked || join(r.events) != "error close" || !r.closeErr {
		t.Fatalf("blocked: events %q, err %v", join(r.events), r.err)
	}

	l := newLoop(t)
	tos := -1
	var tosErr error
	l.Post(func() {
		c, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1", TypeOfService: 0x10},
			SecureContextOptions: nntls.SecureContextOptions{CA: chain.CA.CertPEM}}, nil)
		if err != nil {
			t.Error(err)
			return
		}
		c.OnSecureConnect(func() {
			tos, tosErr = c.TypeOfService()
			c.End(nil, nil)
		})
		c.OnError(func(err error) { t.Error(err) })
	})
	looptest.Run(t, l, hangGuard)
	if tos != 0x10 || tosErr != nil {
		t.Fatalf("typeOfService %#x, %v; want 0x10", tos, tosErr)
	}
}
