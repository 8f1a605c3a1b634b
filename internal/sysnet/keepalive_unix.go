//go:build unix

package sysnet

import "golang.org/x/sys/unix"

// SetKeepAlive turns SO_KEEPALIVE on or off and, when turning it on with a
// positive secs, sets the idle time before the first probe (Node's
// setKeepAlive(enable, initialDelay)). Only the idle-time option differs
// between systems: setKeepIdle.
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
