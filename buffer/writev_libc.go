//go:build darwin || openbsd

package buffer

import "golang.org/x/sys/unix"

// maxIovecs is IOV_MAX on macOS and OpenBSD.
const maxIovecs = 1024

// iovec is a plain slice here: unix.Writev takes [][]byte and builds the
// kernel's iovec array itself (it allocates once it passes 8 buffers).
type iovec = []byte

func setIovec(v *iovec, b []byte) { *v = b }

// writev goes through unix.Writev because macOS and OpenBSD allow system calls
// only through libc, which is the path x/sys takes.
func writev(fd FD, iov []iovec) (int, error) {
	n, err := unix.Writev(fd, iov)
	if err != nil {
		return 0, err
	}
	return n, nil
}
