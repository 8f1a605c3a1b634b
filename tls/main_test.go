package tls_test

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
	"time"

	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/internal/tlstest"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	nntls "github.com/nodenet/nodenet/tls"
	"go.uber.org/goleak"
)

// Handshake goroutines exit when the pool's queue is empty and every loop
// is run to completion or stopped: nothing may be left running.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// hangGuard bounds a test's loop: a guard against a hang, never a synchroniser.
const hangGuard = 60 * time.Second

func newLoop(t testing.TB) *reactor.Loop { return looptest.New(t) }

var (
	ecCert  = tlstest.Localhost(tlstest.ECDSA)
	rsaCert = tlstest.Localhost(tlstest.RSA)
	chain   = tlstest.NewChain(tlstest.ECDSA)
)

func poolOf(certs ...*tlstest.Cert) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c.X509)
	}
	return p
}

// goClient is a crypto/tls client configuration that trusts c.
func goClient(c *tlstest.Cert) *tls.Config {
	return &tls.Config{RootCAs: poolOf(c), ServerName: "localhost"}
}

// listenTLS creates a TLS server on l from o (Loop filled in) listening on
// 127.0.0.1:0 and calls ready with its port, on the loop.
func listenTLS(t testing.TB, l *reactor.Loop, o nntls.ServerOptions, onSecure func(*nntls.TLSSocket), ready func(s *nntls.Server, port int)) *nntls.Server {
	t.Helper()
	o.Loop = l
	if o.Key == nil && o.Cert == nil && o.SecureContext == nil && o.Certificates == nil && o.Config == nil {
		o.Key, o.Cert = ecCert.KeyPEM, ecCert.CertPEM
	}
	srv, err := nntls.CreateServer(o, onSecure)
	if err != nil {
		t.Fatal(err)
	}
	srv.OnError(func(err error) { t.Errorf("server error: %v", err) })
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
		a, _ := srv.AddressInfo()
		ready(srv, a.Port)
	}); err != nil {
		t.Fatal(err)
	}
	return srv
}
