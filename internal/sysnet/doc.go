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
// It is the one home of the system calls on a socket's data path: Read,
// Write, Writev (the gather write buffer.Queue.Flush makes), Peek, and the
// splice(2) pump of socket.Pipe on Linux; the pollers' own calls (epoll,
// kqueue, IOCP) stay in the root package beside the pollers.
//
// # SIGPIPE
//
// One policy for every send: none raises SIGPIPE; a send to a peer that is
// gone fails with EPIPE (or ECONNRESET) and the socket reports it as Node
// does. Linux passes MSG_NOSIGNAL to each send (sendto for Write, sendmsg for
// Writev); FreeBSD, NetBSD, OpenBSD and DragonFly do the same through x/sys;
// macOS, which has no MSG_NOSIGNAL for sockets, sets SO_NOSIGPIPE on every
// socket sysnet makes, accepts or adopts (SetNonblock). Windows has no
// SIGPIPE. So a program that asks for SIGPIPE with signal.Notify (or a C host
// that does not ignore it) hears none from nodenet's sockets
// (TestNoSendRaisesSIGPIPE). One exception: splice(2) into a socket takes no
// such flag, and a kernel may raise SIGPIPE for it; the Go runtime ignores a
// SIGPIPE that no os.File write raised, unless the program asked for it.
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
