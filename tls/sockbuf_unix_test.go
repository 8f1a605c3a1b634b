//go:build unix

package tls_test

import (
	"github.com/nodenet/nodenet"
	"golang.org/x/sys/unix"
)

// setSendBuffer fixes fd's kernel send buffer at n bytes (SO_SNDBUF, which
// also ends its autotuning), for tests whose premise is a peer that does
// not read pushing back.
func setSendBuffer(fd nodenet.FD, n int) {
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, n)
}
