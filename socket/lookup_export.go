package socket

import "github.com/nodenet/nodenet/reactor"

// Resolve runs lookup (DefaultLookup when nil) for host on the bounded
// resolver pool and calls cb with the answer on loop l. While it is pending
// it keeps l's Run going, as a pending lookup does in Node. Servers use it
// for hostname listens; cb must be cheap.
func Resolve(l *reactor.Loop, host string, family int, lookup LookupFunc, cb func([]LookupAddress, error)) {
	if lookup == nil {
		lookup = DefaultLookup
	}
	l.Exec(func() {
		l.Ref()
		resolvers.submit(func() {
			addrs, err := lookup(host, family, 0)
			_ = l.Post(func() {
				l.Unref()
				cb(addrs, err)
			})
		})
	})
}
