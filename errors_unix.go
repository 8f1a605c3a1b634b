//go:build unix

package nodenet

import (
	"errors"

	"golang.org/x/sys/unix"
)

func errnoName(err error) (code, desc string, ok bool) {
	var errno unix.Errno
	if !errors.As(err, &errno) {
		return "", "", false
	}
	name := unix.ErrnoName(errno)
	if name == "" {
		return "", "", false
	}
	// EWOULDBLOCK shares EAGAIN's number; Node and libuv say EAGAIN.
	if name == "EWOULDBLOCK" {
		name = "EAGAIN"
	}
	return name, errno.Error(), true
}
