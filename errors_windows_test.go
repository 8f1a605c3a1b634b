//go:build windows

package nodenet

import "golang.org/x/sys/windows"

var (
	errnoRefused = windows.WSAECONNREFUSED
	errnoInUse   = windows.WSAEADDRINUSE
	errnoReset   = windows.WSAECONNRESET
)
