package socket

import (
	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/buffer"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
)

type poolKey struct{}

// poolFor is the write-queue chunk pool of loop l: one per loop, shared by
// all its sockets, touched only by that loop.
func poolFor(l *reactor.Loop) *buffer.Pool {
	return l.Local(poolKey{}, func() any { return buffer.NewPool(0) }).(*buffer.Pool)
}

// socketKind tells what an adopted descriptor is, from its local address.
func socketKind(fd sysnet.FD) (sockKind, error) {
	a, err := sysnet.LocalAddr(fd)
	if err != nil {
		return kindNone, nodenet.NewSyscallError("getsockname", err)
	}
	switch {
	case a.Unix:
		return kindUnix, nil
	case a.IP.Addr().Is4():
		return kindTCP4, nil
	case a.IP.Addr().Is6():
		return kindTCP6, nil
	}
	return kindNone, nodenet.NewSyscallError("getsockname", sysnet.ENOTSOCK)
}
