package sysnet

import (
	"net"
	"net/netip"
	"strconv"
)

// zoneIndex resolves an IPv6 zone ("eth0" or "2") to an interface index.
func zoneIndex(z string) uint32 {
	if n, err := strconv.ParseUint(z, 10, 32); err == nil {
		return uint32(n)
	}
	if ifi, err := net.InterfaceByName(z); err == nil {
		return uint32(ifi.Index)
	}
	return 0
}

// ipAddr builds an Addr from the raw fields of a kernel address.
func ip4Addr(a [4]byte, port int) Addr {
	return Addr{IP: netip.AddrPortFrom(netip.AddrFrom4(a), uint16(port))}
}

func ip6Addr(a [16]byte, port int, zone uint32) Addr {
	ip := netip.AddrFrom16(a)
	if zone != 0 {
		ip = ip.WithZone(strconv.Itoa(int(zone)))
	}
	return Addr{IP: netip.AddrPortFrom(ip, uint16(port))}
}
