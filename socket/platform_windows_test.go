//go:build windows

package socket_test

import (
	"testing"

	"github.com/nodenet/nodenet"
	"golang.org/x/sys/windows"
)

// Platform pieces of the tests: errno values, socket options, descriptors.

const haveUnixSockets = false

var (
	errConnRefused error = windows.WSAECONNREFUSED
	errConnReset   error = windows.WSAECONNRESET
	errAddrInUse   error = windows.WSAEADDRINUSE
	errPipe        error = windows.WSAESHUTDOWN
)

const (
	solSocket   = windows.SOL_SOCKET
	soKeepAlive = windows.SO_KEEPALIVE
	ipprotoTCP  = windows.IPPROTO_TCP
	tcpNoDelay  = windows.TCP_NODELAY
	tcpKeepIdle = windows.TCP_KEEPIDLE
)

func getsockoptInt(fd nodenet.FD, level, opt int) (int, error) {
	return windows.GetsockoptInt(fd, level, opt)
}

func setBufSizes(fd nodenet.FD, n int) {
	_ = windows.SetsockoptInt(fd, windows.SOL_SOCKET, windows.SO_SNDBUF, n)
	_ = windows.SetsockoptInt(fd, windows.SOL_SOCKET, windows.SO_RCVBUF, n)
}

func socketPair() ([2]nodenet.FD, error) { return [2]nodenet.FD{}, windows.WSAEOPNOTSUPP }

func closeFD(fd nodenet.FD) { windows.Closesocket(fd) }

// fdCount: Windows has no descriptor table to list; handle counts move
// with the runtime's own threads and events, so the leak checks that use it
// compare 0 with 0 here (they run on Linux).
func fdCount(testing.TB) int { return 0 }

// isWine reports whether the test runs under Wine (ntdll exports
// wine_get_version there).
func isWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
