package socket

import (
	"net/netip"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
)

// AcceptOptions describe a connection a server accepted, for NewAccepted.
// A server builds them once and copies them per connection (setting only
// Remote), so nothing in them is allocated per connection.
type AcceptOptions struct {
	AllowHalfOpen  bool
	PauseOnConnect bool
	HighWaterMark  int
	MaxBufferSize  int
	// NoDelay: nil leaves the default (on); KeepAlive applies SO_KEEPALIVE.
	NoDelay               *bool
	KeepAlive             bool
	KeepAliveInitialDelay time.Duration
	// Remote is the peer address accept returned (saves a getpeername).
	Remote netip.AddrPort
	// Unix marks a Unix domain connection (no names, no TCP options).
	Unix bool
	// Hook, when not nil, is shared by the socket (not copied): what Owner
	// returns and the destroy hook. It replaces Owner and OnDestroy, which
	// cost every socket an OwnerHook of its own.
	Hook *OwnerHook
	// Owner is what Socket.Owner returns (the server: Node's socket.server).
	Owner any
	// OnDestroy runs synchronously inside destroy, before any event: the
	// server's connection count drops at once, as in Node's _destroy.
	OnDestroy func()
}

// NewAccepted wraps a descriptor a server accepted. It must be called on l's
// goroutine; the socket belongs to l. The caller emits 'connection'.
func NewAccepted(l *reactor.Loop, fd nodenet.FD, o AcceptOptions) (*Socket, error) {
	s := newSocket(l)
	s.applyAccept(&o)
	kind := kindTCP4
	if o.Unix {
		kind = kindUnix
	} else if o.Remote.Addr().Is6() {
		kind = kindTCP6
	}
	// accept4 made fd close-on-exec and nobody else has seen it yet.
	s.set(fSoleFD)
	if err := s.adopt(fd, kind, o.Remote); err != nil {
		s.set(fHookDone) // the server counts the failure itself
		return nil, err
	}
	return s, nil
}

// applyAccept applies the options of an accepted connection (sockets and
// Windows named pipes).
func (s *Socket) applyAccept(o *AcceptOptions) {
	s.applyStreamOptions(o.AllowHalfOpen, o.HighWaterMark, o.MaxBufferSize, o.NoDelay, o.KeepAlive, o.KeepAliveInitialDelay)
	switch {
	case o.Hook != nil:
		s.hook = o.Hook
	case o.Owner != nil || o.OnDestroy != nil:
		s.hook = &OwnerHook{Owner: o.Owner, OnDestroy: o.OnDestroy}
	}
	if o.PauseOnConnect {
		s.flowing = 0
	}
}

// adopt takes over a connected descriptor. It runs once, on a new socket,
// before any other goroutine can see it.
func (s *Socket) adopt(fd nodenet.FD, kind sockKind, remote netip.AddrPort) error {
	s.fd = fd
	s.setKind(kind)
	if remote.IsValid() && kind != kindUnix {
		s.setAcceptedRemote(remote)
	}
	// Registered with the interest the socket starts with (it reads at once
	// unless paused on connect), not with none and then changed: that was an
	// EPOLL_CTL_ADD plus an EPOLL_CTL_MOD per accepted connection.
	s.set(fConnected | fEverConnected)
	want := s.interest()
	if err := s.loop.Register(fd, want, s); err != nil {
		s.unset(fConnected | fEverConnected | fSoleFD)
		s.fd = sysnet.Invalid
		return err
	}
	s.setTo(fReadingNow, want&nodenet.EventRead != 0)
	s.mark(stOpen, true)
	s.applySocketOptions()
	if !s.has(fWritable) {
		s.set(fEnding | fShutdownDone | fFinished)
		s.mark(stEnding, true)
	}
	s.updateRef()
	s.updateInterest()
	return nil
}

// SetOwnerHook is for servers: it sets what Owner returns and the hook run
// synchronously when the socket is destroyed. Loop goroutine only.
func (s *Socket) SetOwnerHook(owner any, onDestroy func()) {
	s.hook = &OwnerHook{Owner: owner, OnDestroy: onDestroy}
	s.unset(fHookDone)
}

var _ reactor.Handler = (*Socket)(nil)
var _ reactor.PanicHandler = (*Socket)(nil)
var _ reactor.Stopper = (*Socket)(nil)
var _ = nodenet.EventRead

// FD is the socket's descriptor (-1 on Unix, INVALID_SOCKET on Windows,
// without one), for Server.Listen's handle
// form and for users who need a socket option nodenet does not wrap. Loop
// goroutine only; do not close it.
func (s *Socket) FD() nodenet.FD {
	s.mark(stFDExposed, true)
	return s.fd
}

// soleFD reports whether closing the descriptor also removes its poller
// registration, so destroy may use Loop.CloseRegistered.
func (s *Socket) soleFD() bool { return s.has(fSoleFD) && !s.is(stFDExposed) }
