//go:build freebsd || netbsd || dragonfly

package buffer

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxIovecs is IOV_MAX on FreeBSD, NetBSD and DragonFly; x/sys does not export
// it.
const maxIovecs = 1024

type iovec = unix.Iovec

func setIovec(v *iovec, b []byte) {
	v.Base = &b[0]
	v.SetLen(len(b))
}

// writev calls writev(2) directly on the Pool's reusable iovec array. x/sys
// has no unix.Writev on these systems, which still allow direct system calls;
// RawSyscall is sound because the fd is nonblocking (see writev_linux.go).
func writev(fd FD, iov []iovec) (int, error) {
	r, _, e := unix.RawSyscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}
