package sysnet

// NodeAddress is a as the fields of Node's address object {address,
// family, port}, the one conversion socket and server share: an IP's text
// (an IPv4-mapped IPv6 address stays mapped and IPv6, the zone is kept:
// "fe80::1%2"), "IPv4" or "IPv6", and the port; a Unix domain socket's
// path, "unix" and -1 (what a Unix server's address() reports; a socket
// shows no name for Unix sockets and does not ask); the zero Addr is "",
// "" and 0 (Node's {}).
func (a Addr) NodeAddress() (address, family string, port int) {
	switch {
	case a.Unix:
		return a.Path, "unix", -1
	case !a.IP.IsValid():
		return "", "", 0
	case a.IP.Addr().Is4():
		return a.IP.Addr().String(), "IPv4", int(a.IP.Port())
	}
	return a.IP.Addr().String(), "IPv6", int(a.IP.Port())
}
