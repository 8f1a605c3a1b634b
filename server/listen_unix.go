//go:build unix

package server

import (
	"os"
	"strconv"
	"strings"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/sysnet"
	"golang.org/x/sys/unix"
)

// listenUnix binds a Unix domain socket path or abstract name.
func (s *Server) listenUnix(o *ListenOptions) {
	path := o.Path
	name := path
	if name[0] == 0 {
		name = "@" + name[1:]
	}
	if !isAbstract(path) && strings.IndexByte(path, 0) >= 0 {
		// The kernel reads a path name up to its first NUL: binding it
		// would create the truncated name and leave that file behind after
		// Close. Node (libuv) refuses it with EINVAL, as an 'error' event.
		s.listenFailed(nodenet.NewListenError("listen", sysnet.EINVAL, path, -1))
		return
	}
	if len(name) >= sysnet.MaxUnixPath {
		e := nodenet.NewListenError("listen", sysnet.EINVAL, path, -1)
		e.Message += " (path too long: " + strconv.Itoa(len(name)) + " bytes; a Unix socket path must be shorter than " + strconv.Itoa(sysnet.MaxUnixPath) + ")"
		s.listenFailed(e)
		return
	}
	fd, err := sysnet.UnixSocket()
	if err != nil {
		s.listenFailed(nodenet.NewListenError("listen", err, path, -1))
		return
	}
	if err := sysnet.BindUnix(fd, name); err != nil {
		sysnet.Close(fd)
		s.listenFailed(nodenet.NewListenError("listen", err, path, -1))
		return
	}
	abstract := isAbstract(path)
	if !abstract && (o.ReadableAll || o.WritableAll) {
		if err := chmodSocket(path, o.ReadableAll, o.WritableAll); err != nil {
			sysnet.Close(fd)
			os.Remove(path)
			s.listenFailed(nodenet.NewListenError("listen", err, path, -1))
			return
		}
	}
	if err := sysnet.Listen(fd, s.backlog(o)); err != nil {
		sysnet.Close(fd)
		if !abstract {
			os.Remove(path)
		}
		s.listenFailed(nodenet.NewListenError("listen", err, path, -1))
		return
	}
	if err := s.startAccepting([]nodenet.FD{fd}, true); err != nil {
		// The file is ours (bind created it): remove it, as the other
		// failure paths after bind do; s.unlinkPath is not set yet.
		if !abstract {
			os.Remove(path)
		}
		s.listenFailed(nodenet.NewListenError("listen", err, path, -1))
		return
	}
	s.path = path
	s.unlinkPath = !abstract
	s.listenSucceeded(addressOf(sysnet.Addr{Unix: true, Path: path}))
}

// chmodSocket is libuv's uv_pipe_chmod: the socket file's mode becomes
// exactly read and/or write for user, group and others — readableAll alone
// is 0444, writableAll 0222, both 0666 — as Node v26 leaves it (checked by
// the differential suite's ipc_paths scenario), not the bind's mode plus
// those bits.
func chmodSocket(path string, readable, writable bool) error {
	var mode uint32
	if readable {
		mode |= unix.S_IRUSR | unix.S_IRGRP | unix.S_IROTH
	}
	if writable {
		mode |= unix.S_IWUSR | unix.S_IWGRP | unix.S_IWOTH
	}
	return unix.Chmod(path, mode)
}
