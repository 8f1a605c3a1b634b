//go:build linux

package socket

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// readFD and writeFD are the hot-path system calls. They are raw: the
// descriptor is nonblocking, so the call never waits, and skipping the
// scheduler's entersyscall/exitsyscall bookkeeping is measurable at a
// million messages a second. send with MSG_NOSIGNAL keeps a write to a
// reset peer from raising SIGPIPE at all.
func readFD(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

func writeFD(fd int, p []byte) (int, error) {
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
func newStreamSocket(domain int) (int, error) {
	return unix.Socket(domain, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}
