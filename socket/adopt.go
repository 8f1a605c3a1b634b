package socket

import (
	"net/netip"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/seam"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
)

func init() {
	seam.NewAccepted = func(l *reactor.Loop, fd nodenet.FD, o seam.AcceptOptions) (any, error) {
		s, err := newAccepted(l, fd, o)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	seam.DupFD = func(sock any) (nodenet.FD, error) { return sock.(*Socket).dupFD() }
}

// dupFD is seam.DupFD: the dup runs under the descriptor's read lock
// (withFD), so a destroy on the loop cannot close the descriptor between
// reading its number and duplicating it. The descriptor is marked exposed
// first, as FD does: a duplicate shares its poller registration.
func (s *Socket) dupFD() (nodenet.FD, error) {
	if s.zero() {
		return sysnet.Invalid, sysnet.EBADF
	}
	s.exposeFD()
	d, err := sysnet.Invalid, error(sysnet.EBADF)
	s.withFD(func(fd nodenet.FD) { d, err = sysnet.Dup(fd) })
	return d, err
}

// newAccepted wraps a descriptor a server accepted (seam.NewAccepted). It
// runs on l's goroutine; the socket belongs to l. The caller emits
// 'connection'.
func newAccepted(l *reactor.Loop, fd nodenet.FD, o seam.AcceptOptions) (*Socket, error) {
	s := newSocket(l)
	so := acceptedStream(&o)
	s.applyAccept(&o, &so)
	kind := kindTCP4
	if o.Unix {
		kind = kindUnix
	} else if o.Remote.Addr().Is6() {
		kind = kindTCP6
	}
	// accept4 made fd close-on-exec and nobody else has seen it yet.
	if err := s.adopt(fd, kind, o.Remote, true); err != nil {
		s.hookDone() // the server counts the failure itself
		return nil, err
	}
	return s, nil
}

// applyAccept applies the options of an accepted connection (sockets and
// Windows named pipes): so is o's StreamOptions (acceptedStream), passed
// apart so that a named pipe can drop the TCP ones.
func (s *Socket) applyAccept(o *seam.AcceptOptions, so *StreamOptions) {
	s.applyStreamOptions(so)
	s.hook = o.Hook
	if o.PauseOnConnect {
		s.pausing()
	}
}

// acceptedStream is the StreamOptions a server put in o (the zero value,
// Node's defaults, if it put none).
func acceptedStream(o *seam.AcceptOptions) StreamOptions {
	so, _ := o.Stream.(StreamOptions)
	return so
}

// adopt takes over a connected descriptor. It runs once, on a new socket,
// before any other goroutine can see it.
// sole: nothing but this socket holds fd (see fSoleFD).
func (s *Socket) adopt(fd nodenet.FD, kind sockKind, remote netip.AddrPort, sole bool) error {
	s.setFD(fd)
	s.setKind(kind)
	if remote.IsValid() && kind != kindUnix {
		s.setAcceptedRemote(remote)
	}
	// Registered with the interest the socket starts with (it reads at once
	// unless paused on connect), not with none and then changed: that was an
	// EPOLL_CTL_ADD plus an EPOLL_CTL_MOD per accepted connection.
	s.adopting(sole)
	want := s.interest()
	if err := s.loop.Register(fd, want, s.handler()); err != nil {
		s.adoptFailed()
		s.setFD(sysnet.Invalid)
		return err
	}
	s.setReadingNow(want&nodenet.EventRead != 0)
	s.applySocketOptions()
	if !s.is(stWritable) {
		s.noWriteSide()
	}
	s.updateRef()
	s.updateInterest()
	return nil
}

// FD is the socket's descriptor (-1 on Unix, INVALID_SOCKET on Windows,
// without one), for Server.Listen's handle form and for users who need a
// socket option nodenet does not wrap. From any goroutine; do not close it,
// and note that from another goroutine the socket may be destroyed — and
// the number reused — as soon as FD returns: use it on the socket's loop.
func (s *Socket) FD() nodenet.FD {
	if s.zero() {
		return sysnet.Invalid // not 0, which is stdin
	}
	s.exposeFD()
	if s.loop.InLoop() {
		return s.fd
	}
	fd := sysnet.Invalid
	s.withFD(func(f nodenet.FD) { fd = f })
	return fd
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
