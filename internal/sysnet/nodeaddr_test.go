package sysnet

import (
	"net/netip"
	"testing"
)

// TestNodeAddress: the one kernel-address-to-Node conversion, as Node's
// address objects print each kind.
func TestNodeAddress(t *testing.T) {
	for _, c := range []struct {
		a            Addr
		addr, family string
		port         int
	}{
		{Addr{IP: netip.MustParseAddrPort("127.0.0.1:80")}, "127.0.0.1", "IPv4", 80},
		{Addr{IP: netip.MustParseAddrPort("[::1]:443")}, "::1", "IPv6", 443},
		{Addr{IP: netip.MustParseAddrPort("[::ffff:127.0.0.1]:8")}, "::ffff:127.0.0.1", "IPv6", 8},
		{Addr{IP: netip.MustParseAddrPort("[fe80::1%2]:9")}, "fe80::1%2", "IPv6", 9},
		{Addr{Unix: true, Path: "/tmp/s.sock"}, "/tmp/s.sock", "unix", -1},
		{Addr{Unix: true}, "", "unix", -1},
		{Addr{}, "", "", 0},
	} {
		addr, family, port := c.a.NodeAddress()
		if addr != c.addr || family != c.family || port != c.port {
			t.Errorf("%+v: %q %q %d, want %q %q %d", c.a, addr, family, port, c.addr, c.family, c.port)
		}
	}
}
