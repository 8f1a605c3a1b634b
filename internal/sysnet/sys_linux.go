//go:build linux

package sysnet

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// MaxUnixPath is sizeof(sun_path) on Linux.
const MaxUnixPath = 108

// Read and Write are the hot-path system calls. They are raw: the
// descriptor is nonblocking, so the call never waits, and skipping the
// scheduler's entersyscall/exitsyscall bookkeeping is measurable at a
// million messages a second. sendto with MSG_NOSIGNAL keeps a write to a
// reset peer from raising SIGPIPE at all. Both return -1 with the error.
func Read(fd FD, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	// recvfrom rather than read: a socket's read(2) goes through the VFS layer
	// (fdget_pos, vfs_read, fsnotify) before reaching the same sock_recvmsg;
	// perf shows that layer at about 5% of an echo server's CPU, all of it
	// skipped here. Every descriptor this package reads is a socket.
	n, _, e := unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), 0, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

func Write(fd FD, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), sendFlags, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// newStreamSocket makes a nonblocking close-on-exec stream socket.
func newStreamSocket(domain int) (FD, error) {
	return unix.Socket(domain, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}

// accept takes one connection, nonblocking and close-on-exec in one call.
// It calls accept4 itself, with the peer's address on the stack: x/sys's
// Accept4 allocates the raw address and the Sockaddr made from it, about
// 150 bytes of garbage per connection, which a server accepting thousands
// of connections carries as resident memory until the next GC.
func accept(fd FD) (FD, Addr, error) {
	var rsa unix.RawSockaddrAny
	n := uint32(unix.SizeofSockaddrAny)
	// Raw, as Read and Write: the listener is nonblocking (Listen and
	// adoption make it so), so accept4 returns at once.
	nfd, _, e := unix.RawSyscall6(unix.SYS_ACCEPT4, uintptr(fd), uintptr(unsafe.Pointer(&rsa)),
		uintptr(unsafe.Pointer(&n)), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if e != 0 {
		return -1, Addr{}, e
	}
	return FD(nfd), rawAddr(&rsa), nil
}

// shutdownWrite and setNoDelay are raw for the reason Read and Write are:
// neither waits (shutdown only queues the FIN; setting TCP_NODELAY at most
// pushes what is queued), and each runs once per connection on the churn
// path, where entersyscall/exitsyscall was about 8% of the server's user
// time (perf, cpu-clock:u).
func shutdownWrite(fd FD) error {
	if _, _, e := unix.RawSyscall(unix.SYS_SHUTDOWN, uintptr(fd), unix.SHUT_WR, 0); e != 0 {
		return e
	}
	return nil
}

func setNoDelay(fd FD, on bool) error {
	v := int32(boolInt(on))
	if _, _, e := unix.RawSyscall6(unix.SYS_SETSOCKOPT, uintptr(fd), unix.IPPROTO_TCP, unix.TCP_NODELAY,
		uintptr(unsafe.Pointer(&v)), 4, 0); e != 0 {
		return e
	}
	return nil
}

// rawAddr converts a kernel socket address as x/sys's anyToSockaddr and
// addrOf together would, without allocating for IP addresses.
func rawAddr(rsa *unix.RawSockaddrAny) Addr {
	switch rsa.Addr.Family {
	case unix.AF_INET:
		pp := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		return ip4Addr(pp.Addr, ntohs(pp.Port))
	case unix.AF_INET6:
		pp := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		return ip6Addr(pp.Addr, ntohs(pp.Port), pp.Scope_id)
	case unix.AF_UNIX:
		pp := (*unix.RawSockaddrUnix)(unsafe.Pointer(rsa))
		if pp.Path[0] == 0 {
			pp.Path[0] = '@' // an abstract (or unnamed) peer, as x/sys shows it
		}
		n := 0
		for n < len(pp.Path) && pp.Path[n] != 0 {
			n++
		}
		return Addr{Unix: true, Path: string(unsafe.Slice((*byte)(unsafe.Pointer(&pp.Path[0])), n))}
	}
	return Addr{}
}

// ntohs reads a port in network byte order.
func ntohs(p uint16) int {
	b := (*[2]byte)(unsafe.Pointer(&p))
	return int(b[0])<<8 | int(b[1])
}
