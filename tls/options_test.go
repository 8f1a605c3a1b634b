package tls_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

// Node's handshakeTimeout: 120 s when not given, the value given, and
// none when negative (TestHandshakeTimeout shows the timer firing).
func TestHandshakeTimeoutOption(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  time.Duration
		want time.Duration
	}{
		{"default", 0, 120 * time.Second},
		{"given", 5 * time.Second, 5 * time.Second},
		{"disabled", -1, -1},
	} {
		o := nntls.ServerOptions{Options: server.Options{Loop: newLoop(t)}, HandshakeTimeout: tc.opt}
		o.Key, o.Cert = ecCert.KeyPEM, ecCert.CertPEM
		srv, err := nntls.CreateServer(o, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := nntls.HandshakeTimeoutOf(srv); got != tc.want {
			t.Errorf("%s: handshake timeout %v, want %v", tc.name, got, tc.want)
		}
	}
}

// Node's sessionTimeout (default 300 s): a ticket older than it gives a
// full handshake, a younger one resumes. The clock is moved, not waited for.
func TestSessionTimeout(t *testing.T) {
	ca := nntls.SecureContextOptions{CA: chain.CA.CertPEM}
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		later   time.Duration
		reused  bool
	}{
		{"default, 2 min later", 0, 2 * time.Minute, true},
		{"default, 6 min later", 0, 6 * time.Minute, false},
		{"60 s, 30 s later", 60 * time.Second, 30 * time.Second, true},
		{"60 s, 2 min later", 60 * time.Second, 2 * time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := nntls.ServerOptions{}
			o.Key, o.Cert, o.SessionTimeout = chain.Leaf.KeyPEM, chain.Leaf.CertPEM, tc.timeout
			port, _ := serve(t, o, nil)
			first := dial(t, port, nntls.ConnectOptions{Servername: "localhost", SecureContextOptions: ca})
			if first.err != nil || first.session == nil {
				t.Fatalf("first: %+v", first)
			}
			restore := nntls.SetClock(func() time.Time { return time.Now().Add(tc.later) })
			again := dial(t, port, nntls.ConnectOptions{Servername: "localhost", SecureContextOptions: ca, Session: first.session})
			restore()
			if again.err != nil || again.reused != tc.reused {
				t.Fatalf("reused %v (want %v), err %v", again.reused, tc.reused, again.err)
			}
		})
	}
}

// Node's checkServerIdentity replaces the host check: called with the
// servername and the peer certificate, its error is the socket's 'error'
// (then close(true)) and, with rejectUnauthorized false, the
// authorizationError; returning nil accepts a host the default would not.
func TestCheckServerIdentity(t *testing.T) {
	port := goServer(t, serverConfig(chain.Leaf.CertPEM, chain.Leaf.KeyPEM), nil)
	errNope := errors.New("not the server I wanted")
	var host, cn string
	check := func(fail bool) func(string, *nntls.PeerCertificate) error {
		return func(h string, c *nntls.PeerCertificate) error {
			host, cn = h, c.Subject.Get("CN")
			if fail {
				return errNope
			}
			return nil
		}
	}
	o := nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Port: port}, Servername: "wrong.example",
		SecureContextOptions: nntls.SecureContextOptions{CA: chain.CA.CertPEM}, CheckServerIdentity: check(false)}
	r := clientRun(t, o)
	if r.err != nil || !r.authorized || r.echo != "hello" || host != "wrong.example" || cn != "localhost" {
		t.Fatalf("accepting check: err %v authorized %v echo %q host %q cn %q", r.err, r.authorized, r.echo, host, cn)
	}
	o.Servername, o.CheckServerIdentity = "localhost", check(true)
	r = clientRun(t, o)
	if !errors.Is(r.err, errNope) || join(r.events) != "connect error close" || !r.closeErr {
		t.Fatalf("rejecting check: err %v events %q", r.err, join(r.events))
	}
	no := false
	o.RejectUnauthorized = &no
	r = clientRun(t, o)
	if r.err != nil || r.authorized || !errors.Is(r.authErr, errNope) || r.echo != "hello" {
		t.Fatalf("rejectUnauthorized false: err %v authorized %v authErr %v", r.err, r.authorized, r.authErr)
	}
}

// GetSession after the session ticket arrived is what 'session' gave, and
// resumes.
func TestGetSession(t *testing.T) {
	port, _ := serve(t, nntls.ServerOptions{}, nil)
	l := newLoop(t)
	var fromEvent, fromGet []byte
	ca := nntls.SecureContextOptions{CA: ecCert.CertPEM}
	l.Post(func() {
		c, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
			Servername: "localhost", SecureContextOptions: ca}, nil)
		if err != nil {
			t.Error(err)
			return
		}
		c.OnSession(func(s []byte) { fromEvent = s; fromGet = c.GetSession(); c.End(nil, nil) })
		c.OnData(func([]byte) {})
		c.OnError(func(err error) { t.Error(err) })
	})
	looptest.Run(t, l, hangGuard)
	if fromEvent == nil || string(fromGet) != string(fromEvent) {
		t.Fatalf("GetSession %d bytes, 'session' %d bytes", len(fromGet), len(fromEvent))
	}
	d := dial(t, port, nntls.ConnectOptions{Servername: "localhost", SecureContextOptions: ca, Session: fromGet})
	if d.err != nil || !d.reused {
		t.Fatalf("resume with GetSession: reused %v err %v", d.reused, d.err)
	}
}

// The server's 'connection' (the raw socket, before any handshake) comes
// before 'secureConnection', on the same *socket.Socket; Cork and Uncork
// on a TLSSocket batch records and lose nothing.
func TestConnectionEventAndCork(t *testing.T) {
	l := newLoop(t)
	var trace []string
	var corkedBuffer int
	var echo string
	l.Post(func() {
		var raw *socket.Socket
		srv := listenTLS(t, l, nntls.ServerOptions{}, func(s *nntls.TLSSocket) {
			trace = append(trace, "secureConnection")
			if s.Socket != raw {
				t.Error("secureConnection's socket is not the one 'connection' gave")
			}
			s.Pipe(s.Socket, nil)
		}, func(srv *nntls.Server, port int) {
			c, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
				Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, nil)
			if err != nil {
				t.Error(err)
				return
			}
			c.OnSecureConnect(func() {
				c.Cork()
				c.Send([]byte("one "), nil)
				c.Send([]byte("two"), nil)
				corkedBuffer = c.BufferSize()
				l.NextTick(c.Uncork)
			})
			c.OnData(func(b []byte) {
				echo += string(b)
				if echo == "one two" {
					c.End(nil, nil)
					srv.Close(nil)
				}
			})
			c.OnError(func(err error) { t.Error(err) })
		})
		srv.OnConnection(func(s *socket.Socket) {
			raw = s
			trace = append(trace, "connection")
		})
	})
	looptest.Run(t, l, hangGuard)
	if s := strings.Join(trace, " "); s != "connection secureConnection" {
		t.Fatalf("server events %q", s)
	}
	if corkedBuffer <= len("one two") || echo != "one two" {
		t.Fatalf("corked BufferSize %d (want the two records), echo %q", corkedBuffer, echo)
	}
}
