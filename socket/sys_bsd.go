//go:build unix && !linux

package socket

import "golang.org/x/sys/unix"

// readFD and writeFD go through x/sys (libc on darwin, where raw system calls
// are not allowed). SIGPIPE is ignored by the Go runtime for sockets.
func readFD(fd int, p []byte) (int, error) { return unix.Read(fd, p) }

func writeFD(fd int, p []byte) (int, error) { return unix.Write(fd, p) }

// newStreamSocket makes a nonblocking close-on-exec stream socket (two
// steps: not every BSD has SOCK_NONBLOCK). darwin also gets SO_NOSIGPIPE, its
// only way to keep a write to a reset peer from raising SIGPIPE.
func newStreamSocket(domain int) (int, error) {
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
