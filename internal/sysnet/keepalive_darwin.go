//go:build darwin

package sysnet

import "golang.org/x/sys/unix"

func SetKeepAlive(fd FD, on bool, secs int) error {
	v := 0
	if on {
		v = 1
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, v); err != nil {
		return err
	}
	if on && secs > 0 {
		return unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPALIVE, secs)
	}
	return nil
}
