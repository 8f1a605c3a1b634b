package socket

import (
	"net/netip"
	"strconv"
	"sync/atomic"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/sysnet"
)

// AddressInfo is Node's address object {address, family, port}; the zero
// value is Node's {} (no name: Unix sockets, destroyed sockets).
type AddressInfo struct {
	Address string // "127.0.0.1", "::1", "::ffff:127.0.0.1"
	Family  string // "IPv4" or "IPv6"
	Port    int
}

// String formats the address as host:port ("[::1]:80" for IPv6).
func (a AddressInfo) String() string {
	if a.Address == "" {
		return ""
	}
	if a.Family == "IPv6" {
		return "[" + a.Address + "]:" + strconv.Itoa(a.Port)
	}
	return a.Address + ":" + strconv.Itoa(a.Port)
}

// addrCache publishes a socket name once, so getters on other goroutines read
// it without a lock. A nil pointer means "unknown" (Node's undefined).
type addrCache struct {
	p atomic.Pointer[AddressInfo]
}

func (c *addrCache) get() AddressInfo {
	if a := c.p.Load(); a != nil {
		return *a
	}
	return AddressInfo{}
}

func (c *addrCache) set(a *AddressInfo) { c.p.Store(a) }
func (c *addrCache) reset()             { c.p.Store(nil) }
func (c *addrCache) known() bool        { return c.p.Load() != nil }

// sockaddrInfo converts a kernel socket address (sysnet.Addr.NodeAddress,
// the one conversion); nil, unknown, for Unix addresses, which have no
// Node-visible name on a socket.
func sockaddrInfo(a sysnet.Addr) *AddressInfo {
	if a.Unix || !a.IP.IsValid() {
		return nil
	}
	address, family, port := a.NodeAddress()
	return &AddressInfo{Address: address, Family: family, Port: port}
}

// RemoteAddress is the peer's IP: "" (Node's undefined) before connect, for
// Unix sockets and pipes, and after destroy unless a remote getter
// (RemoteAddress, RemotePort, RemoteFamily) was called while the socket was
// open — Node keeps the first answer it gave and nothing else. Any
// goroutine.
func (s *Socket) RemoteAddress() string { return s.remoteInfo().Address }

// RemotePort is the peer's port (0 when unknown).
func (s *Socket) RemotePort() int { return s.remoteInfo().Port }

// RemoteFamily is "IPv4" or "IPv6" ("" when unknown).
func (s *Socket) RemoteFamily() string { return s.remoteInfo().Family }

// LocalAddress is the IP the socket is bound to locally ("" when unknown).
func (s *Socket) LocalAddress() string { return s.localInfo().Address }

// LocalPort is the local port (0 when unknown).
func (s *Socket) LocalPort() int { return s.localInfo().Port }

// LocalFamily is the local address family ("" when unknown).
func (s *Socket) LocalFamily() string { return s.localInfo().Family }

// Address is Node's socket.address(): the local name, or the zero value after
// destroy and for Unix sockets.
func (s *Socket) Address() AddressInfo { return s.localInfo() }

// remoteInfo is cached: accepted sockets keep the peer accept returned in
// binary (raddr) and format it here, client sockets know it from their
// connect target, others ask getpeername once (Node caches the first answer
// and keeps it after close).
func (s *Socket) remoteInfo() AddressInfo {
	st := s.st.Load()
	if st&stDestroyed != 0 && st&stPeerRead == 0 {
		return AddressInfo{} // never read while open: Node's undefined
	}
	a := s.peer(st)
	if a.Address != "" && st&(stDestroyed|stPeerRead) == 0 {
		s.peerRead()
	}
	return a
}

// peer is the remote name as known now, without the read-while-open rule.
func (s *Socket) peer(st uint32) AddressInfo {
	if st&(stRemote4|stRemote6) != 0 {
		return s.inlineRemote(st)
	}
	c := s.coldOrNil()
	if (c != nil && c.remote.known()) || sockKind(st&stKindMask>>stKindShift) == kindUnix {
		return c.remoteGet()
	}
	switch {
	case s.loop.InLoop():
		if s.fd != sysnet.Invalid && s.open() {
			if sa, err := sysnet.PeerAddr(s.fd); err == nil {
				c = s.c()
				c.remote.set(sockaddrInfo(sa))
			}
		}
	case st&stOpen != 0:
		// From another goroutine: ask the kernel under the descriptor's
		// read lock (see withFD), so the answer is this connection's.
		s.withFD(func(fd nodenet.FD) {
			if sa, err := sysnet.PeerAddr(fd); err == nil {
				c = s.c()
				c.remote.set(sockaddrInfo(sa))
			}
		})
	}
	return c.remoteGet()
}

// inlineRemote formats raddr and rport. They were written before the
// stRemote bit was published and never change after, so any goroutine may
// read them once it saw the bit.
func (s *Socket) inlineRemote(st uint32) AddressInfo {
	ip := netip.AddrFrom16(s.raddr)
	if st&stRemote4 != 0 {
		ip = ip.Unmap()
	}
	return *sockaddrInfo(sysnet.Addr{IP: netip.AddrPortFrom(ip, s.rport)})
}

// setAcceptedRemote records the peer of a new socket: in binary when it can
// be (written once, before the socket is shared), else as an AddressInfo.
func (s *Socket) setAcceptedRemote(remote netip.AddrPort) {
	ip := remote.Addr()
	if s.st.Load()&(stRemote4|stRemote6) == 0 && ip.Zone() == "" {
		s.raddr, s.rport = ip.As16(), remote.Port()
		s.remoteInline(ip.Is4())
		return
	}
	s.c().remote.set(sockaddrInfo(sysnet.Addr{IP: remote}))
}

// resetRemote forgets the peer for a reconnect. The binary copy is not
// cleared (another goroutine may be formatting it); its bit is.
func (s *Socket) resetRemote() {
	s.forgetPeer()
	if c := s.coldOrNil(); c != nil {
		c.remote.reset()
	}
}

func (c *socketCold) remoteGet() AddressInfo {
	if c == nil {
		return AddressInfo{}
	}
	return c.remote.get()
}

func (c *socketCold) localGet() AddressInfo {
	if c == nil {
		return AddressInfo{}
	}
	return c.local.get()
}

// localInfo asks getsockname on first use and caches the answer until the
// socket is destroyed. From another goroutine it asks under the
// descriptor's read lock (withFD): an accepted socket's name used to read
// as the zero value there until something asked on the loop.
func (s *Socket) localInfo() AddressInfo {
	c := s.coldOrNil()
	if (c != nil && c.local.known()) || s.kind() == kindUnix {
		return c.localGet()
	}
	ask := func(fd nodenet.FD) {
		if sa, err := sysnet.LocalAddr(fd); err == nil {
			c = s.c()
			c.local.set(sockaddrInfo(sa))
		}
	}
	if !s.loop.InLoop() {
		s.withFD(ask)
	} else if s.fd != sysnet.Invalid && !s.is(stDestroyed) {
		ask(s.fd)
	}
	return c.localGet()
}

// resetLocal forgets the cached local name (destroy, reconnect).
func (s *Socket) resetLocal() {
	if c := s.coldOrNil(); c != nil {
		c.local.reset()
	}
}

// resolveLocal fills the local name cache right after connect so getters on
// other goroutines see it too.
func (s *Socket) resolveLocal() {
	if s.kind() == kindUnix || s.fd == sysnet.Invalid {
		return
	}
	if sa, err := sysnet.LocalAddr(s.fd); err == nil {
		s.c().local.set(sockaddrInfo(sa))
	}
}

// ipSockaddr turns an IP literal (with an optional %zone) and port into a
// kernel address.
func ipSockaddr(ip netip.Addr, port int) netip.AddrPort {
	return netip.AddrPortFrom(ip, uint16(port))
}
