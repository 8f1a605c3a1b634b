//go:build aix || solaris

package buffer

import "golang.org/x/sys/unix"

// maxIovecs is 1 here: these systems are not nodenet targets, and a plain
// write of one chunk at a time keeps the package building on every Unix.
const maxIovecs = 1

type iovec = []byte

func setIovec(v *iovec, b []byte) { *v = b }

func writev(fd FD, iov []iovec) (int, error) {
	n, err := unix.Write(fd, iov[0])
	if err != nil {
		return 0, err
	}
	return n, nil
}
