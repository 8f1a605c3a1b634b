package tls

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/emitter"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// DefaultHandshakeTimeout is Node's handshakeTimeout default.
const DefaultHandshakeTimeout = 120 * time.Second

// ServerOptions are Node's tls.createServer options: those of
// net.createServer (server.Options: Loop or Group, AllowHalfOpen,
// PauseOnConnect, …), of tls.createSecureContext, and the server's own.
type ServerOptions struct {
	server.Options
	SecureContextOptions
	// SecureContext, when not nil, is used instead of SecureContextOptions.
	SecureContext *SecureContext

	// RequestCert asks clients for a certificate; RejectUnauthorized (nil
	// means true) then refuses the handshake of a client whose certificate
	// is missing or not signed by CA.
	RequestCert        bool
	RejectUnauthorized *bool
	// ALPNProtocols are the protocols the server accepts, in its order of
	// preference; a client that offers only others fails its handshake.
	ALPNProtocols []string
	// SNICallback is Node's SNICallback(servername, cb): called on the
	// loop when a client names a server (SNI); cb may be called later, from
	// any goroutine, with the context to use (nil: the default). Without
	// it, contexts added with AddContext are matched.
	SNICallback func(servername string, cb func(err error, ctx *SecureContext))
	// HandshakeTimeout aborts a handshake that has not finished in time
	// with 'tlsClientError' ERR_TLS_HANDSHAKE_TIMEOUT. 0 means Node's
	// default, 120 s; negative disables it.
	HandshakeTimeout time.Duration
}

// Server is Node's tls.Server: a server.Server (every listen form, Close,
// Address, GetConnections, maxConnections, Ref/Unref, 'connection',
// 'listening', 'error', 'close', promoted) whose connections are
// TLSSockets, with the events 'secureConnection', 'tlsClientError' and
// 'keylog'.
//
// 'connection' is emitted with the accepted socket before its handshake,
// as in Node; its 'secureConnection' follows once the handshake is done
// and is the same connection, as a *TLSSocket.
type Server struct {
	*server.Server
	opts    ServerOptions
	reject  bool
	timeout time.Duration

	cur  atomic.Pointer[serverContext]
	base *tls.Config // what every connection's tls.Server starts with

	mu         sync.Mutex
	contexts   []sniContext
	ticketKeys []byte

	// events is the TLS events' listeners (the promoted server.Server
	// keeps its own): any goroutine adds them, every connection's loop
	// emits them.
	events emitter.Shared[ServerEvent]
}

// serverContext is a SecureContext with the server's settings applied.
type serverContext struct {
	ctx *SecureContext
	cfg *tls.Config
}

type sniContext struct {
	re  *regexp.Regexp
	ctx *SecureContext
}

// CreateServer is Node's tls.createServer(options, secureConnectionListener).
// onSecureConnection, if not nil, is a 'secureConnection' listener.
func CreateServer(o ServerOptions, onSecureConnection func(*TLSSocket)) (*Server, error) {
	ctx := o.SecureContext
	if ctx == nil {
		var err error
		if ctx, err = CreateSecureContext(o.SecureContextOptions); err != nil {
			return nil, err
		}
	}
	s := &Server{opts: o, reject: o.RejectUnauthorized == nil || *o.RejectUnauthorized, timeout: o.HandshakeTimeout}
	if s.timeout == 0 {
		s.timeout = DefaultHandshakeTimeout
	}
	s.ticketKeys = ctx.ticketKeys
	if s.ticketKeys == nil {
		s.ticketKeys = make([]byte, 48)
		if _, err := rand.Read(s.ticketKeys); err != nil {
			return nil, err
		}
	}
	if err := s.setContext(ctx); err != nil {
		return nil, err
	}
	s.base = &tls.Config{GetConfigForClient: s.configFor}
	srv, err := server.New(o.Options, s.accept)
	if err != nil {
		return nil, err
	}
	s.Server = srv
	if onSecureConnection != nil {
		s.events.Add(emitter.NewID(), EventSecureConnection, onSecureConnection, false)
	}
	return s, nil
}

// ServerEvent names a tls.Server event beyond those of server.Server, for
// RemoveAllSecureListeners and SecureListenerCount.
type ServerEvent uint8

// The tls.Server events.
const (
	// EventSecureConnection: a client finished its handshake.
	EventSecureConnection ServerEvent = iota
	// EventTLSClientError: a client's handshake failed or timed out.
	EventTLSClientError
	// EventServerKeylog: key material of one of the connections.
	EventServerKeylog
)

// Added is what the tls.Server's own On and Once methods return: the
// server, for chaining as server.Added does (Node's server.on returns the
// server), and the ID of the listener added, for RemoveListener.
type Added struct {
	*Server
	ID socket.ListenerID
}

// The TLS events' On and Once methods may be called from any goroutine;
// their listeners run on the connection's loop, as callbacks the
// TLSSocket owns (a panic destroys that socket), under Node's
// EventEmitter rules (internal/emitter). A nil listener panics with
// ERR_INVALID_ARG_TYPE at the call, as Node's on() throws.

func (s *Server) on(ev ServerEvent, fn any, once bool) Added {
	if emitter.IsNil(fn) {
		panic(nodenet.NewError(nodenet.CodeInvalidArgType, `The "listener" argument must be of type function. Received null`))
	}
	id := emitter.NewID()
	s.events.Add(id, ev, fn, once)
	return Added{s, socket.ListenerID(id)}
}

// OnSecureConnection adds a 'secureConnection' listener: a client finished
// its handshake.
func (s *Server) OnSecureConnection(fn func(*TLSSocket)) Added {
	return s.on(EventSecureConnection, fn, false)
}

// OnceSecureConnection adds a one-time 'secureConnection' listener.
func (s *Server) OnceSecureConnection(fn func(*TLSSocket)) Added {
	return s.on(EventSecureConnection, fn, true)
}

// OnTLSClientError adds a 'tlsClientError' listener: a client's handshake
// failed or timed out. The socket is destroyed; the server keeps serving.
func (s *Server) OnTLSClientError(fn func(err error, t *TLSSocket)) Added {
	return s.on(EventTLSClientError, fn, false)
}

// OnceTLSClientError adds a one-time 'tlsClientError' listener.
func (s *Server) OnceTLSClientError(fn func(err error, t *TLSSocket)) Added {
	return s.on(EventTLSClientError, fn, true)
}

// OnKeylog adds a 'keylog' listener: key material of a connection in NSS
// key log format (one line with its newline). Connections whose handshake
// starts while the server has no keylog listener produce none.
func (s *Server) OnKeylog(fn func(line []byte, t *TLSSocket)) Added {
	return s.on(EventServerKeylog, fn, false)
}

// OnceKeylog adds a one-time 'keylog' listener.
func (s *Server) OnceKeylog(fn func(line []byte, t *TLSSocket)) Added {
	return s.on(EventServerKeylog, fn, true)
}

// RemoveListener removes a listener of the server's TLS events or of its
// server.Server events (Node's removeListener): the ids share one space.
func (s *Server) RemoveListener(id socket.ListenerID) {
	if _, ok := s.events.Remove(uint64(id)); !ok {
		s.Server.RemoveListener(id)
	}
}

// RemoveAllSecureListeners removes every listener of a TLS event (the
// promoted RemoveAllListeners takes the server.Server events).
func (s *Server) RemoveAllSecureListeners(ev ServerEvent) { s.events.RemoveAll(ev) }

// SecureListenerCount counts the listeners of a TLS event (Node's
// listenerCount), from any goroutine.
func (s *Server) SecureListenerCount(ev ServerEvent) int { return s.events.Count(ev) }

// keylogOn reports whether a connection's key log lines are wanted.
func (s *Server) keylogOn() bool { return s.events.Count(EventServerKeylog) > 0 }

func (s *Server) emitSecureConnection(t *TLSSocket) {
	emitter.EachShared(&s.events, EventSecureConnection, func(f func(*TLSSocket)) bool {
		if t.Destroyed() {
			return false
		}
		t.guard(func() { f(t) })
		return true
	})
}

func (s *Server) emitTLSClientError(err error, t *TLSSocket) {
	emitter.EachShared(&s.events, EventTLSClientError, func(f func(error, *TLSSocket)) bool {
		t.guard(func() { f(err, t) })
		return true
	})
}

func (s *Server) emitKeylog(line []byte, t *TLSSocket) {
	emitter.EachShared(&s.events, EventServerKeylog, func(f func([]byte, *TLSSocket)) bool {
		t.guard(func() { f(line, t) })
		return true
	})
}

// AddContext is Node's server.addContext(hostname, context): clients
// naming hostname (a "*" wildcard matches within one label) get that
// context's certificate. The latest match wins, as in Node.
func (s *Server) AddContext(hostname string, o SecureContextOptions) error {
	ctx, err := CreateSecureContext(o)
	if err != nil {
		return err
	}
	return s.AddSecureContext(hostname, ctx)
}

// AddSecureContext is AddContext with a context made already.
func (s *Server) AddSecureContext(hostname string, ctx *SecureContext) error {
	if hostname == "" || ctx == nil {
		return nodenet.NewError(nodenet.CodeInvalidArgType, "The \"hostname\" and \"context\" arguments are required")
	}
	pat := "^" + strings.ReplaceAll(regexp.QuoteMeta(hostname), `\*`, `[^.]*`) + "$"
	re, err := regexp.Compile("(?i)" + pat)
	if err != nil {
		return nodenet.NewError(nodenet.CodeInvalidArgValue, err.Error())
	}
	s.mu.Lock()
	s.contexts = append(s.contexts, sniContext{re: re, ctx: ctx})
	s.mu.Unlock()
	return nil
}

// SetSecureContext is Node's server.setSecureContext(options): new
// connections use the new default context; open ones keep theirs.
func (s *Server) SetSecureContext(o SecureContextOptions) error {
	ctx, err := CreateSecureContext(o)
	if err != nil {
		return err
	}
	if ctx.ticketKeys != nil {
		s.mu.Lock()
		s.ticketKeys = ctx.ticketKeys
		s.mu.Unlock()
	}
	return s.setContext(ctx)
}

// GetTicketKeys is Node's server.getTicketKeys(): the 48 bytes that
// encrypt session tickets.
func (s *Server) GetTicketKeys() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.ticketKeys...)
}

// SetTicketKeys is Node's server.setTicketKeys(keys): 48 bytes; tickets
// issued under the old keys no longer resume.
func (s *Server) SetTicketKeys(keys []byte) error {
	if len(keys) != 48 {
		return nodenet.NewError(nodenet.CodeInvalidArgValue, "Session ticket keys must be a 48-byte buffer")
	}
	s.mu.Lock()
	s.ticketKeys = append([]byte(nil), keys...)
	s.mu.Unlock()
	return s.setContext(s.cur.Load().ctx)
}

// setContext builds the crypto/tls configuration of a default context.
func (s *Server) setContext(ctx *SecureContext) error {
	cfg := ctx.config()
	if len(cfg.Certificates) == 0 && s.opts.SNICallback == nil && cfg.GetCertificate == nil {
		return nodenet.NewError(nodenet.CodeInvalidArgValue, "A TLS server needs a certificate: set Key and Cert, Certificates, Config or SNICallback")
	}
	// A missing client certificate fails the handshake when it is
	// required (Node's ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE); the chain
	// is verified after the handshake, as Node does (verifyPeer, secured).
	switch {
	case !s.opts.RequestCert:
		cfg.ClientAuth = tls.NoClientCert
	case s.reject:
		cfg.ClientAuth = tls.RequireAnyClientCert
	default:
		cfg.ClientAuth = tls.RequestClientCert
	}
	if len(s.opts.ALPNProtocols) > 0 {
		cfg.NextProtos = s.opts.ALPNProtocols
	}
	if cfg.GetCertificate == nil {
		// Every handshake asks certificateFor (crypto/tls consults
		// GetCertificate without SNI only when Certificates is empty), so
		// the certificate served is known for getCertificate().
		cfg.Certificates = nil
		cfg.GetCertificate = s.certificateFor
	}
	s.mu.Lock()
	key := sha256.Sum256(s.ticketKeys)
	s.mu.Unlock()
	cfg.SetSessionTicketKeys([][32]byte{key})
	timeout := ctx.sessionTimeout
	cfg.WrapSession = func(cs tls.ConnectionState, ss *tls.SessionState) ([]byte, error) {
		ss.Extra = append(ss.Extra, sessionStamp(now()))
		return cfg.EncryptTicket(cs, ss)
	}
	cfg.UnwrapSession = func(identity []byte, cs tls.ConnectionState) (*tls.SessionState, error) {
		ss, err := cfg.DecryptTicket(identity, cs)
		if ss == nil || err != nil {
			return nil, err
		}
		if !sessionFresh(ss.Extra, timeout) {
			return nil, nil // a full handshake instead
		}
		return ss, nil
	}
	s.cur.Store(&serverContext{ctx: ctx, cfg: cfg})
	return nil
}

// sessionStamp marks a ticket with its issue time, so that sessionTimeout
// can be applied when it comes back.
func sessionStamp(t time.Time) []byte {
	b := make([]byte, 0, len(stampTag)+8)
	b = append(b, stampTag...)
	return binary.BigEndian.AppendUint64(b, uint64(t.Unix()))
}

const stampTag = "nodenet-issued:"

func sessionFresh(extra [][]byte, timeout time.Duration) bool {
	for _, e := range extra {
		if len(e) == len(stampTag)+8 && string(e[:len(stampTag)]) == stampTag {
			issued := time.Unix(int64(binary.BigEndian.Uint64(e[len(stampTag):])), 0)
			return now().Sub(issued) <= timeout
		}
	}
	return false
}

// configFor is crypto/tls's GetConfigForClient: the current default
// context, with this connection's key log writer when someone listens.
func (s *Server) configFor(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	cfg := s.cur.Load().cfg
	if s.keylogOn() {
		if w, ok := hello.Conn.(*wire); ok {
			cfg = cfg.Clone()
			cfg.KeyLogWriter = keylogWriter{w.e.t}
		}
	}
	return cfg, nil
}

// certificateFor is crypto/tls's GetCertificate, called only when the
// client sent SNI: SNICallback's answer, else the latest AddContext match,
// else nil (crypto/tls then picks among the default context's certificates).
func (s *Server) certificateFor(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	w, _ := hello.Conn.(*wire)
	var ctx *SecureContext
	if s.opts.SNICallback != nil && w != nil && hello.ServerName != "" {
		var err error
		if ctx, err = w.e.askSNI(s.opts.SNICallback, hello.ServerName); err != nil {
			return nil, err
		}
	} else {
		s.mu.Lock()
		for i := len(s.contexts) - 1; i >= 0; i-- {
			if s.contexts[i].re.MatchString(hello.ServerName) {
				ctx = s.contexts[i].ctx
				break
			}
		}
		s.mu.Unlock()
	}
	if ctx == nil || len(ctx.certs) == 0 {
		ctx = s.cur.Load().ctx
	}
	if len(ctx.certs) == 0 {
		return nil, nodenet.NewError(nodenet.CodeInvalidArgValue, "no certificate for "+hello.ServerName)
	}
	for i := range ctx.certs {
		if hello.SupportsCertificate(&ctx.certs[i]) == nil {
			if w != nil {
				w.e.hs.localCert = leafOf(&ctx.certs[i])
			}
			return &ctx.certs[i], nil
		}
	}
	if w != nil {
		w.e.hs.localCert = leafOf(&ctx.certs[0])
	}
	return &ctx.certs[0], nil
}

// accept wraps each accepted socket (the first 'connection' listener, on
// the socket's loop) and starts waiting for its ClientHello.
func (s *Server) accept(sock *socket.Socket) {
	sc := s.cur.Load()
	t := &TLSSocket{Socket: sock, isServer: true, srv: s, ctx: sc.ctx,
		requestCert: s.opts.RequestCert, rejectUnauthorized: s.reject}
	t.e.init(t, true)
	t.e.conn = tls.Server(&t.e.w, s.base)
	if err := t.e.attach(); err != nil {
		sock.Destroy(err)
		return
	}
	t.e.state = esHello
	t.e.updateReading()
	if s.timeout > 0 {
		t.e.startTimer(s.timeout)
	}
}

// leafOf is the parsed leaf of a key pair.
func leafOf(c *tls.Certificate) *x509.Certificate {
	if c.Leaf != nil {
		return c.Leaf
	}
	if len(c.Certificate) > 0 {
		if l, err := x509.ParseCertificate(c.Certificate[0]); err == nil {
			return l
		}
	}
	return nil
}
