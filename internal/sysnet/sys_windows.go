//go:build windows

package sysnet

import (
	"net/netip"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Errors the callers construct or compare with: the Winsock codes the root
// package maps to the same Node codes as their POSIX namesakes.
var (
	ETIMEDOUT  error = windows.WSAETIMEDOUT
	EALREADY   error = windows.WSAEALREADY
	EADDRINUSE error = windows.WSAEADDRINUSE
	EPIPE      error = windows.WSAESHUTDOWN
	EBADF      error = windows.WSAEBADF
	EINVAL     error = windows.WSAEINVAL
	ENOTSOCK   error = windows.WSAENOTSOCK
	// ECONNREFUSED from a nonblocking connect is reported later, with the
	// connect's outcome, as libuv does (its delayed_error).
	ECONNREFUSED error = windows.WSAECONNREFUSED
)

// IsWouldBlock: the call would have waited (WSAEWOULDBLOCK).
func IsWouldBlock(err error) bool { return err == windows.WSAEWOULDBLOCK }

// IsInterrupted: a blocking call was cancelled (WSAEINTR; nonblocking
// sockets should never see it).
func IsInterrupted(err error) bool { return err == windows.WSAEINTR }

// IsNotConnected: shutdown on a socket that is no longer connected.
func IsNotConnected(err error) bool { return err == windows.WSAENOTCONN }

// IsOutOfResources: accept failed for want of sockets or buffer space
// (WSAEMFILE, WSAENOBUFS); the listener must back off rather than spin.
func IsOutOfResources(err error) bool {
	return err == windows.WSAEMFILE || err == windows.WSAENOBUFS
}

// IsAcceptRetry: the queued connection was reset or aborted before accept
// took it (Windows reports WSAECONNRESET there), or the call was cancelled.
func IsAcceptRetry(err error) bool {
	return err == windows.WSAECONNRESET || err == windows.WSAECONNABORTED || err == windows.WSAEINTR
}

// IsNoIPv6: binding "::" failed because this host has no IPv6.
func IsNoIPv6(err error) bool {
	return err == windows.WSAEAFNOSUPPORT || err == windows.WSAEADDRNOTAVAIL || err == windows.WSAEPROTONOSUPPORT
}

var (
	ws2       = windows.NewLazySystemDLL("ws2_32.dll")
	procAcept = ws2.NewProc("accept")

	startOnce sync.Once
	startErr  error
)

// startup initialises Winsock once for this package (the poller does too;
// WSAStartup is reference-counted and never undone here).
func startup() error {
	startOnce.Do(func() {
		var d windows.WSAData
		startErr = windows.WSAStartup(uint32(0x0202), &d)
	})
	return startErr
}

// Socket makes a nonblocking, non-inheritable TCP socket, opened for
// overlapped use so the completion port may serve it too.
func Socket(v6 bool) (FD, error) {
	if err := startup(); err != nil {
		return Invalid, err
	}
	af := int32(windows.AF_INET)
	if v6 {
		af = windows.AF_INET6
	}
	fd, err := windows.WSASocket(af, windows.SOCK_STREAM, windows.IPPROTO_TCP, nil, 0,
		windows.WSA_FLAG_OVERLAPPED|windows.WSA_FLAG_NO_HANDLE_INHERIT)
	if err == windows.WSAEINVAL {
		// Before Windows 7 SP1 WSA_FLAG_NO_HANDLE_INHERIT is refused.
		fd, err = windows.WSASocket(af, windows.SOCK_STREAM, windows.IPPROTO_TCP, nil, 0, windows.WSA_FLAG_OVERLAPPED)
		if err == nil {
			CloseOnExec(fd)
		}
	}
	if err != nil {
		return Invalid, err
	}
	if err := SetNonblock(fd); err != nil {
		windows.Closesocket(fd)
		return Invalid, err
	}
	return fd, nil
}

// Connect starts a nonblocking connect. nil means connected or in progress
// (WSAEWOULDBLOCK): AFD_POLL then reports SEND on success or CONNECT_FAIL,
// and SoError tells which.
func Connect(fd FD, ap netip.AddrPort) error {
	err := windows.Connect(fd, sockaddr(ap))
	if err == windows.WSAEWOULDBLOCK {
		return nil
	}
	return err
}

// Bind names the socket.
func Bind(fd FD, ap netip.AddrPort) error { return windows.Bind(fd, sockaddr(ap)) }

// Listen marks the socket as accepting connections.
func Listen(fd FD, backlog int) error { return windows.Listen(fd, backlog) }

// Accept takes one connection (x/sys/windows has no accept: it is loaded
// from ws2_32.dll), nonblocking and non-inheritable, with the peer's name.
func Accept(fd FD) (FD, Addr, error) {
	var rsa windows.RawSockaddrAny
	l := int32(unsafe.Sizeof(rsa))
	r, _, e := procAcept.Call(uintptr(fd), uintptr(unsafe.Pointer(&rsa)), uintptr(unsafe.Pointer(&l)))
	nfd := FD(r)
	if nfd == Invalid {
		return Invalid, Addr{}, winErr(e)
	}
	// An accepted socket inherits its listener's properties, but say it
	// anyway: the descriptor must be nonblocking and not inherited.
	CloseOnExec(nfd)
	if err := SetNonblock(nfd); err != nil {
		windows.Closesocket(nfd)
		return Invalid, Addr{}, err
	}
	sa, err := rsa.Sockaddr()
	if err != nil {
		return nfd, Addr{}, nil
	}
	return nfd, addrOf(sa), nil
}

func winErr(e error) error {
	if errno, ok := e.(windows.Errno); ok && errno != 0 {
		return errno
	}
	return windows.WSAEINVAL
}

// Read is one synchronous WSARecv on the nonblocking socket: -1 and the
// error, or the byte count (0 is EOF).
func Read(fd FD, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return recv(fd, p, 0)
}

// Peek looks at what is waiting without consuming it (MSG_PEEK): 0 bytes
// and no error is EOF.
func Peek(fd FD, p []byte) (int, error) { return recv(fd, p, windows.MSG_PEEK) }

func recv(fd FD, p []byte, flags uint32) (int, error) {
	buf := windows.WSABuf{Len: uint32(len(p)), Buf: &p[0]}
	var n uint32
	if err := windows.WSARecv(fd, &buf, 1, &n, &flags, nil, nil); err != nil {
		return -1, err
	}
	return int(n), nil
}

// Write is one synchronous WSASend on the nonblocking socket. Windows has
// no SIGPIPE: a send to a reset peer just fails.
func Write(fd FD, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	buf := windows.WSABuf{Len: uint32(len(p)), Buf: &p[0]}
	var n uint32
	if err := windows.WSASend(fd, &buf, 1, &n, 0, nil, nil); err != nil {
		return -1, err
	}
	return int(n), nil
}

// ShutdownWrite sends FIN (SD_SEND).
func ShutdownWrite(fd FD) error { return windows.Shutdown(fd, windows.SHUT_WR) }

// Close is closesocket.
func Close(fd FD) error { return windows.Closesocket(fd) }

// SetNonblock is ioctlsocket(FIONBIO) (x/sys/windows' SetNonblock is a
// no-op; WSAIoctl takes the same command).
func SetNonblock(fd FD) error {
	const fionbio = 0x8004667E
	on := uint32(1)
	var n uint32
	return windows.WSAIoctl(fd, fionbio, (*byte)(unsafe.Pointer(&on)), 4, nil, 0, &n, nil, 0)
}

// CloseOnExec keeps child processes from inheriting the handle.
func CloseOnExec(fd FD) { _ = windows.SetHandleInformation(fd, windows.HANDLE_FLAG_INHERIT, 0) }

// Dup is not offered for sockets on Windows (WSADuplicateSocket serves
// another process, not this one).
func Dup(FD) (FD, error) { return Invalid, windows.WSAEOPNOTSUPP }

const soError = 0x1007 // SO_ERROR; x/sys/windows does not define it

// SoError is the socket's pending error (SO_ERROR), nil if none.
func SoError(fd FD) error {
	v, err := windows.GetsockoptInt(fd, windows.SOL_SOCKET, soError)
	if err != nil {
		return err
	}
	if v != 0 {
		return windows.Errno(v)
	}
	return nil
}

// LocalAddr is getsockname.
func LocalAddr(fd FD) (Addr, error) {
	sa, err := windows.Getsockname(fd)
	if err != nil {
		return Addr{}, err
	}
	return addrOf(sa), nil
}

// PeerAddr is getpeername.
func PeerAddr(fd FD) (Addr, error) {
	sa, err := windows.Getpeername(fd)
	if err != nil {
		return Addr{}, err
	}
	return addrOf(sa), nil
}

// SetNoDelay sets TCP_NODELAY.
func SetNoDelay(fd FD, on bool) error {
	return windows.SetsockoptInt(fd, windows.IPPROTO_TCP, windows.TCP_NODELAY, boolInt(on))
}

// SetKeepAlive sets SO_KEEPALIVE and, when enabling with a delay, the idle
// time: TCP_KEEPIDLE where Windows has it (10 1709 and later), else
// SIO_KEEPALIVE_VALS (which also sets a 1 s probe interval).
func SetKeepAlive(fd FD, on bool, secs int) error {
	if err := windows.SetsockoptInt(fd, windows.SOL_SOCKET, windows.SO_KEEPALIVE, boolInt(on)); err != nil {
		return err
	}
	if !on || secs <= 0 {
		return nil
	}
	if windows.SetsockoptInt(fd, windows.IPPROTO_TCP, windows.TCP_KEEPIDLE, secs) == nil {
		return nil
	}
	ka := windows.TCPKeepalive{OnOff: 1, Time: uint32(secs) * 1000, Interval: 1000}
	var n uint32
	return windows.WSAIoctl(fd, windows.SIO_KEEPALIVE_VALS, (*byte)(unsafe.Pointer(&ka)),
		uint32(unsafe.Sizeof(ka)), nil, 0, &n, nil, 0)
}

// SetLingerZero makes closesocket send RST (SO_LINGER with a zero timeout).
func SetLingerZero(fd FD) error {
	return windows.SetsockoptLinger(fd, windows.SOL_SOCKET, windows.SO_LINGER, &windows.Linger{Onoff: 1, Linger: 0})
}

// SetReuseAddr does nothing on Windows: there SO_REUSEADDR lets a second
// socket bind a port that is in use (libuv does not set it either), and a
// listening port in TIME_WAIT can be rebound without it.
func SetReuseAddr(FD) error { return nil }

// SetReusePort: Windows has no SO_REUSEPORT.
func SetReusePort(FD) error { return windows.WSAEOPNOTSUPP }

// SetV6Only sets IPV6_V6ONLY.
func SetV6Only(fd FD, on bool) error {
	return windows.SetsockoptInt(fd, windows.IPPROTO_IPV6, windows.IPV6_V6ONLY, boolInt(on))
}

// OpenSpare: Windows has no descriptor table to run out of in the Unix
// sense (WSAEMFILE/WSAENOBUFS are system-wide), so there is no reserve;
// listeners back off on a timer instead.
func OpenSpare() FD { return Invalid }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func sockaddr(ap netip.AddrPort) windows.Sockaddr {
	ip := ap.Addr()
	if ip.Is4() {
		return &windows.SockaddrInet4{Port: int(ap.Port()), Addr: ip.As4()}
	}
	sa := &windows.SockaddrInet6{Port: int(ap.Port()), Addr: ip.As16()}
	if z := ip.Zone(); z != "" {
		sa.ZoneId = zoneIndex(z)
	}
	return sa
}

func addrOf(sa windows.Sockaddr) Addr {
	switch a := sa.(type) {
	case *windows.SockaddrInet4:
		return ip4Addr(a.Addr, a.Port)
	case *windows.SockaddrInet6:
		return ip6Addr(a.Addr, a.Port, a.ZoneId)
	case *windows.SockaddrUnix:
		return Addr{Unix: true, Path: a.Name}
	}
	return Addr{}
}
