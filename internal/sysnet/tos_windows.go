package sysnet

import "golang.org/x/sys/windows"

// ipv6TClass is IPV6_TCLASS of <ws2ipdef.h> (x/sys/windows lacks it).
const ipv6TClass = 39

// SetTypeOfService sets IP_TOS (IPv4) or IPV6_TCLASS (IPv6). Windows often
// refuses it without a QoS policy; callers treat it as best effort, as
// Node does there.
func SetTypeOfService(fd FD, v6 bool, tos int) error {
	if v6 {
		return windows.SetsockoptInt(fd, windows.IPPROTO_IPV6, ipv6TClass, tos)
	}
	return windows.SetsockoptInt(fd, windows.IPPROTO_IP, windows.IP_TOS, tos)
}

// TypeOfService reads back IP_TOS or IPV6_TCLASS.
func TypeOfService(fd FD, v6 bool) (int, error) {
	if v6 {
		return windows.GetsockoptInt(fd, windows.IPPROTO_IPV6, ipv6TClass)
	}
	return windows.GetsockoptInt(fd, windows.IPPROTO_IP, windows.IP_TOS)
}
