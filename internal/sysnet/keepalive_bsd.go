//go:build freebsd || netbsd || dragonfly || openbsd

package sysnet

import "golang.org/x/sys/unix"

// SetKeepAlive: OpenBSD has no per-socket idle time (only the sysctl), so
// there the delay is ignored.
func SetKeepAlive(fd FD, on bool, secs int) error {
	v := 0
	if on {
		v = 1
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, v); err != nil {
		return err
	}
	if on && secs > 0 {
		return setKeepIdle(fd, secs)
	}
	return nil
}
