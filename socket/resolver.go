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

// LookupFunc resolves host for a connect (Node's lookup option). family is
// 0, 4 or 6; hints is the hints option. It runs on one of the resolver's
// goroutines, never on a loop, so it may block. Node's invalid answers are
// checked: a non-IP address gives ERR_INVALID_IP_ADDRESS, a family other
// than 4 or 6 ERR_INVALID_ADDRESS_FAMILY. A panic in it is recovered and
// becomes the lookup's error (ERR_NODENET_CALLBACK_PANIC: 'lookup', then
// 'error' and 'close'), as a panic in a callback on the loop is.
type LookupFunc func(host string, family int, hints int) ([]LookupAddress, error)

// DefaultLookup resolves with Go's resolver (/etc/hosts, then DNS), keeping
// the order it answers in (Node's verbatim order), and turns failures into
// Node's getaddrinfo errors (ENOTFOUND, EAI_AGAIN, EAI_FAIL).
func DefaultLookup(host string, family int, hints int) ([]LookupAddress, error) {
	network := "ip"
	switch family {
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
func runLookup(lookup LookupFunc, host string, family, hints int) ([]LookupAddress, error) {
	return resolver.Guard(func() ([]LookupAddress, error) { return lookup(host, family, hints) })
}
