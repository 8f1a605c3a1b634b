//go:build darwin

package socket

import "golang.org/x/sys/unix"

func noSigPipe(fd int) { _ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_NOSIGPIPE, 1) }
