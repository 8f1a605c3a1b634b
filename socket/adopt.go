package socket

import (
	"net/netip"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
)

// AcceptOptions describe a connection a server accepted, for NewAccepted.
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
	s.applyOptions(&Options{AllowHalfOpen: o.AllowHalfOpen, HighWaterMark: o.HighWaterMark,
		MaxBufferSize: o.MaxBufferSize, NoDelay: o.NoDelay, KeepAlive: o.KeepAlive,
		KeepAliveInitialDelay: o.KeepAliveInitialDelay})
	s.owner = o.Owner
	s.onDestroyHook = o.OnDestroy
	if o.PauseOnConnect {
		s.flowing = 0
	}
	kind := kindTCP4
	if o.Unix {
		kind = kindUnix
	} else if o.Remote.Addr().Is6() {
		kind = kindTCP6
	}
	if err := s.adopt(fd, kind, o.Remote); err != nil {
		s.onDestroyHook = nil
		return nil, err
	}
	return s, nil
}

// adopt takes over a connected descriptor.
func (s *Socket) adopt(fd nodenet.FD, kind sockKind, remote netip.AddrPort) error {
	s.fd = fd
	s.setKind(kind)
	if remote.IsValid() && kind != kindUnix {
		s.remote.set(sockaddrInfo(sysnet.Addr{IP: remote}))
	}
	if err := s.loop.Register(fd, 0, s); err != nil {
		s.fd = sysnet.Invalid
		return err
	}
	s.connected = true
	s.everConnected = true
	s.isOpen.Store(true)
	s.applySocketOptions()
	if !s.writable {
		s.ending, s.shutdownDone, s.finished = true, true, true
		s.isEnding.Store(true)
	}
	s.updateRef()
	s.updateInterest()
	return nil
}

// SetOwnerHook is for servers: it sets what Owner returns and the hook run
// synchronously when the socket is destroyed. Loop goroutine only.
func (s *Socket) SetOwnerHook(owner any, onDestroy func()) {
	s.owner = owner
	s.onDestroyHook = onDestroy
}

var _ reactor.Handler = (*Socket)(nil)
var _ reactor.PanicHandler = (*Socket)(nil)
var _ reactor.Stopper = (*Socket)(nil)
var _ = nodenet.EventRead

// FD is the socket's descriptor (-1 on Unix, INVALID_SOCKET on Windows,
// without one), for Server.Listen's handle
// form and for users who need a socket option nodenet does not wrap. Loop
// goroutine only; do not close it.
func (s *Socket) FD() nodenet.FD { return s.fd }
