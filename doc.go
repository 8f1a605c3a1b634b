// Package nodenet is the kernel layer of nodenet: Node.js's net module semantics
// on a Go reactor that polls nonblocking descriptors directly.
//
// This package holds what every other layer builds on and nothing else: the
// platform pollers (epoll on Linux, kqueue on the BSDs and macOS, IOCP with
// AFD_POLL on Windows) behind one readiness interface, the error type that
// carries Node's error codes, and Node's IP-literal predicates (IsIP, IsIPv4,
// IsIPv6).
//
// The event loop lives in package reactor, the write queue in buffer, and the
// Node objects in socket (net.Socket) and server (net.Server).
package nodenet
