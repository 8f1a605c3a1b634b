package tls

import (
	"crypto/tls"
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/socket"
)

// ConnectOptions are Node's tls.connect(options) options: those of
// net.connect (socket.ConnectOptions: Loop, Port, Host, Path, Timeout, …),
// of tls.createSecureContext (the client's own Key/Cert, CA, versions), and
// the client's.
type ConnectOptions struct {
	socket.ConnectOptions
	SecureContextOptions
	// SecureContext, when not nil, is used instead of SecureContextOptions.
	SecureContext *SecureContext

	// Socket upgrades an existing socket instead of connecting a new one
	// (Node's tls.connect({socket}), for STARTTLS): the handshake starts at
	// once if it is connected, else at its 'connect'. The TLSSocket embeds
	// this same socket; its listeners see plaintext from then on.
	Socket *socket.Socket

	// Servername is sent as SNI (Node's servername); default Host unless
	// Host is an IP address. It is also the name the certificate must
	// match.
	Servername string
	// RejectUnauthorized (nil means true) destroys the socket when the
	// server's certificate does not verify against CA (or the system's
	// roots) or does not match the host; false keeps it open, with
	// Authorized false and AuthorizationError set.
	RejectUnauthorized *bool
	// CheckServerIdentity replaces the host check (Node's
	// checkServerIdentity(hostname, cert)); it runs on the loop after the
	// chain verified. CheckServerIdentity (the function) is the default.
	CheckServerIdentity func(hostname string, cert *PeerCertificate) error
	// Session resumes a session saved from 'session' or GetSession.
	Session []byte
	// ALPNProtocols are offered to the server, in order of preference.
	ALPNProtocols []string
}

// Connect is Node's tls.connect(options, callback): a TLSSocket that
// connects (or upgrades Socket) and then runs the handshake. cb, if not
// nil, is a one-time 'secureConnect' listener. Invalid options are returned
// at once; failures after that — connection errors, handshake errors,
// certificate errors with Node's codes (DEPTH_ZERO_SELF_SIGNED_CERT,
// ERR_TLS_CERT_ALTNAME_INVALID, …), which unwrap to the crypto/tls or
// crypto/x509 error — are the socket's 'error' event, then close(true).
func Connect(o ConnectOptions, cb func()) (*TLSSocket, error) {
	ctx := o.SecureContext
	if ctx == nil {
		var err error
		if ctx, err = CreateSecureContext(o.SecureContextOptions); err != nil {
			return nil, err
		}
	}
	host := o.Host
	if host == "" && o.Path == "" {
		host = "localhost"
	}
	servername := o.Servername
	if servername != "" {
		if _, err := netip.ParseAddr(servername); err == nil {
			return nil, nodenet.NewError(nodenet.CodeInvalidArgValue, "Setting the TLS ServerName to an IP address is not permitted by RFC 6066. The following address was provided: "+servername)
		}
	} else if _, err := netip.ParseAddr(host); err != nil {
		servername = host
	}
	identity := servername
	if identity == "" {
		identity = host
	}
	if identity == "" {
		identity = "localhost"
	}
	sock := o.Socket
	if sock == nil {
		if o.Loop == nil {
			return nil, nodenet.NewError(nodenet.CodeInvalidArgValue, "The argument 'options.Loop' is invalid. Received nil")
		}
		if err := o.ConnectOptions.Validate(); err != nil {
			return nil, err
		}
		var err error
		sock, err = socket.New(socket.Options{Loop: o.Loop, StreamOptions: o.StreamOptions,
			TypeOfService: o.TypeOfService, BlockList: o.BlockList})
		if err != nil {
			return nil, err
		}
	}
	t := &TLSSocket{Socket: sock, ctx: ctx,
		client:             &clientSide{servername: servername, identityHost: identity, checkIdentity: o.CheckServerIdentity},
		rejectUnauthorized: o.RejectUnauthorized == nil || *o.RejectUnauthorized}
	t.e.init(t, false)
	cfg := ctx.config()
	cfg.ServerName = servername
	cfg.InsecureSkipVerify = true // verified after the handshake, as Node does (verifyPeer)
	cfg.RootCAs = ctx.roots
	if len(o.ALPNProtocols) > 0 {
		cfg.NextProtos = o.ALPNProtocols
	}
	cfg.KeyLogWriter = keylogWriter{t}
	cache := &clientCache{t: t}
	if len(o.Session) > 0 {
		cs, err := parseSession(o.Session)
		if err != nil {
			return nil, err
		}
		cache.resume = cs
	}
	cfg.ClientSessionCache = cache
	t.e.conn = tls.Client(&t.e.w, cfg)
	if len(ctx.certs) > 0 {
		t.e.hs.localCert = leafOf(&ctx.certs[0])
	}
	if cb != nil {
		t.OnceSecureConnect(cb)
	}
	upgrade := o.Socket != nil
	_ = sock.Loop().Exec(func() {
		if err := t.e.attach(); err != nil {
			sock.Destroy(err)
			return
		}
		if upgrade && !sock.Connecting() && !sock.Pending() {
			t.e.startHandshake()
		}
	})
	if !upgrade {
		if o.Timeout > 0 {
			_ = sock.SetTimeout(o.Timeout, nil)
		}
		if err := sock.Connect(o.ConnectOptions, nil); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// TLSSocketOptions are Node's new tls.TLSSocket(socket, options) options.
type TLSSocketOptions struct {
	SecureContextOptions
	SecureContext *SecureContext
	// IsServer makes this side the TLS server (Node's isServer).
	IsServer bool
	// Server-side: RequestCert and RejectUnauthorized (nil: true) as in
	// ServerOptions; ALPNProtocols to accept.
	RequestCert        bool
	RejectUnauthorized *bool
	ALPNProtocols      []string
	// HandshakeTimeout for a server-side socket (0: none, as Node's
	// TLSSocket without a server).
	HandshakeTimeout time.Duration
}

// NewTLSSocket is Node's new tls.TLSSocket(socket, {isServer: true, ...})
// for the server side of an upgrade (STARTTLS): sock, already connected,
// becomes the TLS server of its connection and waits for the client's
// handshake; 'secure' follows it, a failure is 'error'. For the client
// side use Connect with Socket.
//
// The TLSSocket is sock, not a wrapper beside it: from this call on, sock's
// writes are encrypted too (held until the handshake is done). Node's old
// net.Socket object stays raw, so a go-ahead written on it after new
// tls.TLSSocket goes out in plaintext; here, send the go-ahead before the
// upgrade.
func NewTLSSocket(sock *socket.Socket, o TLSSocketOptions) (*TLSSocket, error) {
	if sock == nil {
		return nil, nodenet.NewError(nodenet.CodeInvalidArgType, "The \"socket\" argument must be an instance of net.Socket")
	}
	if !o.IsServer {
		return Connect(ConnectOptions{Socket: sock, SecureContextOptions: o.SecureContextOptions,
			SecureContext: o.SecureContext, RejectUnauthorized: o.RejectUnauthorized, ALPNProtocols: o.ALPNProtocols}, nil)
	}
	ctx := o.SecureContext
	if ctx == nil {
		var err error
		if ctx, err = CreateSecureContext(o.SecureContextOptions); err != nil {
			return nil, err
		}
	}
	reject := o.RejectUnauthorized == nil || *o.RejectUnauthorized
	s := &Server{opts: ServerOptions{RequestCert: o.RequestCert, ALPNProtocols: o.ALPNProtocols}, reject: reject}
	s.ticketKeys = ctx.ticketKeys
	if s.ticketKeys == nil {
		s.ticketKeys = make([]byte, 48)
	}
	if err := s.setContext(ctx); err != nil {
		return nil, err
	}
	t := &TLSSocket{Socket: sock, isServer: true, ctx: ctx, requestCert: o.RequestCert, rejectUnauthorized: reject}
	t.e.init(t, true)
	t.e.conn = tls.Server(&t.e.w, s.cur.Load().cfg)
	_ = sock.Loop().Exec(func() {
		if err := t.e.attach(); err != nil {
			sock.Destroy(err)
			return
		}
		t.e.state = esHello
		t.e.updateReading()
		if o.HandshakeTimeout > 0 {
			t.e.startTimer(o.HandshakeTimeout)
		}
	})
	return t, nil
}

// keylogWriter turns crypto/tls's key log lines into 'keylog' events.
type keylogWriter struct{ t *TLSSocket }

func (k keylogWriter) Write(p []byte) (int, error) {
	t := k.t
	srvOn := t.srv != nil && t.srv.keylogOn()
	if !srvOn && t.SecureListenerCount(EventKeylog) == 0 {
		return len(p), nil
	}
	line := append([]byte(nil), p...)
	_ = t.Loop().Exec(func() {
		t.emitBytes(EventKeylog, line)
		if srvOn {
			t.srv.emitKeylog(line, t)
		}
	})
	return len(p), nil
}

// clientCache is a client connection's session cache: it offers the
// session given in ConnectOptions.Session and turns the sessions crypto/tls
// stores into 'session' events.
type clientCache struct {
	t      *TLSSocket
	resume *tls.ClientSessionState
}

func (c *clientCache) Get(string) (*tls.ClientSessionState, bool) {
	return c.resume, c.resume != nil
}

func (c *clientCache) Put(_ string, cs *tls.ClientSessionState) {
	if cs == nil {
		return
	}
	b, err := serializeSession(cs)
	if err != nil {
		return
	}
	t := c.t
	t.client.session.Store(&b)
	_ = t.Loop().Exec(func() { t.emitBytes(EventSession, b) })
}

// A session is crypto/tls's ticket and state, length-prefixed behind a tag.
const sessionTag = "nodenet-tls-session-1"

func serializeSession(cs *tls.ClientSessionState) ([]byte, error) {
	ticket, state, err := cs.ResumptionState()
	if err != nil || state == nil {
		return nil, err
	}
	sb, err := state.Bytes()
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(sessionTag)+4+len(ticket)+len(sb))
	b = append(b, sessionTag...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(ticket)))
	b = append(b, ticket...)
	return append(b, sb...), nil
}

func parseSession(b []byte) (*tls.ClientSessionState, error) {
	bad := nodenet.NewError(CodeInvalidSession, "Invalid TLS session: not one saved from 'session' or getSession()")
	if len(b) < len(sessionTag)+4 || string(b[:len(sessionTag)]) != sessionTag {
		return nil, bad
	}
	b = b[len(sessionTag):]
	n := int(binary.BigEndian.Uint32(b))
	b = b[4:]
	if n > len(b) {
		return nil, bad
	}
	state, err := tls.ParseSessionState(b[n:])
	if err != nil {
		return nil, &nodenet.Error{Code: CodeInvalidSession, Message: bad.Message, Err: err}
	}
	return tls.NewResumptionState(append([]byte(nil), b[:n]...), state)
}
