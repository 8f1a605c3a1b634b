package socket

import (
	"runtime"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/jsfmt"
	"github.com/nodenet/nodenet/internal/sysnet"
)

// SetTypeOfService sets the byte that marks the connection's outgoing
// packets — the IPv4 type of service, or the IPv6 traffic class on an IPv6
// socket (Node 26's socket.setTypeOfService; DSCP and ECN bits) — from any
// goroutine, at once. A value outside 0-255 is ERR_OUT_OF_RANGE; a refusal
// of the kernel is the setsockopt error with syscall "setTypeOfService"
// (on Windows, which often refuses it without a QoS policy, it is ignored,
// as Node does). Before the connection exists (new, connecting, destroyed)
// or on a Unix socket the value is remembered, reported by TypeOfService
// and applied when the socket connects. (Node throws EBADF when it is
// called while connecting, yet applies it at connect all the same.) An
// IPv6 socket also gets IP_TOS, so that a v4-mapped peer's packets are
// marked too.
func (s *Socket) SetTypeOfService(tos int) error {
	if s.zero() {
		return errZero()
	}
	if err := validateTypeOfService(tos, "tos"); err != nil {
		return err
	}
	if s.c().tos.Swap(int32(tos)+1) == int32(tos)+1 {
		return nil // unchanged: Node does not ask the kernel again
	}
	var err error
	s.withFD(func(fd nodenet.FD) {
		if s.kind() == kindTCP4 || s.kind() == kindTCP6 {
			err = sysnet.SetTypeOfService(fd, s.kind() == kindTCP6, tos)
		}
	})
	if err != nil && runtime.GOOS != "windows" {
		return nodenet.NewSyscallError("setTypeOfService", err)
	}
	return nil
}

// TypeOfService reports the connection's type of service byte (IPv6:
// traffic class) as the kernel has it, from any goroutine (Node 26's
// socket.getTypeOfService): 0 by default; without a TCP descriptor, the
// value SetTypeOfService remembered, or 0. A getsockopt failure is an error
// with syscall "getTypeOfService" (on Windows the remembered value).
func (s *Socket) TypeOfService() (int, error) {
	if s.zero() {
		return 0, errZero()
	}
	cached := s.cachedTypeOfService()
	tos, err := cached, error(nil)
	s.withFD(func(fd nodenet.FD) {
		if s.kind() == kindTCP4 || s.kind() == kindTCP6 {
			tos, err = sysnet.TypeOfService(fd, s.kind() == kindTCP6)
		}
	})
	if err != nil {
		if runtime.GOOS == "windows" {
			return cached, nil
		}
		return 0, nodenet.NewSyscallError("getTypeOfService", err)
	}
	return tos, nil
}

func (s *Socket) cachedTypeOfService() int {
	if c := s.coldOrNil(); c != nil {
		if v := c.tos.Load(); v > 0 {
			return int(v - 1)
		}
	}
	return 0
}

// applyTypeOfService sets a remembered type of service on the connection
// just made, as Node's afterConnect does (loop goroutine). Node emits its
// failure as 'error' without destroying the socket; nodenet logs it.
func (s *Socket) applyTypeOfService() {
	c := s.coldOrNil()
	if c == nil || c.tos.Load() == 0 || (s.kind() != kindTCP4 && s.kind() != kindTCP6) {
		return
	}
	if err := sysnet.SetTypeOfService(s.fd, s.kind() == kindTCP6, int(c.tos.Load()-1)); err != nil && runtime.GOOS != "windows" {
		s.loop.LogError("nodenet: setTypeOfService", nodenet.NewSyscallError("setTypeOfService", err))
	}
}

// validateTypeOfService is Node's validateInt32(tos, name, 0, 255).
func validateTypeOfService(tos int, name string) error {
	if tos < 0 || tos > 255 {
		return nodenet.NewError(nodenet.CodeOutOfRange, `The value of "`+name+`" is out of range. It must be >= 0 && <= 255. Received `+jsfmt.OutOfRangeInt(int64(tos)))
	}
	return nil
}
