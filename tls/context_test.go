package tls_test

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/internal/tlstest"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

// dialInfo connects a nodenet client with o to port and reports what it
// saw: the peer certificate's CN, protocol, session reuse, the session
// received, keylog lines and the error.
type dialInfo struct {
	cn       string
	reused   bool
	session  []byte
	keylog   int
	err      error
	ekm      []byte
	protocol string
	cipher   nntls.CipherInfo
	group    string
}

func dial(t *testing.T, port int, o nntls.ConnectOptions) dialInfo {
	t.Helper()
	l := newLoop(t)
	var d dialInfo
	o.ConnectOptions.Loop, o.ConnectOptions.Port, o.ConnectOptions.Host = l, port, "127.0.0.1"
	l.Post(func() {
		c, err := nntls.Connect(o, nil)
		if err != nil {
			d.err = err
			return
		}
		c.OnKeylog(func([]byte) { d.keylog++ })
		c.OnSession(func(s []byte) { d.session = s })
		c.OnSecureConnect(func() {
			if p := c.GetPeerCertificate(true); p != nil {
				d.cn = p.Subject.Get("CN")
			}
			d.reused, d.protocol = c.IsSessionReused(), c.GetProtocol()
			d.cipher, _ = c.GetCipher()
			d.group = c.GetEphemeralKeyInfo()
			d.ekm, _ = c.ExportKeyingMaterial(32, "EXPERIMENTAL nodenet", nil)
			c.Send([]byte("x"), nil)
		})
		c.OnData(func([]byte) { c.End(nil, nil) })
		c.OnError(func(err error) { d.err = err })
	})
	looptest.Run(t, l, hangGuard)
	return d
}

// serve runs a TLS server with o until the test ends; each connection
// answers one byte and records what the server saw.
type served struct {
	mu      sync.Mutex
	names   []string // Servername()
	locals  []string // GetCertificate().Subject CN
	ekms    [][]byte
	keylogs int
}

func serve(t *testing.T, o nntls.ServerOptions, setup func(*nntls.Server)) (int, *served) {
	t.Helper()
	l := newLoop(t)
	s := &served{}
	ready := make(chan int, 1)
	var srv *nntls.Server
	l.Post(func() {
		srv = listenTLS(t, l, o, func(c *nntls.TLSSocket) {
			s.mu.Lock()
			s.names = append(s.names, c.Servername())
			cn := ""
			if lc := c.GetCertificate(); lc != nil {
				cn = lc.Subject.Get("CN")
			}
			s.locals = append(s.locals, cn)
			ekm, _ := c.ExportKeyingMaterial(32, "EXPERIMENTAL nodenet", nil)
			s.ekms = append(s.ekms, ekm)
			s.mu.Unlock()
			c.OnData(func(b []byte) { c.Send(b, nil) })
		}, func(_ *nntls.Server, port int) { ready <- port })
		srv.OnKeylog(func([]byte, *nntls.TLSSocket) { s.mu.Lock(); s.keylogs++; s.mu.Unlock() })
		if setup != nil {
			setup(srv)
		}
	})
	wait := looptest.GoRun(t, l, hangGuard)
	t.Cleanup(func() { l.Post(func() { srv.Close(nil) }); wait() })
	return <-ready, s
}

func host(name string, parent *tlstest.Cert) *tlstest.Cert {
	return tlstest.New(tlstest.Options{CN: name, DNS: []string{name}}, parent)
}

// SNI: addContext's contexts (wildcards, the latest match wins), the
// default for other names, setSecureContext for new connections, and an
// SNICallback answering later from another goroutine.
func TestSNI(t *testing.T) {
	a := host("a.example.com", chain.CA)
	wild := tlstest.New(tlstest.Options{CN: "*.example.com", DNS: []string{"*.example.com"}}, chain.CA)
	def := host("default.test", chain.CA)
	newDef := host("new-default.test", chain.CA)
	o := nntls.ServerOptions{}
	o.Key, o.Cert = def.KeyPEM, def.CertPEM
	port, s := serve(t, o, func(srv *nntls.Server) {
		if err := srv.AddContext("*.example.com", nntls.SecureContextOptions{Key: wild.KeyPEM, Cert: wild.CertPEM}); err != nil {
			t.Error(err)
		}
		if err := srv.AddContext("a.example.com", nntls.SecureContextOptions{Key: a.KeyPEM, Cert: a.CertPEM}); err != nil {
			t.Error(err)
		}
	})
	ca := nntls.SecureContextOptions{CA: chain.CA.CertPEM}
	for _, tc := range []struct{ name, cn string }{
		{"a.example.com", "a.example.com"},
		{"b.example.com", "*.example.com"},
		{"default.test", "default.test"},
	} {
		d := dial(t, port, nntls.ConnectOptions{Servername: tc.name, SecureContextOptions: ca})
		if d.err != nil || d.cn != tc.cn {
			t.Fatalf("%s: certificate %q, err %v", tc.name, d.cn, d.err)
		}
	}
	// A name no context has gets the default certificate: wrong SNI.
	d := dial(t, port, nntls.ConnectOptions{Servername: "other.test", SecureContextOptions: ca})
	if code(d.err) != nntls.CodeCertAltnameInvalid {
		t.Fatalf("wrong SNI: %v", d.err)
	}
	// The client rejects the certificate after sending its Finished, so
	// the server may complete that fourth handshake too (as Node's does)
	// or see the client's reset first: a fourth entry, if there, is the
	// wrong name served the default certificate.
	s.mu.Lock()
	names, locals := s.names, s.locals
	if len(names) == 4 && names[3] == "other.test" && locals[3] == "default.test" {
		names, locals = names[:3], locals[:3]
	}
	if strings.Join(names, ",") != "a.example.com,b.example.com,default.test" ||
		strings.Join(locals, ",") != "a.example.com,*.example.com,default.test" {
		t.Fatalf("server saw names %q, served %q", s.names, s.locals)
	}
	s.mu.Unlock()

	// setSecureContext: new connections get the new default.
	o2 := nntls.ServerOptions{}
	o2.Key, o2.Cert = def.KeyPEM, def.CertPEM
	port2, _ := serve(t, o2, func(srv *nntls.Server) {
		if err := srv.SetSecureContext(nntls.SecureContextOptions{Key: newDef.KeyPEM, Cert: newDef.CertPEM}); err != nil {
			t.Error(err)
		}
	})
	if d := dial(t, port2, nntls.ConnectOptions{Servername: "new-default.test", SecureContextOptions: ca}); d.err != nil || d.cn != "new-default.test" {
		t.Fatalf("after setSecureContext: %q %v", d.cn, d.err)
	}

	// SNICallback, answered from another goroutine.
	o3 := nntls.ServerOptions{SNICallback: func(name string, cb func(error, *nntls.SecureContext)) {
		go func() {
			if name == "refused.test" {
				cb(errors.New("no such host"), nil)
				return
			}
			ctx, err := nntls.CreateSecureContext(nntls.SecureContextOptions{Key: a.KeyPEM, Cert: a.CertPEM})
			cb(err, ctx)
		}()
	}}
	o3.Key, o3.Cert = def.KeyPEM, def.CertPEM
	port3, _ := serve(t, o3, nil)
	if d := dial(t, port3, nntls.ConnectOptions{Servername: "a.example.com", SecureContextOptions: ca}); d.err != nil || d.cn != "a.example.com" {
		t.Fatalf("SNICallback: %q %v", d.cn, d.err)
	}
	if d := dial(t, port3, nntls.ConnectOptions{Servername: "refused.test", SecureContextOptions: ca}); d.err == nil {
		t.Fatal("SNICallback's error did not fail the handshake")
	}
}

// Sessions: a client resumes with the session its 'session' event gave;
// servers sharing ticketKeys resume each other's sessions; SetTicketKeys
// ends that.
func TestSessionsAndTicketKeys(t *testing.T) {
	keys := bytes.Repeat([]byte{7}, 48)
	o := nntls.ServerOptions{}
	o.Key, o.Cert, o.TicketKeys = chain.Leaf.KeyPEM, chain.Leaf.CertPEM, keys
	var srv1 *nntls.Server
	port1, _ := serve(t, o, func(s *nntls.Server) { srv1 = s })
	port2, _ := serve(t, o, nil)
	ca := nntls.SecureContextOptions{CA: chain.CA.CertPEM}
	first := dial(t, port1, nntls.ConnectOptions{Servername: "localhost", SecureContextOptions: ca})
	if first.err != nil || first.reused || first.session == nil {
		t.Fatalf("first: %+v", first)
	}
	again := dial(t, port1, nntls.ConnectOptions{Servername: "localhost", SecureContextOptions: ca, Session: first.session})
	if again.err != nil || !again.reused {
		t.Fatalf("resume on the same server: reused %v err %v", again.reused, again.err)
	}
	other := dial(t, port2, nntls.ConnectOptions{Servername: "localhost", SecureContextOptions: ca, Session: first.session})
	if other.err != nil || !other.reused {
		t.Fatalf("resume on a server with the same ticket keys: reused %v err %v", other.reused, other.err)
	}
	if k := srv1.GetTicketKeys(); !bytes.Equal(k, keys) {
		t.Fatalf("GetTicketKeys %x", k)
	}
	if err := srv1.SetTicketKeys(bytes.Repeat([]byte{8}, 48)); err != nil {
		t.Fatal(err)
	}
	after := dial(t, port1, nntls.ConnectOptions{Servername: "localhost", SecureContextOptions: ca, Session: first.session})
	if after.err != nil || after.reused {
		t.Fatalf("after SetTicketKeys: reused %v err %v", after.reused, after.err)
	}
	if err := srv1.SetTicketKeys([]byte("short")); code(err) != "ERR_INVALID_ARG_VALUE" {
		t.Fatalf("SetTicketKeys(short): %v", err)
	}
	if _, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: newLoop(t), Port: port1}, Session: []byte("junk")}, nil); code(err) != nntls.CodeInvalidSession {
		t.Fatalf("a junk session: %v", err)
	}
}

// Keylog lines reach the client's and the server's 'keylog' listeners;
// keying material exported on both ends is the same; getCipher and
// getEphemeralKeyInfo say what was negotiated.
func TestKeylogExportCipher(t *testing.T) {
	port, s := serve(t, nntls.ServerOptions{}, nil)
	d := dial(t, port, nntls.ConnectOptions{Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}})
	if d.err != nil {
		t.Fatal(d.err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.keylog != 4 || s.keylogs != 4 { // TLS 1.3: crypto/tls logs the four traffic secrets (OpenSSL adds EXPORTER_SECRET)
		t.Fatalf("keylog lines: client %d server %d", d.keylog, s.keylogs)
	}
	if len(d.ekm) != 32 || len(s.ekms) != 1 || !bytes.Equal(d.ekm, s.ekms[0]) {
		t.Fatalf("exported keying material differs: %x %x", d.ekm, s.ekms)
	}
	if d.protocol != "TLSv1.3" || d.cipher.Version != "TLSv1.3" || !strings.HasPrefix(d.cipher.StandardName, "TLS_") || d.group == "" {
		t.Fatalf("protocol %q cipher %+v group %q", d.protocol, d.cipher, d.group)
	}
}

// Options Node checks at creation: versions, ciphers, keys.
func TestSecureContextOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    nntls.SecureContextOptions
		code string
	}{
		{"bad min version", nntls.SecureContextOptions{MinVersion: "TLSv9"}, nntls.CodeInvalidProtocolVersion},
		{"min above max", nntls.SecureContextOptions{MinVersion: "TLSv1.3", MaxVersion: "TLSv1.2"}, nntls.CodeProtocolVersionConfict},
		{"no known cipher", nntls.SecureContextOptions{Ciphers: "NOPE-CIPHER"}, nntls.CodeNoCipherMatch},
		{"not a PEM key", nntls.SecureContextOptions{Key: []byte("junk"), Cert: ecCert.CertPEM}, nntls.CodePEMNoStartLine},
		{"key of another cert", nntls.SecureContextOptions{Key: rsaCert.KeyPEM, Cert: ecCert.CertPEM}, nntls.CodeInvalidKeyCert},
		{"ticket keys not 48 bytes", nntls.SecureContextOptions{TicketKeys: []byte{1}}, "ERR_INVALID_ARG_VALUE"},
	} {
		if _, err := nntls.CreateSecureContext(tc.o); code(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	// A TLS 1.2-only server with one chosen suite: that is what is negotiated.
	o := nntls.ServerOptions{}
	o.Key, o.Cert = ecCert.KeyPEM, ecCert.CertPEM
	o.MaxVersion, o.Ciphers = "TLSv1.2", "ECDHE-ECDSA-CHACHA20-POLY1305"
	port, _ := serve(t, o, nil)
	d := dial(t, port, nntls.ConnectOptions{Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}})
	if d.err != nil || d.protocol != "TLSv1.2" || d.cipher.Name != "ECDHE-ECDSA-CHACHA20-POLY1305" ||
		d.cipher.StandardName != "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" {
		t.Fatalf("%+v", d)
	}
	// An ALPN mismatch fails the handshake, as in Node.
	o = nntls.ServerOptions{ALPNProtocols: []string{"h2"}}
	port, _ = serve(t, o, nil)
	d = dial(t, port, nntls.ConnectOptions{Servername: "localhost", ALPNProtocols: []string{"spdy/1"}, SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}})
	if code(d.err) != "ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL" {
		t.Fatalf("ALPN mismatch: %v (%s)", d.err, code(d.err))
	}
}
