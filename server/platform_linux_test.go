//go:build linux

package server_test

import (
	"github.com/nodenet/nodenet"
	"golang.org/x/sys/unix"
)

// Platform pieces of the tests.

const (
	haveUnixSockets = true
	haveReusePort   = true
)

var (
	errConnRefused error = unix.ECONNREFUSED
	errAddrInUse   error = unix.EADDRINUSE
)

// bytesWaiting is what the kernel holds unread for fd (SIOCINQ).
func bytesWaiting(fd nodenet.FD) (int, error) { return unix.IoctlGetInt(fd, unix.SIOCINQ) }
