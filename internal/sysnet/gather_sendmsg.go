//go:build linux || freebsd || netbsd || dragonfly

package sysnet

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// MaxIovecs is IOV_MAX (UIO_MAXIOV): 1024 on Linux, FreeBSD, NetBSD and
// DragonFly; a gather write of more fails (EMSGSIZE from sendmsg on Linux,
// TestMaxIovecsIsTheKernelLimit). x/sys does not export it.
const MaxIovecs = 1024

// Iovec is one buffer of a gather write.
type Iovec = unix.Iovec

// SetIovec points v at b, which must not be empty.
func SetIovec(v *Iovec, b []byte) {
	v.Base = &b[0]
	v.SetLen(len(b))
}

// Writev writes iov in one gather write and returns the bytes the kernel
// took, or -1 with the errno (EAGAIN when the send buffer is full:
// IsWouldBlock), as Read and Write do.
// It is sendmsg(2) with MSG_NOSIGNAL rather than writev(2), so that no write
// of this package raises SIGPIPE (doc.go), and it is raw, as Read and Write
// are: fd is nonblocking, so the call never waits. The caller's iov is the
// kernel's iovec array as is (x/sys's Writev would build a new one per
// call), and the msghdr lives on the stack: a gather write allocates
// nothing.
func Writev(fd FD, iov []Iovec) (int, error) {
	if len(iov) == 0 {
		return 0, nil
	}
	var msg unix.Msghdr
	msg.Iov = &iov[0]
	msg.SetIovlen(len(iov))
	r, _, e := unix.RawSyscall(unix.SYS_SENDMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), sendFlags)
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}
