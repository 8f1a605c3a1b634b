//go:build darwin

package sysnet

import "golang.org/x/sys/unix"

// setKeepIdle: macOS names the idle time TCP_KEEPALIVE.
func setKeepIdle(fd FD, secs int) error {
	return unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPALIVE, secs)
}
