//go:build linux

package socket_test

import (
	"os"
	"testing"

	"github.com/nodenet/nodenet"
	"golang.org/x/sys/unix"
)

// Platform pieces of the tests: errno values, socket options, descriptors.

const haveUnixSockets = true

var (
	errConnRefused error = unix.ECONNREFUSED
	errConnReset   error = unix.ECONNRESET
	errAddrInUse   error = unix.EADDRINUSE
	errPipe        error = unix.EPIPE
)

const (
	solSocket   = unix.SOL_SOCKET
	soKeepAlive = unix.SO_KEEPALIVE
	ipprotoTCP  = unix.IPPROTO_TCP
	tcpNoDelay  = unix.TCP_NODELAY
	tcpKeepIdle = unix.TCP_KEEPIDLE
)

func getsockoptInt(fd nodenet.FD, level, opt int) (int, error) {
	return unix.GetsockoptInt(fd, level, opt)
}

func setBufSizes(fd nodenet.FD, n int) {
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, n)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, n)
}

func socketPair() ([2]nodenet.FD, error) {
	return unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
}

func closeFD(fd nodenet.FD) { unix.Close(fd) }

// fdCount counts this process's open descriptors.
func fdCount(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func isWine() bool { return false }
