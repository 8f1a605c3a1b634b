//go:build darwin

package sysnet

import "golang.org/x/sys/unix"

func noSigPipe(fd FD) { _ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_NOSIGPIPE, 1) }
