package tls

import (
	"crypto/tls"
	"crypto/x509"
	"sync/atomic"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/emitter"
	"github.com/nodenet/nodenet/socket"
)

// TLSSocket is Node's tls.TLSSocket: a socket.Socket — every method and
// event of it, promoted — whose data is encrypted. Data listeners, pipes
// and SetEncoding see plaintext; Send, Write, End and Cork take plaintext;
// End sends close_notify before the FIN. On top of the socket it has the
// secure API (Authorized, GetPeerCertificate, GetProtocol, …) and the
// events 'secureConnect', 'secure', 'session' and 'keylog'.
//
// What differs from a plain socket, as in Node: BytesRead and BytesWritten
// count plaintext. BufferSize counts the bytes waiting for the kernel: the
// plaintext of writes held until the handshake is done, then TLS records
// (plaintext plus about 22 bytes a record) — Node counts the plaintext of
// writes not yet done. A write made before the handshake finishes is held
// and sent once it has ('secureConnect'); an End made then waits too.
//
// A TLSSocket and the Socket it embeds are one connection: the server's
// 'connection' event and an upgraded socket (Connect with Socket,
// NewTLSSocket) hand out the same *socket.Socket, whose listeners see the
// plaintext from then on.
type TLSSocket struct {
	*socket.Socket
	e engine

	ctx                *SecureContext
	srv                *Server
	requestCert        bool
	rejectUnauthorized bool
	isServer           bool

	// client is what only a client uses (nil on a server's sockets, which
	// are most of a server's memory).
	client *clientSide

	// info is what the handshake established: infoVal once published
	// (written before, read-only after; in the struct, not allocated).
	info    atomic.Pointer[secureInfo]
	infoVal secureInfo

	// events is the TLS events' listeners: added and removed from any
	// goroutine (as before, at once), emitted on the loop; nil until the
	// first is added (an idle server connection has none).
	events atomic.Pointer[emitter.Shared[SecureEvent]]
}

// clientSide is the part of a TLSSocket only a client has.
type clientSide struct {
	servername    string // sent as SNI ("" for an IP)
	identityHost  string // what the identity check compares with
	checkIdentity func(host string, cert *PeerCertificate) error
	session       atomic.Pointer[[]byte]
}

// listeners is the TLS events' list, made on first use (any goroutine).
func (t *TLSSocket) listeners() *emitter.Shared[SecureEvent] {
	if l := t.events.Load(); l != nil {
		return l
	}
	t.events.CompareAndSwap(nil, new(emitter.Shared[SecureEvent]))
	return t.events.Load()
}

// secureInfo is what the handshake established, published once.
type secureInfo struct {
	authorized bool
	authErr    error
	localCert  *x509.Certificate
	chain      []*x509.Certificate // verified, leaf to anchor; nil if not
}

// SecureEvent names a TLSSocket event beyond those of socket.Socket.
type SecureEvent uint8

// The TLSSocket events.
const (
	// EventSecureConnect: the client's handshake finished and the peer was
	// verified (or RejectUnauthorized is false).
	EventSecureConnect SecureEvent = iota
	// EventSecure: emitted right after 'secureConnect', and on a socket
	// upgraded with NewTLSSocket(IsServer) when its handshake finished.
	EventSecure
	// EventSession: a client received a session (ticket) it can resume
	// with; the argument is what ConnectOptions.Session takes.
	EventSession
	// EventKeylog: key material in NSS key log format (one line, with its
	// newline), for Wireshark.
	EventKeylog
)

// on adds fn for a TLS event. A nil fn panics with ERR_INVALID_ARG_TYPE at
// the call, as Node's on() throws and the Socket's On methods do.
func (t *TLSSocket) on(ev SecureEvent, fn any, once bool) socket.ListenerID {
	if emitter.IsNil(fn) {
		panic(nodenet.NewError(nodenet.CodeInvalidArgType, `The "listener" argument must be of type function. Received null`))
	}
	id := emitter.NewID()
	t.listeners().Add(id, ev, fn, once)
	return socket.ListenerID(id)
}

// The TLS events' On and Once methods may be called from any goroutine;
// the listener is added at once, and follows Node's EventEmitter rules as
// the Socket's do (internal/emitter). Their ids share the Socket's id
// space: RemoveListener takes either.

// OnSecureConnect adds a 'secureConnect' listener (what Connect's
// callback is).
func (t *TLSSocket) OnSecureConnect(fn func()) socket.ListenerID {
	return t.on(EventSecureConnect, fn, false)
}

// OnceSecureConnect adds a one-time 'secureConnect' listener.
func (t *TLSSocket) OnceSecureConnect(fn func()) socket.ListenerID {
	return t.on(EventSecureConnect, fn, true)
}

// OnSecure adds a 'secure' listener.
func (t *TLSSocket) OnSecure(fn func()) socket.ListenerID { return t.on(EventSecure, fn, false) }

// OnceSecure adds a one-time 'secure' listener.
func (t *TLSSocket) OnceSecure(fn func()) socket.ListenerID { return t.on(EventSecure, fn, true) }

// OnSession adds a 'session' listener: session is a resumable session, for
// ConnectOptions.Session. TLS 1.3 servers send it after the handshake.
func (t *TLSSocket) OnSession(fn func(session []byte)) socket.ListenerID {
	return t.on(EventSession, fn, false)
}

// OnceSession adds a one-time 'session' listener.
func (t *TLSSocket) OnceSession(fn func(session []byte)) socket.ListenerID {
	return t.on(EventSession, fn, true)
}

// OnKeylog adds a 'keylog' listener: line is one NSS key log line.
func (t *TLSSocket) OnKeylog(fn func(line []byte)) socket.ListenerID {
	return t.on(EventKeylog, fn, false)
}

// OnceKeylog adds a one-time 'keylog' listener.
func (t *TLSSocket) OnceKeylog(fn func(line []byte)) socket.ListenerID {
	return t.on(EventKeylog, fn, true)
}

// RemoveListener removes a listener of the socket or of its TLS events
// (Node's removeListener).
func (t *TLSSocket) RemoveListener(id socket.ListenerID) {
	if l := t.events.Load(); l != nil {
		if _, ok := l.Remove(uint64(id)); ok {
			return
		}
	}
	t.Socket.RemoveListener(id)
}

// RemoveAllSecureListeners removes every listener of a TLS event (Node's
// removeAllListeners; the Socket's RemoveAllListeners takes its events).
func (t *TLSSocket) RemoveAllSecureListeners(ev SecureEvent) {
	if l := t.events.Load(); l != nil {
		l.RemoveAll(ev)
	}
}

// SecureListenerCount counts the listeners of a TLS event (Node's
// listenerCount), from any goroutine.
func (t *TLSSocket) SecureListenerCount(ev SecureEvent) int {
	if l := t.events.Load(); l != nil {
		return l.Count(ev)
	}
	return 0
}

// live reports whether ev's listeners still run: after the socket was
// destroyed only 'keylog' and 'session' (what the handshake left) do.
func (t *TLSSocket) live(ev SecureEvent) bool {
	return !t.Destroyed() || ev == EventKeylog || ev == EventSession
}

// emit0 calls ev's listeners (present when the emit started), each as a
// callback the socket owns. Loop goroutine.
func (t *TLSSocket) emit0(ev SecureEvent) {
	l := t.events.Load()
	if l == nil {
		return
	}
	emitter.EachShared(l, ev, func(f func()) bool {
		if !t.live(ev) {
			return false
		}
		t.guard(f)
		return true
	})
}

func (t *TLSSocket) emitBytes(ev SecureEvent, b []byte) {
	l := t.events.Load()
	if l == nil {
		return
	}
	emitter.EachShared(l, ev, func(f func([]byte)) bool {
		if !t.live(ev) {
			return false
		}
		t.guard(func() { f(b) })
		return true
	})
}

// guard runs a user callback as one the socket owns (Loop.CallArg): the
// loop recovers a panic in it and hands it to callbackOwner, which destroys
// the socket, as a panic in a socket listener does; the caller goes on.
func (t *TLSSocket) guard(fn func()) {
	t.Loop().CallArg(func(any) { fn() }, (*callbackOwner)(t))
}

// callbackOwner is a TLSSocket as the owner of its user callbacks
// (reactor.PanicHandler): a pointer conversion, no allocation.
type callbackOwner TLSSocket

// HandlePanic destroys the socket with the panic (logged by the loop),
// wrapped as a TLS callback's.
func (o *callbackOwner) HandlePanic(err error) {
	(*TLSSocket)(o).Destroy(&nodenet.Error{Code: nodenet.CodeCallbackPanic, Message: "a TLS callback panicked", Err: err})
}

// --- the handshake's outcome, on the loop ---

// secured applies Node's checks after a successful handshake; false means
// the socket was rejected and destroyed.
func (t *TLSSocket) secured() bool {
	v := t.e.hs.verify
	info := &t.infoVal
	*info = secureInfo{authorized: v.authorized, authErr: v.err, localCert: t.e.hs.localCert, chain: v.chain}
	if !t.isServer && v.err == nil && t.client.checkIdentity != nil && !t.e.conn.ConnectionState().DidResume {
		var err error
		// The certificate from the connection: the getters answer only
		// once info is published, below.
		cert := newPeerCertificate(peerChain(t.e.conn.ConnectionState(), v.chain), true)
		t.guard(func() { err = t.client.checkIdentity(t.client.identityHost, cert) })
		if err != nil {
			info.authorized, info.authErr = false, err
		}
	}
	t.info.Store(info)
	if info.authErr == nil || !t.rejectUnauthorized || (t.isServer && !t.requestCert) {
		return true
	}
	t.e.state = esDone
	if !t.isServer {
		t.e.tr.Destroy(info.authErr)
		return false
	}
	// Node's server destroys a client whose certificate does not verify
	// without an error, and its 'tlsClientError' then says the socket hung
	// up; here it unwraps to the verification error too.
	t.e.tr.Destroy(nil)
	if t.srv != nil {
		t.srv.emitTLSClientError(tlsError(CodeConnReset, "socket hang up", info.authErr), t)
	}
	return false
}

// emitSecure is Node's events after a handshake: 'secureConnect' then
// 'secure' on a client; 'secureConnection' on the server; 'secure' on an
// upgraded server-side socket.
func (t *TLSSocket) emitSecure() {
	switch {
	case !t.isServer:
		t.emit0(EventSecureConnect)
		t.emit0(EventSecure)
	case t.srv != nil:
		t.srv.emitSecureConnection(t)
	default:
		t.emit0(EventSecure)
	}
}

// handshakeFailed: a server reports it as the server's 'tlsClientError'
// (the socket emits no 'error', as in Node); a client or an upgraded socket
// is destroyed with it ('error', then close(true)).
func (t *TLSSocket) handshakeFailed(err error) {
	if t.srv != nil {
		t.e.tr.DestroyReported(err)
		t.srv.emitTLSClientError(err, t)
		return
	}
	t.e.tr.Destroy(err)
}

// handshakeTimedOut: 'tlsClientError' with ERR_TLS_HANDSHAKE_TIMEOUT, then
// the socket is destroyed without an error, as in Node.
func (t *TLSSocket) handshakeTimedOut() {
	if t.srv != nil {
		t.srv.emitTLSClientError(ErrHandshakeTimeout, t)
		t.e.tr.Destroy(nil)
		return
	}
	t.e.tr.Destroy(ErrHandshakeTimeout)
}

// --- the secure API ---

// BufferSize is the number of bytes waiting for the kernel: the plaintext
// of writes held until the handshake is done, then the TLS records queued
// (see TLSSocket).
func (t *TLSSocket) BufferSize() int { return t.Socket.BufferSize() + int(t.e.heldSize.Load()) }

// WritableLength is BufferSize (Node's writable.writableLength).
func (t *TLSSocket) WritableLength() int { return t.BufferSize() }

// Encrypted is Node's tlsSocket.encrypted: always true.
func (t *TLSSocket) Encrypted() bool { return true }

// state is the connection state once the handshake finished.
func (t *TLSSocket) state() (tls.ConnectionState, bool) {
	if t.info.Load() == nil {
		return tls.ConnectionState{}, false
	}
	return t.e.conn.ConnectionState(), true
}

// IsSecure reports whether the handshake finished (Node's
// tlsSocket.secureConnecting, negated, once connected).
func (t *TLSSocket) IsSecure() bool { return t.info.Load() != nil }

// Authorized is Node's tlsSocket.authorized: the peer's certificate was
// signed by a trusted CA (and, on a client, matches the host). A server
// that does not request certificates reports false.
func (t *TLSSocket) Authorized() bool {
	i := t.info.Load()
	return i != nil && i.authorized
}

// AuthorizationError is Node's tlsSocket.authorizationError: why the peer
// is not authorized (a *nodenet.Error whose Code is Node's, e.g.
// DEPTH_ZERO_SELF_SIGNED_CERT), nil when it is or nothing was checked.
func (t *TLSSocket) AuthorizationError() error {
	if i := t.info.Load(); i != nil {
		return i.authErr
	}
	return nil
}

// ALPNProtocol is Node's tlsSocket.alpnProtocol: the negotiated protocol,
// "" when none was (Node: false).
func (t *TLSSocket) ALPNProtocol() string {
	cs, _ := t.state()
	return cs.NegotiatedProtocol
}

// Servername is Node's tlsSocket.servername: on a server the name the
// client asked for (SNI), on a client the name it sent; "" when none
// (Node: false).
func (t *TLSSocket) Servername() string {
	if !t.isServer {
		return t.client.servername
	}
	cs, _ := t.state()
	return cs.ServerName
}

// GetProtocol is Node's getProtocol(): "TLSv1.3", "TLSv1.2", …; "" before
// the handshake finished (Node: null).
func (t *TLSSocket) GetProtocol() string {
	cs, ok := t.state()
	if !ok {
		return ""
	}
	return versionName(cs.Version)
}

// GetCipher is Node's getCipher(); ok is false before the handshake.
func (t *TLSSocket) GetCipher() (info CipherInfo, ok bool) {
	cs, ok := t.state()
	if !ok {
		return CipherInfo{}, false
	}
	return cipherInfo(cs.CipherSuite), true
}

// GetEphemeralKeyInfo is Node's getEphemeralKeyInfo(): the key exchange
// group of the connection ("X25519", "P-256", "X25519MLKEM768", …), ""
// before the handshake or for an RSA key exchange.
func (t *TLSSocket) GetEphemeralKeyInfo() string {
	cs, ok := t.state()
	if !ok || cs.CurveID == 0 {
		return ""
	}
	return cs.CurveID.String()
}

// GetPeerCertificate is Node's getPeerCertificate(detailed): the peer's
// certificate, with its issuers linked through IssuerCertificate when
// detailed; nil when the peer sent none (Node: an empty object).
func (t *TLSSocket) GetPeerCertificate(detailed bool) *PeerCertificate {
	cs, ok := t.state()
	if !ok || !detailed {
		return newPeerCertificate(cs.PeerCertificates, detailed)
	}
	return newPeerCertificate(peerChain(cs, t.info.Load().chain), true)
}

// peerChain is the chain getPeerCertificate(true) links: the verified one
// (Node completes what the peer sent from its trust store: a CA the server
// does not send is still the leaf's issuerCertificate), else what the peer
// sent.
func peerChain(cs tls.ConnectionState, verified []*x509.Certificate) []*x509.Certificate {
	if len(verified) > 0 {
		return verified
	}
	return cs.PeerCertificates
}

// GetPeerX509Certificate is Node's getPeerX509Certificate().
func (t *TLSSocket) GetPeerX509Certificate() *x509.Certificate {
	cs, _ := t.state()
	if len(cs.PeerCertificates) == 0 {
		return nil
	}
	return cs.PeerCertificates[0]
}

// GetCertificate is Node's getCertificate(): the local certificate this
// side presented, nil if none.
func (t *TLSSocket) GetCertificate() *PeerCertificate {
	c := t.GetX509Certificate()
	if c == nil {
		return nil
	}
	return certObject(c)
}

// GetX509Certificate is Node's getX509Certificate().
func (t *TLSSocket) GetX509Certificate() *x509.Certificate {
	if i := t.info.Load(); i != nil {
		return i.localCert
	}
	return nil
}

// IsSessionReused is Node's isSessionReused(): the handshake resumed a
// session.
func (t *TLSSocket) IsSessionReused() bool {
	cs, _ := t.state()
	return cs.DidResume
}

// GetSession is Node's getSession(): the latest resumable session a client
// received (what ConnectOptions.Session takes), nil if none.
func (t *TLSSocket) GetSession() []byte {
	if t.client == nil {
		return nil
	}
	if p := t.client.session.Load(); p != nil {
		return *p
	}
	return nil
}

// ExportKeyingMaterial is Node's exportKeyingMaterial(length, label,
// context) (RFC 5705). A nil context is "no context", as in Node.
func (t *TLSSocket) ExportKeyingMaterial(length int, label string, context []byte) ([]byte, error) {
	cs, ok := t.state()
	if !ok {
		return nil, nodenet.NewError("ERR_TLS_INVALID_STATE", "TLS socket connection must be securely established")
	}
	return cs.ExportKeyingMaterial(label, context, length)
}

// ConnectionState is crypto/tls's view of the connection (Go's own API,
// beside Node's getters); the zero value before the handshake finished.
func (t *TLSSocket) ConnectionState() tls.ConnectionState {
	cs, _ := t.state()
	return cs
}
