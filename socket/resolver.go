package socket

import (
	"context"
	"errors"
	"net"
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
// Go's resolver has no getaddrinfo flags: opts.Hints is ignored.
func DefaultLookup(host string, opts LookupOptions) ([]LookupAddress, error) {
	network := "ip"
	switch opts.Family {
	case 4:
		network = "ip4"
	case 6:
		network = "ip6"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, network, host)
	if err != nil {
		code := "EAI_FAIL"
		var de *net.DNSError
		if errors.As(err, &de) {
			switch {
			case de.IsNotFound:
				code = "ENOTFOUND"
			case de.IsTimeout || de.IsTemporary:
				code = "EAI_AGAIN"
			}
		}
		return nil, nodenet.NewDNSError(code, host, err)
	}
	if !opts.All && len(ips) > 1 {
		ips = ips[:1]
	}
	out := make([]LookupAddress, 0, len(ips))
	for _, ip := range ips {
		ip = ip.Unmap()
		f := 6
		if ip.Is4() {
			f = 4
		}
		out = append(out, LookupAddress{Address: ip.String(), Family: f})
	}
	if len(out) == 0 {
		return nil, nodenet.NewDNSError("ENOTFOUND", host, nil)
	}
	return out, nil
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
