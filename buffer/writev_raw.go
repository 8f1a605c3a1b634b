//go:build linux || freebsd || netbsd || dragonfly

package buffer

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxIovecs is IOV_MAX (UIO_MAXIOV): 1024 on Linux, FreeBSD, NetBSD and
// DragonFly; writev fails with EINVAL past it. x/sys does not export it.
const maxIovecs = 1024

type iovec = unix.Iovec

func setIovec(v *iovec, b []byte) {
	v.Base = &b[0]
	v.SetLen(len(b))
}

// writev calls writev(2) directly on the Pool's reusable iovec array: x/sys's
// unix.Writev builds a fresh []Iovec on every call. RawSyscall skips the
// scheduler's entersyscall/exitsyscall, which is sound only because the fd is
// nonblocking, so the call returns in microseconds whatever the peer does.
// (darwin and openbsd only allow system calls through libc: writev_libc.go.)
func writev(fd FD, iov []iovec) (int, error) {
	r, _, e := unix.RawSyscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}
