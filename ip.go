package nodenet

// The predicates below reproduce the language of Node's IPv4Reg and IPv6Reg
// (lib/internal/net.js) byte for byte. They are hand-written rather than
// built on regexp because they sit on hot paths (every connect and listen
// asks them) where a regexp match is slow and allocates, and rather than on
// net.ParseIP or net/netip because those disagree with Node on zones:
// ParseIP rejects every zone and netip accepts zones such as "eth0@1" that
// Node rejects.

// IsIP implements Node's net.isIP: it reports 4 if s is an IPv4 literal,
// 6 if it is an IPv6 literal (optionally with a zone), and 0 otherwise.
func IsIP(s string) int {
	if IsIPv4(s) {
		return 4
	}
	if IsIPv6(s) {
		return 6
	}
	return 0
}

// IsIPv4 implements Node's net.isIPv4: exactly four dot-separated decimal
// octets in 0-255, with no leading zeros and nothing else around them.
func IsIPv4(s string) bool {
	return ipv4Literal(s)
}

// IsIPv6 implements Node's net.isIPv6: RFC 4291 text forms (including "::"
// compression and a trailing embedded IPv4 address) optionally followed by
// a zone of the form "%" and one or more of [0-9A-Za-z.:-].
func IsIPv6(s string) bool {
	// '%' can appear neither in the address nor in the zone, so the first
	// one is the only possible split point.
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			return ipv6Zone(s[i+1:]) && ipv6Address(s[:i])
		}
	}
	return ipv6Address(s)
}

func ipv4Literal(s string) bool {
	i := 0
	for octet := 0; octet < 4; octet++ {
		if octet > 0 {
			if i >= len(s) || s[i] != '.' {
				return false
			}
			i++
		}
		start, v := i, 0
		for i < len(s) && i-start < 4 && s[i] >= '0' && s[i] <= '9' {
			v = v*10 + int(s[i]-'0')
			i++
		}
		n := i - start
		// Node's v4Seg has no alternative for a zero-led multi-digit
		// octet, so "01" is not a lenient spelling of 1 but an error.
		if n == 0 || n > 3 || v > 255 || (n > 1 && s[start] == '0') {
			return false
		}
	}
	return i == len(s)
}

// ipv6Address accepts what the address part of IPv6Reg accepts. Unfolding
// that regexp's alternatives gives a simpler rule: counting an embedded IPv4
// tail as two groups, an address without "::" has exactly 8 groups, and one
// with a single "::" has at most 7, because the "::" must stand for at least
// one zero group.
func ipv6Address(s string) bool {
	if len(s) == 0 {
		return false
	}
	i, groups, elided := 0, 0, false
	if s[0] == ':' {
		// A leading colon is only legal as the start of "::".
		if len(s) < 2 || s[1] != ':' {
			return false
		}
		if len(s) == 2 {
			return true
		}
		i, elided = 2, true
	}
	for {
		start := i
		for i < len(s) && ipHexDigit(s[i]) {
			i++
		}
		if i < len(s) && s[i] == '.' {
			// The regexp only allows dotted-quad as the final 32 bits, so
			// it has to run to the end of the address.
			if !ipv4Literal(s[start:]) {
				return false
			}
			groups += 2
			break
		}
		if n := i - start; n == 0 || n > 4 {
			return false
		}
		groups++
		if groups > 8 {
			return false
		}
		if i == len(s) {
			break
		}
		if s[i] != ':' {
			return false
		}
		i++
		if i == len(s) {
			// A single trailing colon: "1:" is not "1::".
			return false
		}
		if s[i] == ':' {
			if elided {
				return false
			}
			elided = true
			i++
			if i == len(s) {
				break
			}
		}
	}
	if elided {
		return groups <= 7
	}
	return groups == 8
}

func ipv6Zone(z string) bool {
	if len(z) == 0 {
		return false
	}
	for i := 0; i < len(z); i++ {
		c := z[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c == '-', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

func ipHexDigit(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}
