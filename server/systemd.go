//go:build unix

package server

import (
	"os"
	"strconv"

	"github.com/nodenet/nodenet"
	"golang.org/x/sys/unix"
)

// listenFDsStart is the first descriptor systemd passes (SD_LISTEN_FDS_START).
const listenFDsStart = 3

// SystemdListeners returns the listening sockets systemd passed by socket
// activation (LISTEN_FDS, checked against LISTEN_PID), marked close-on-exec,
// to hand to Listen(ListenOptions{Handle: fd}). It returns nil when the
// process was not socket-activated. With unsetEnv the variables are removed
// so child processes do not inherit them.
func SystemdListeners(unsetEnv bool) ([]int, error) {
	pid, nfds := os.Getenv("LISTEN_PID"), os.Getenv("LISTEN_FDS")
	if unsetEnv {
		os.Unsetenv("LISTEN_PID")
		os.Unsetenv("LISTEN_FDS")
		os.Unsetenv("LISTEN_FDNAMES")
	}
	if pid == "" || nfds == "" {
		return nil, nil
	}
	if p, err := strconv.Atoi(pid); err != nil || p != os.Getpid() {
		return nil, nil
	}
	n, err := strconv.Atoi(nfds)
	if err != nil || n < 0 {
		return nil, nodenet.NewError(nodenet.CodeInvalidArgValue, "LISTEN_FDS is invalid: "+strconv.Quote(nfds))
	}
	fds := make([]int, 0, n)
	for fd := listenFDsStart; fd < listenFDsStart+n; fd++ {
		unix.CloseOnExec(fd)
		fds = append(fds, fd)
	}
	return fds, nil
}
