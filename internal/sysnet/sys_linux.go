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
	n, _, e := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), unix.MSG_NOSIGNAL, 0, 0)
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
func accept(fd FD) (FD, unix.Sockaddr, error) {
	return unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
}
