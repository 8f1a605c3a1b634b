//go:build linux || freebsd || netbsd || dragonfly

package sysnet

import "golang.org/x/sys/unix"

// setKeepIdle sets TCP_KEEPIDLE, the idle time before the first probe.
func setKeepIdle(fd FD, secs int) error {
	return unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, secs)
}
