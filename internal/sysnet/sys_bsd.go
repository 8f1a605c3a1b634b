//go:build unix && !linux

package sysnet

import "golang.org/x/sys/unix"

// MaxUnixPath is sizeof(sun_path) on the BSDs and macOS.
const MaxUnixPath = 104

// Read and Write go through x/sys (libc on darwin and openbsd, where raw
// system calls are not allowed). Write is a send with sendFlags
// (MSG_NOSIGNAL where the system has it; macOS's sockets carry SO_NOSIGPIPE
// instead), so it raises no SIGPIPE (doc.go). Both return -1 with the error.
func Read(fd FD, p []byte) (int, error) { return unix.Read(fd, p) }

func Write(fd FD, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := unix.SendmsgN(fd, p, nil, nil, sendFlags)
	if err != nil {
		return -1, err
	}
	return n, nil
}

// newStreamSocket makes a nonblocking close-on-exec stream socket (two
// steps: not every BSD has SOCK_NONBLOCK), SIGPIPE-free on macOS
// (noSigPipe).
func newStreamSocket(domain int) (FD, error) {
	fd, err := unix.Socket(domain, unix.SOCK_STREAM, 0)
	if err != nil {
		return -1, err
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, err
	}
	noSigPipe(fd)
	return fd, nil
}

// accept: darwin has no accept4, so the flags are set after the fact (the
// process does not fork-exec concurrently with its loops in practice).
func accept(fd FD) (FD, Addr, error) {
	nfd, sa, err := unix.Accept(fd)
	if err != nil {
		return -1, Addr{}, err
	}
	unix.CloseOnExec(nfd)
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return -1, Addr{}, err
	}
	noSigPipe(nfd)
	return nfd, addrOf(sa), nil
}

func shutdownWrite(fd FD) error { return unix.Shutdown(fd, unix.SHUT_WR) }

func setNoDelay(fd FD, on bool) error {
	return unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, boolInt(on))
}
