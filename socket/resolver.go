package socket

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/resolver"
)

// LookupAddress is one answer of a resolver: an IP literal and its family
// (4 or 6).
type LookupAddress struct {
	Address string
	Family  int
}

// LookupOptions are what a lookup is asked, the options object Node passes
// to a connect's lookup(hostname, options, callback).
type LookupOptions struct {
	// Family is 0 (any), 4 or 6: the connect's Family option.
	Family int
	// Hints are getaddrinfo flags (HintAddrConfig, HintV4Mapped, HintAll):
	// the connect's Hints option, or HintAddrConfig when both it and
	// Family are zero (outside Windows), as Node's net.connect asks.
	Hints int
	// All says whether every address is wanted (Node's all option). A
	// connect asks for all of them when it will try them in turn
	// (AutoSelectFamily on, no Family, no LocalAddress); otherwise it uses
	// only the first answer, as Node's lookup(host, {all: false}) gives
	// one address. A server's hostname listen asks for all.
	All bool
}

// LookupFunc resolves host for a connect or a hostname listen (Node's
// lookup option). It runs on one of the resolver's goroutines, never on a
// loop, so it may block. When opts.All is false only the first address
// returned is used (and only it is reported by 'lookup'). Node's invalid
// answers are checked: a non-IP address gives ERR_INVALID_IP_ADDRESS, a
// family other than 4 or 6 ERR_INVALID_ADDRESS_FAMILY. A panic in it is
// recovered and becomes the lookup's error (ERR_NODENET_CALLBACK_PANIC:
// 'lookup', then 'error' and 'close'), as a panic in a callback on the loop
// is.
type LookupFunc func(host string, opts LookupOptions) ([]LookupAddress, error)

// DefaultLookup resolves with Go's resolver (/etc/hosts, then DNS), keeping
// the order it answers in (Node's verbatim order), and turns failures into
// Node's getaddrinfo errors (ENOTFOUND, EAI_AGAIN, EAI_FAIL). It answers
// every address when opts.All is set, else the first, as Node's dns.lookup.
// opts.Family (0, 4 or 6) and the getaddrinfo flags of opts.Hints act as
// they do on glibc, which is what Node's dns.lookup asks:
//   - HintAddrConfig answers a family only if the machine has an address of
//     it other than 127.0.0.1 and ::1: with Family 0 and one family
//     configured, only that one; with Family 4 or 6 and that family not
//     configured, ENOTFOUND — even when neither family is, so a machine
//     with only loopback answers Family 4 with ADDRCONFIG ENOTFOUND. With
//     Family 0 and neither configured it filters nothing.
//   - HintV4Mapped with Family 6: when the name has no IPv6 address, its
//     IPv4 addresses are answered IPv4-mapped (::ffff:a.b.c.d, family 6);
//     with HintAll too, the IPv6 addresses and then the mapped IPv4 ones.
//     HintAll alone, and HintV4Mapped without Family 6, change nothing.
func DefaultLookup(host string, opts LookupOptions) ([]LookupAddress, error) {
	family := opts.Family
	if HintAddrConfig != 0 && opts.Hints&HintAddrConfig != 0 {
		v4, v6 := configuredFamilies()
		switch {
		case family != 4 && family != 6:
			if v4 != v6 {
				family = 4
				if v6 {
					family = 6
				}
			}
		case family == 4 && !v4, family == 6 && !v6:
			return nil, nodenet.NewDNSError("ENOTFOUND", host, nil)
		}
	}
	mapped := family == 6 && HintV4Mapped != 0 && opts.Hints&HintV4Mapped != 0
	network := "ip"
	switch {
	case mapped:
		// Both families are asked for; the IPv4 answers are mapped below.
	case family == 4:
		network = "ip4"
	case family == 6:
		network = "ip6"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, network, host)
	if err != nil {
		code := "EAI_FAIL"
		var de *net.DNSError
		var ae *net.AddrError
		if errors.As(err, &ae) {
			// The name exists but has no address of the family asked for
			// (localhost with only 127.0.0.1, Family 6): getaddrinfo's
			// EAI_NONAME, Node's ENOTFOUND.
			code = "ENOTFOUND"
		} else if errors.As(err, &de) {
			switch {
			case de.IsNotFound:
				code = "ENOTFOUND"
			case de.IsTimeout || de.IsTemporary:
				code = "EAI_AGAIN"
			}
		}
		return nil, nodenet.NewDNSError(code, host, err)
	}
	out := make([]LookupAddress, 0, len(ips))
	if mapped {
		var v4 []LookupAddress
		for _, ip := range ips {
			if ip.Unmap().Is4() {
				v4 = append(v4, LookupAddress{Address: netip.AddrFrom16(ip.Unmap().As16()).String(), Family: 6})
			} else {
				out = append(out, LookupAddress{Address: ip.String(), Family: 6})
			}
		}
		if len(out) == 0 || (HintAll != 0 && opts.Hints&HintAll != 0) {
			out = append(out, v4...)
		}
	} else {
		for _, ip := range ips {
			ip = ip.Unmap()
			f := 6
			if ip.Is4() {
				f = 4
			}
			out = append(out, LookupAddress{Address: ip.String(), Family: f})
		}
	}
	if len(out) == 0 {
		return nil, nodenet.NewDNSError("ENOTFOUND", host, nil)
	}
	if !opts.All {
		out = out[:1]
	}
	return out, nil
}

// configuredFamilies says whether the machine has an IPv4 and an IPv6
// address other than the loopback ones, glibc's test for AI_ADDRCONFIG
// (it discounts exactly 127.0.0.1 and ::1). It asks the kernel on every
// lookup, as glibc does.
func configuredFamilies() (v4, v6 bool) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return true, true // cannot tell: filter nothing
	}
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(n.IP)
		if !ok {
			continue
		}
		ip = ip.Unmap()
		switch {
		case ip.Is4() && ip != netip.AddrFrom4([4]byte{127, 0, 0, 1}):
			v4 = true
		case ip.Is6() && ip != netip.IPv6Loopback():
			v6 = true
		}
	}
	return v4, v6
}

// SetResolverConcurrency sets how many host-name lookups may run at once
// (default 4, like libuv's UV_THREADPOOL_SIZE). The pool is shared by every
// connect and every hostname listen of the process. Safe from any
// goroutine.
func SetResolverConcurrency(n int) { resolver.Default.SetConcurrency(n) }

// runLookup calls lookup on the resolver pool's goroutine; a panic in it
// becomes the lookup's error.
func runLookup(lookup LookupFunc, host string, opts LookupOptions) ([]LookupAddress, error) {
	return resolver.Guard(func() ([]LookupAddress, error) { return lookup(host, opts) })
}
