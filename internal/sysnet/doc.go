// Package sysnet is nodenet's portable system layer for stream sockets: the
// few system calls the socket and server packages make, with one signature on
// every platform. Unix files use golang.org/x/sys/unix (raw read and send on
// Linux, as the hot path always has); Windows files use Winsock through
// golang.org/x/sys/windows, loading from ws2_32.dll what x/sys lacks.
//
// Descriptors are nonblocking: a call that would wait fails with an error
// for which IsWouldBlock is true, and readiness comes from the poller.
// Errors are the platform's errno values (unix.Errno, windows.Errno), so
// nodenet.Error unwraps to them and its Node code comes from the root
// package's tables.
//
// Imports point down only: this package may use the module root (for FD)
// and x/sys, nothing above it.
package sysnet

import (
	"net/netip"

	"github.com/nodenet/nodenet"
)

// FD is a socket descriptor: an int on Unix, a SOCKET handle on Windows.
type FD = nodenet.FD

// Invalid is "no descriptor".
const Invalid = nodenet.InvalidFD

// Addr is a socket name: an IP address and port, or a Unix domain socket
// (Unix set; Path is its name, "" when unnamed). IPv6 addresses carry their
// scope as a numeric zone ("fe80::1%2"), IPv4-mapped IPv6 addresses stay
// mapped (::ffff:127.0.0.1), as the kernel reported them.
type Addr struct {
	IP   netip.AddrPort
	Unix bool
	Path string
}
