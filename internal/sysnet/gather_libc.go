//go:build darwin || openbsd

package sysnet

import "golang.org/x/sys/unix"

// MaxIovecs is IOV_MAX on macOS and OpenBSD.
const MaxIovecs = 1024

// Iovec is one buffer of a gather write: a plain slice here, since x/sys
// builds the kernel's iovec array itself on these systems.
type Iovec = []byte

// SetIovec points v at b, which must not be empty.
func SetIovec(v *Iovec, b []byte) { *v = b }

// Writev writes iov in one gather write and returns the bytes the kernel
// took, or -1 with the errno, as Read and Write do. macOS and OpenBSD allow system calls only through
// libc, the path x/sys takes (it allocates the iovec array once a write has
// more than a few buffers). It is sendmsg(2) with sendFlags: MSG_NOSIGNAL on
// OpenBSD; nothing on macOS, whose sockets carry SO_NOSIGPIPE instead
// (doc.go).
func Writev(fd FD, iov []Iovec) (int, error) {
	if len(iov) == 0 {
		return 0, nil
	}
	n, err := unix.SendmsgBuffers(fd, iov, nil, nil, sendFlags)
	if err != nil {
		return -1, err
	}
	return n, nil
}
