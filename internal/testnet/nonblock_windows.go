package testnet

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
)

// SetNonblock is ioctlsocket(FIONBIO), switching a SOCKET to nonblocking
// mode the way the library's own sockets are; x/sys/windows has no wrapper
// (its SetNonblock is a no-op), but WSAIoctl takes the same command.
func SetNonblock(tb testing.TB, h uintptr) {
	tb.Helper()
	const fionbio = 0x8004667E
	on := uint32(1)
	var n uint32
	if err := windows.WSAIoctl(windows.Handle(h), fionbio, (*byte)(unsafe.Pointer(&on)), 4, nil, 0, &n, nil, 0); err != nil {
		tb.Fatalf("FIONBIO: %v", err)
	}
}
