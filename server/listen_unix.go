//go:build unix

package server

import (
	"strconv"
	"strings"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/sysnet"
	"golang.org/x/sys/unix"
)

// listenPath is Listen's Unix socket form: bound at the call, as libuv's
// uv_pipe_bind and uv_pipe_listen are.
func (s *Server) listenPath(o *ListenOptions, cb func()) error {
	return s.listenNow(o, cb, s.bindUnixPath)
}

// bindUnixPath binds a Unix domain socket path or abstract name and
// listens on it. Any goroutine.
func (s *Server) bindUnixPath(o *ListenOptions) (*bound, error) {
	path := o.Path
	name := path
	if name[0] == 0 {
		name = "@" + name[1:]
	}
	if !isAbstract(path) && strings.IndexByte(path, 0) >= 0 {
		// The kernel reads a path name up to its first NUL: binding it
		// would create the truncated name and leave that file behind after
		// Close. Node (libuv) refuses it with EINVAL, as an 'error' event.
		return nil, nodenet.NewListenError("listen", sysnet.EINVAL, path, -1)
	}
	if len(name) >= sysnet.MaxUnixPath {
		e := nodenet.NewListenError("listen", sysnet.EINVAL, path, -1)
		e.Message += " (path too long: " + strconv.Itoa(len(name)) + " bytes; a Unix socket path must be shorter than " + strconv.Itoa(sysnet.MaxUnixPath) + ")"
		return nil, e
	}
	fd, err := sysnet.UnixSocket()
	if err != nil {
		return nil, nodenet.NewListenError("listen", err, path, -1)
	}
	if err := sysnet.BindUnix(fd, name); err != nil {
		sysnet.Close(fd)
		return nil, nodenet.NewListenError("listen", err, path, -1)
	}
	// From here the file is ours (bind created it): every failure removes
	// it, and so does the end of the listen.
	b := &bound{fds: []nodenet.FD{fd}, unix: true, info: addressOf(sysnet.Addr{Unix: true, Path: path}), where: path, port: -1}
	if !isAbstract(path) {
		b.file = path
	}
	if b.file != "" && (o.ReadableAll || o.WritableAll) {
		if err := chmodSocket(path, o.ReadableAll, o.WritableAll); err != nil {
			b.release()
			return nil, nodenet.NewListenError("listen", err, path, -1)
		}
	}
	if err := sysnet.Listen(fd, s.backlog(o)); err != nil {
		b.release()
		return nil, nodenet.NewListenError("listen", err, path, -1)
	}
	return b, nil
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
