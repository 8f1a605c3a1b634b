//go:build windows

package seam

import (
	"strings"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/reactor"
	"golang.org/x/sys/windows"
)

// NewAcceptedPipe wraps the server end of a named pipe a client connected
// to in a *socket.Socket. h must be bound to l's completion port already
// (the server issued ConnectNamedPipe on it). It must be called on l's
// goroutine; the caller emits 'connection'.
var NewAcceptedPipe func(l *reactor.Loop, h windows.Handle, o AcceptOptions) (any, error)

// PipeOSName is path as the system is given it: with backslashes only
// (a \\?\ path is not normalised by Windows). Addresses and errors keep
// the caller's spelling.
func PipeOSName(path string) string { return strings.ReplaceAll(path, "/", `\`) }

// NotPipeNameError is the error for a Path that is not a pipe name.
func NotPipeNameError(syscall, path string, port int) error {
	e := nodenet.NewHostPortError(syscall, windows.ERROR_INVALID_PARAMETER, path, port)
	if syscall == "listen" {
		e = nodenet.NewListenError(syscall, windows.ERROR_INVALID_PARAMETER, path, port)
	}
	e.Message += ` (on Windows, Path must name a pipe: \\.\pipe\name or \\?\pipe\name)`
	return e
}
