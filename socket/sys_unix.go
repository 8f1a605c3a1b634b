//go:build unix

package socket

import (
	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/buffer"
	"github.com/nodenet/nodenet/reactor"
	"golang.org/x/sys/unix"
)

type poolKey struct{}

// poolFor is the write-queue chunk pool of loop l: one per loop, shared by
// all its sockets, touched only by that loop.
func poolFor(l *reactor.Loop) *buffer.Pool {
	return l.Local(poolKey{}, func() any { return buffer.NewPool(0) }).(*buffer.Pool)
}

func setNonblock(fd int) error { return unix.SetNonblock(fd, true) }

// socketKind tells what an adopted descriptor is, from its local address.
func socketKind(fd int) (sockKind, error) {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return kindNone, nodenet.NewSyscallError("getsockname", err)
	}
	switch sa.(type) {
	case *unix.SockaddrInet4:
		return kindTCP4, nil
	case *unix.SockaddrInet6:
		return kindTCP6, nil
	case *unix.SockaddrUnix:
		return kindUnix, nil
	}
	return kindNone, nodenet.NewSyscallError("getsockname", unix.ENOTSOCK)
}

func setNoDelay(fd int, on bool) error {
	v := 0
	if on {
		v = 1
	}
	return unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, v)
}

func soError(fd int) error {
	v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return err
	}
	if v != 0 {
		return unix.Errno(v)
	}
	return nil
}

func setLingerZero(fd int) error {
	return unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
}

// peekFD looks at what is waiting without consuming it: 0 bytes and no
// error is EOF.
func peekFD(fd int, p []byte) (int, error) {
	n, _, err := unix.Recvfrom(fd, p, unix.MSG_PEEK)
	if err != nil {
		return -1, err
	}
	return n, nil
}
