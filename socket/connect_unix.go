//go:build unix

package socket

import (
	"strings"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/sysnet"
)

// connectUnix connects to a Unix domain socket path (or abstract name).
func (s *Socket) connectUnix(path string) {
	c := s.c()
	sa, err := unixSockaddr(path)
	if err != nil {
		s.failLater(nodenet.NewHostPortError("connect", err, path, 0))
		return
	}
	fd, err := sysnet.UnixSocket()
	if err != nil {
		s.failLater(nodenet.NewHostPortError("connect", err, path, 0))
		return
	}
	gen := c.connectGen
	err = sysnet.ConnectUnix(fd, sa)
	if err != nil {
		sysnet.Close(fd)
		e := nodenet.NewHostPortError("connect", err, path, 0)
		// libuv reports a pipe's failed connect through its callback, so
		// Node emits 'connectionAttemptFailed' before destroying.
		s.loop.SetImmediate(func() {
			if c.connectGen != gen {
				return
			}
			s.emitAttemptFailed(path, 0, 0, e)
			if c.connectGen == gen && !s.is(stDestroyed) {
				s.destroyWith(e)
			}
		})
		return
	}
	s.setFD(fd)
	a := &connectAttempt{fd: fd, plan: &attemptPlan{}}
	c.attempt = a
	if rerr := s.loop.Register(fd, nodenet.EventWrite, s.handler()); rerr != nil {
		s.setFD(sysnet.Invalid)
		sysnet.Close(fd)
		c.attempt = nil
		s.failLater(rerr)
	}
}

// unixSockaddr builds a Unix socket address, refusing (rather than
// truncating) a path longer than sun_path, and a path name with a NUL in
// it, which the kernel would read as the part before the NUL (Node reports
// EINVAL for both). '@' or a leading NUL is a Linux abstract name, whose
// bytes are all significant.
func unixSockaddr(path string) (string, error) {
	name := path
	if len(name) > 0 && name[0] == 0 {
		name = "@" + name[1:]
	}
	if name != "" && name[0] != '@' && strings.IndexByte(name, 0) >= 0 {
		return "", sysnet.EINVAL
	}
	if len(name) >= sysnet.MaxUnixPath {
		return "", sysnet.EINVAL
	}
	return name, nil
}
