//go:build freebsd || netbsd || dragonfly

package socket

import "golang.org/x/sys/unix"

func setKeepIdle(fd, secs int) error {
	return unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, secs)
}
