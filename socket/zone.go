//go:build unix

package socket

import (
	"net"
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
