//go:build windows

package socket

import (
	"github.com/nodenet/nodenet"
	"golang.org/x/sys/windows"
)

// connectUnix on Windows: Unix domain sockets are not offered; Path names a
// named pipe (\\.\pipe\name), which is not implemented yet.
func (s *Socket) connectUnix(path string) {
	s.failLater(nodenet.NewHostPortError("connect", windows.ERROR_NOT_SUPPORTED, path, 0))
}
