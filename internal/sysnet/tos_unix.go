//go:build unix

package sysnet

import "golang.org/x/sys/unix"

// SetTypeOfService sets the byte that marks the socket's outgoing packets:
// IP_TOS on an IPv4 socket, IPV6_TCLASS on an IPv6 one (what Node's
// TCPWrap sets, by the socket's family). An IPv6 socket also gets IP_TOS,
// best effort, for the packets of a v4-mapped peer, which IPV6_TCLASS does
// not mark.
func SetTypeOfService(fd FD, v6 bool, tos int) error {
	if !v6 {
		return unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TOS, tos)
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_TCLASS, tos); err != nil {
		return err
	}
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TOS, tos)
	return nil
}

// TypeOfService reads back what SetTypeOfService sets (IPV6_TCLASS on an
// IPv6 socket).
func TypeOfService(fd FD, v6 bool) (int, error) {
	if v6 {
		return unix.GetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_TCLASS)
	}
	return unix.GetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TOS)
}
