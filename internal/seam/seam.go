// Package seam is the door between the socket and server packages that
// users do not see: what a server hands the sockets it accepts, and the
// constructor it builds them with. The socket package fills in the
// constructors when it is initialised (it cannot be imported from here
// without a cycle), so the server package, which imports socket, always
// finds them set.
//
// It is also the boundary between a socket and a protocol layered on its
// byte stream (TLS): Layer and Transport, in layer.go.
package seam

import (
	"net/netip"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/reactor"
)

// OwnerHook is what a server attaches to the sockets it accepts: Owner is
// what Socket.Owner returns (Node's socket.server) and OnDestroy runs
// synchronously inside destroy, before any event (the server's connection
// count drops at once, as in Node's _destroy). One OwnerHook is shared by
// every socket of a server, so it costs a connection one pointer.
type OwnerHook struct {
	Owner     any
	OnDestroy func()
}

// AcceptOptions describe a connection a server accepted. A server builds
// them once and copies them per connection (setting only Remote), so
// nothing in them is allocated per connection.
type AcceptOptions struct {
	// Stream is the server's socket.StreamOptions (its Options embed one),
	// boxed once when the server is made: copying it per connection copies
	// the interface, and the socket's type assertion copies the struct out
	// without allocating. It is an interface because this package cannot
	// name socket's type (the reason NewAccepted returns any); nil means
	// the defaults.
	Stream any
	// PauseOnConnect: the socket does not read until Resume.
	PauseOnConnect bool
	// Remote is the peer address accept returned (saves a getpeername).
	Remote netip.AddrPort
	// Unix marks a Unix domain connection (no names, no TCP options).
	Unix bool
	// Hook is shared by the socket, not copied (nil: no owner).
	Hook *OwnerHook
}

// NewAccepted wraps a descriptor a server accepted in a *socket.Socket
// (returned as any: this package cannot name the type). It must be called
// on l's goroutine; the socket belongs to l and the caller emits
// 'connection'. On error the descriptor is the caller's to close.
var NewAccepted func(l *reactor.Loop, fd nodenet.FD, o AcceptOptions) (any, error)

// DupFD duplicates a *socket.Socket's descriptor (passed as any) from any
// goroutine, for a server's Listen{Handle: socket}: the duplicate is made
// while the socket cannot close or replace its descriptor, so it is never
// another connection's that took the number meanwhile. A socket without
// one, or destroyed, gives EBADF.
var DupFD func(sock any) (nodenet.FD, error)
