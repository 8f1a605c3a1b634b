package tls_test

import (
	"github.com/nodenet/nodenet"
	"golang.org/x/sys/windows"
)

// setSendBuffer fixes fd's kernel send buffer at n bytes (SO_SNDBUF), for
// tests whose premise is a peer that does not read pushing back.
func setSendBuffer(fd nodenet.FD, n int) {
	_ = windows.SetsockoptInt(fd, windows.SOL_SOCKET, windows.SO_SNDBUF, n)
}
