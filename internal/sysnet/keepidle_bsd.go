//go:build freebsd || netbsd || dragonfly

package sysnet

import "golang.org/x/sys/unix"

func setKeepIdle(fd FD, secs int) error {
	return unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, secs)
}
