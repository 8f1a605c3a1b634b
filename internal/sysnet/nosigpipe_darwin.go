//go:build darwin

package sysnet

import "golang.org/x/sys/unix"

// sendFlags are the flags of every send: none on macOS, which has no
// MSG_NOSIGNAL for sockets; noSigPipe keeps its sockets from raising
// SIGPIPE instead.
const sendFlags = 0

// noSigPipe sets SO_NOSIGPIPE, macOS's only way to keep a send to a reset
// peer from raising SIGPIPE. Every socket sysnet makes, accepts or adopts
// gets it.
func noSigPipe(fd FD) { _ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_NOSIGPIPE, 1) }
