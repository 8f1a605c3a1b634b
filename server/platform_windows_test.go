//go:build windows

package server_test

import (
	"unsafe"

	"github.com/nodenet/nodenet"
	"golang.org/x/sys/windows"
)

// Platform pieces of the tests.

const (
	haveUnixSockets = false
	haveReusePort   = false
)

var (
	errConnRefused error = windows.WSAECONNREFUSED
	errAddrInUse   error = windows.WSAEADDRINUSE
)

// bytesWaiting is what the kernel holds unread for fd (FIONREAD).
func bytesWaiting(fd nodenet.FD) (int, error) {
	const fionread = 0x4004667F
	var n, ret uint32
	err := windows.WSAIoctl(fd, fionread, nil, 0, (*byte)(unsafe.Pointer(&n)), 4, &ret, nil, 0)
	return int(n), err
}
