//go:build unix

package sysnet

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// Errors the callers construct or compare with.
var (
	ETIMEDOUT  error = unix.ETIMEDOUT
	EALREADY   error = unix.EALREADY
	EADDRINUSE error = unix.EADDRINUSE
	EPIPE      error = unix.EPIPE
	EBADF      error = unix.EBADF
	EINVAL     error = unix.EINVAL
	ENOTSOCK   error = unix.ENOTSOCK
	// ECONNREFUSED from a nonblocking connect is reported later, with the
	// connect's outcome, as libuv does (its delayed_error).
	ECONNREFUSED error = unix.ECONNREFUSED
)

// IsWouldBlock: the call would have waited (EAGAIN).
func IsWouldBlock(err error) bool { return err == unix.EAGAIN }

// IsInterrupted: a signal cut the call short before it did anything.
func IsInterrupted(err error) bool { return err == unix.EINTR }

// IsNotConnected: shutdown on a socket the peer already reset.
func IsNotConnected(err error) bool { return err == unix.ENOTCONN }

// IsOutOfResources: accept failed for want of descriptors (EMFILE, ENFILE);
// the listener must shed load rather than spin.
func IsOutOfResources(err error) bool { return err == unix.EMFILE || err == unix.ENFILE }

// IsAcceptRetry: accept lost a connection that was reset or aborted while
// queued, or was interrupted; the next one may be fine.
func IsAcceptRetry(err error) bool { return err == unix.EINTR || err == unix.ECONNABORTED }

// IsNoIPv6: binding "::" failed because this host has no IPv6.
func IsNoIPv6(err error) bool {
	return err == unix.EAFNOSUPPORT || err == unix.EADDRNOTAVAIL || err == unix.EPROTONOSUPPORT
}

// Socket makes a nonblocking, close-on-exec TCP socket.
func Socket(v6 bool) (FD, error) {
	domain := unix.AF_INET
	if v6 {
		domain = unix.AF_INET6
	}
	return newStreamSocket(domain)
}

// UnixSocket makes a nonblocking, close-on-exec Unix domain stream socket.
func UnixSocket() (FD, error) { return newStreamSocket(unix.AF_UNIX) }

// Connect starts a nonblocking connect. nil means connected or in progress
// (the poller reports writable when it completes; SoError tells how).
func Connect(fd FD, ap netip.AddrPort) error {
	return connectStarted(unix.Connect(fd, sockaddr(ap)))
}

// ConnectUnix starts a nonblocking connect to a Unix domain socket name.
func ConnectUnix(fd FD, name string) error {
	return connectStarted(unix.Connect(fd, &unix.SockaddrUnix{Name: name}))
}

func connectStarted(err error) error {
	if err == unix.EINPROGRESS || err == unix.EINTR {
		return nil
	}
	return err
}

// Bind names the socket.
func Bind(fd FD, ap netip.AddrPort) error { return unix.Bind(fd, sockaddr(ap)) }

// BindUnix binds a Unix domain socket name (a path, or "@name" abstract).
func BindUnix(fd FD, name string) error { return unix.Bind(fd, &unix.SockaddrUnix{Name: name}) }

// Listen marks the socket as accepting connections.
func Listen(fd FD, backlog int) error { return unix.Listen(fd, backlog) }

// Accept takes one connection: nonblocking and close-on-exec, with the
// peer's name.
func Accept(fd FD) (FD, Addr, error) {
	nfd, sa, err := accept(fd)
	if err != nil {
		return Invalid, Addr{}, err
	}
	return nfd, sa, nil
}

// ShutdownWrite sends FIN (SHUT_WR).
func ShutdownWrite(fd FD) error { return shutdownWrite(fd) }

// Close closes the descriptor.
func Close(fd FD) error { return unix.Close(fd) }

// SetNonblock makes an adopted descriptor nonblocking (and, on macOS,
// SIGPIPE-free: every descriptor a socket or server takes over goes through
// here, as every one sysnet makes or accepts goes through noSigPipe).
func SetNonblock(fd FD) error {
	if err := unix.SetNonblock(fd, true); err != nil {
		return err
	}
	noSigPipe(fd)
	return nil
}

// CloseOnExec marks an adopted descriptor close-on-exec.
func CloseOnExec(fd FD) { unix.CloseOnExec(fd) }

// Dup duplicates a descriptor, close-on-exec.
func Dup(fd FD) (FD, error) { return unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0) }

// SoError is the socket's pending error (SO_ERROR), nil if none.
func SoError(fd FD) error {
	v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return err
	}
	if v != 0 {
		return unix.Errno(v)
	}
	return nil
}

// LocalAddr is getsockname.
func LocalAddr(fd FD) (Addr, error) {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return Addr{}, err
	}
	return addrOf(sa), nil
}

// PeerAddr is getpeername.
func PeerAddr(fd FD) (Addr, error) {
	sa, err := unix.Getpeername(fd)
	if err != nil {
		return Addr{}, err
	}
	return addrOf(sa), nil
}

// Peek looks at what is waiting without consuming it (MSG_PEEK): 0 bytes
// and no error is EOF.
func Peek(fd FD, p []byte) (int, error) {
	n, _, err := unix.Recvfrom(fd, p, unix.MSG_PEEK)
	if err != nil {
		return -1, err
	}
	return n, nil
}

// SetNoDelay sets TCP_NODELAY.
func SetNoDelay(fd FD, on bool) error { return setNoDelay(fd, on) }

// SetLingerZero makes Close send RST (SO_LINGER with a zero timeout).
func SetLingerZero(fd FD) error {
	return unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
}

// SetReuseAddr sets SO_REUSEADDR on a listening socket (rebinding a port in
// TIME_WAIT).
func SetReuseAddr(fd FD) error {
	return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
}

// SetReusePort sets SO_REUSEPORT.
func SetReusePort(fd FD) error {
	return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
}

// SetV6Only sets IPV6_V6ONLY.
func SetV6Only(fd FD, on bool) error {
	return unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, boolInt(on))
}

// OpenSpare opens the reserve descriptor of the EMFILE trick (/dev/null);
// Invalid if none could be had.
func OpenSpare() FD {
	fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return Invalid
	}
	return fd
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func sockaddr(ap netip.AddrPort) unix.Sockaddr {
	ip := ap.Addr()
	if ip.Is4() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ip.As4()}
	}
	sa := &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ip.As16()}
	if z := ip.Zone(); z != "" {
		sa.ZoneId = zoneIndex(z)
	}
	return sa
}

func addrOf(sa unix.Sockaddr) Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return ip4Addr(a.Addr, a.Port)
	case *unix.SockaddrInet6:
		return ip6Addr(a.Addr, a.Port, a.ZoneId)
	case *unix.SockaddrUnix:
		return Addr{Unix: true, Path: a.Name}
	}
	return Addr{}
}
