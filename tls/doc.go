// Package tls is Node.js's tls module — tls.createServer, tls.connect,
// TLSSocket, SecureContext — on nodenet's reactor, with Go's crypto/tls as
// its engine. Import it beside crypto/tls under another name:
//
//	import (
//		"crypto/tls"
//		nntls "github.com/nodenet/nodenet/tls"
//	)
//
// A TLSSocket is a socket.Socket (every method and event, in Node's order)
// whose bytes pass through crypto/tls: records are decrypted on the loop
// once crypto/tls has a whole one, and encrypted straight into the socket's
// write path. No goroutine belongs to an established or idle connection.
// Handshakes, which crypto/tls runs as blocking calls, run on a bounded
// pool of goroutines (SetMaxHandshakeGoroutines; see handshakePool for
// what a handshake holds and what happens when the pool is full).
//
// Node → Go:
//
//	tls.createServer(options, fn)    nntls.CreateServer(nntls.ServerOptions{...}, fn)
//	tls.connect(options, cb)         nntls.Connect(nntls.ConnectOptions{...}, cb)
//	tls.createSecureContext(opts)    nntls.CreateSecureContext(nntls.SecureContextOptions{...})
//	new tls.TLSSocket(sock, {isServer: true})  nntls.NewTLSSocket(sock, nntls.TLSSocketOptions{IsServer: true})
//	tls.connect({socket})            nntls.Connect(nntls.ConnectOptions{Socket: sock}, cb)
//	tls.checkServerIdentity(h, c)    nntls.CheckServerIdentity(h, c)
//	server.on('secureConnection')    srv.OnSecureConnection(fn)
//	server.on('tlsClientError')      srv.OnTLSClientError(fn)
//	socket.on('secureConnect')       t.OnSecureConnect(fn)
//	once / removeListener / listenerCount   OnceX(fn) / RemoveListener(id) / SecureListenerCount(ev)
//
// Every callback runs on the socket's loop. Errors carry Node's codes
// (ERR_TLS_CERT_ALTNAME_INVALID, DEPTH_ZERO_SELF_SIGNED_CERT,
// ERR_TLS_HANDSHAKE_TIMEOUT, ERR_SSL_*, …) in a *nodenet.Error that
// unwraps to the crypto/tls or crypto/x509 error.
package tls
