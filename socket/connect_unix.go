//go:build unix

package socket

import (
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
	err = sysnet.ConnectUnix(fd, sa)
	if err != nil {
		sysnet.Close(fd)
		e := nodenet.NewHostPortError("connect", err, path, 0)
		s.failLater(e)
		return
	}
	s.fd = fd
	a := &connectAttempt{fd: fd, plan: &attemptPlan{}}
	c.attempt = a
	if rerr := s.loop.Register(fd, nodenet.EventWrite, s); rerr != nil {
		sysnet.Close(fd)
		s.fd = sysnet.Invalid
		c.attempt = nil
		s.failLater(rerr)
	}
}

// unixSockaddr builds a Unix socket address, refusing (rather than
// truncating) a path longer than sun_path. '@' or a leading NUL is a Linux
// abstract name.
func unixSockaddr(path string) (string, error) {
	name := path
	if len(name) > 0 && name[0] == 0 {
		name = "@" + name[1:]
	}
	if len(name) >= sysnet.MaxUnixPath {
		return "", sysnet.EINVAL
	}
	return name, nil
}
