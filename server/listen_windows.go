//go:build windows

package server

import (
	"github.com/nodenet/nodenet"
	"golang.org/x/sys/windows"
)

// listenUnix on Windows: Unix domain sockets are not offered; Path names a
// named pipe (\\.\pipe\name), which is not implemented yet.
func (s *Server) listenUnix(o *ListenOptions) {
	s.listenFailed(nodenet.NewListenError("listen", windows.ERROR_NOT_SUPPORTED, o.Path, -1))
}
