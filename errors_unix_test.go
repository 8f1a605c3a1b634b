//go:build unix

package nodenet

import "golang.org/x/sys/unix"

var (
	errnoRefused = unix.ECONNREFUSED
	errnoInUse   = unix.EADDRINUSE
	errnoReset   = unix.ECONNRESET
)
