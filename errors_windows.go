//go:build windows

package nodenet

import (
	"errors"

	"golang.org/x/sys/windows"
)

// winErrnos maps the Windows and Winsock errors sockets and pipes produce to
// the POSIX names Node (through libuv's uv_translate_sys_error) reports, with
// libuv's descriptions.
var winErrnos = map[windows.Errno][2]string{
	windows.WSAECONNRESET:             {"ECONNRESET", "connection reset by peer"},
	windows.WSAECONNREFUSED:           {"ECONNREFUSED", "connection refused"},
	windows.ERROR_CONNECTION_REFUSED:  {"ECONNREFUSED", "connection refused"},
	windows.WSAECONNABORTED:           {"ECONNABORTED", "software caused connection abort"},
	windows.ERROR_NETNAME_DELETED:     {"ECONNRESET", "connection reset by peer"},
	windows.WSAEADDRINUSE:             {"EADDRINUSE", "address already in use"},
	windows.WSAEADDRNOTAVAIL:          {"EADDRNOTAVAIL", "address not available"},
	windows.WSAETIMEDOUT:              {"ETIMEDOUT", "connection timed out"},
	windows.WSAEALREADY:               {"EALREADY", "connection already in progress"},
	windows.WSAENOTCONN:               {"ENOTCONN", "socket is not connected"},
	windows.WSAEMFILE:                 {"EMFILE", "too many open files"},
	windows.WSAENOBUFS:                {"ENOBUFS", "no buffer space available"},
	windows.WSAEINVAL:                 {"EINVAL", "invalid argument"},
	windows.ERROR_INVALID_PARAMETER:   {"EINVAL", "invalid argument"},
	windows.WSAENETUNREACH:            {"ENETUNREACH", "network is unreachable"},
	windows.WSAEHOSTUNREACH:           {"EHOSTUNREACH", "host is unreachable"},
	windows.WSAEAFNOSUPPORT:           {"EAFNOSUPPORT", "address family not supported"},
	windows.WSAEWOULDBLOCK:            {"EAGAIN", "resource temporarily unavailable"},
	windows.WSAENOTSOCK:               {"ENOTSOCK", "socket operation on non-socket"},
	windows.WSAESHUTDOWN:              {"EPIPE", "broken pipe"},
	windows.WSAEACCES:                 {"EACCES", "permission denied"},
	windows.ERROR_ACCESS_DENIED:       {"EACCES", "permission denied"},
	windows.ERROR_BROKEN_PIPE:         {"EPIPE", "broken pipe"},
	windows.ERROR_NO_DATA:             {"EPIPE", "broken pipe"},
	windows.ERROR_PIPE_BUSY:           {"EBUSY", "resource busy or locked"},
	windows.ERROR_FILE_NOT_FOUND:      {"ENOENT", "no such file or directory"},
	windows.ERROR_PATH_NOT_FOUND:      {"ENOENT", "no such file or directory"},
	windows.ERROR_BAD_PATHNAME:        {"ENOENT", "no such file or directory"},
	windows.ERROR_INVALID_NAME:        {"ENOENT", "no such file or directory"},
	windows.ERROR_TOO_MANY_OPEN_FILES: {"EMFILE", "too many open files"},
	windows.ERROR_OPERATION_ABORTED:   {"ECANCELED", "operation canceled"},
	windows.WSAEBADF:                  {"EBADF", "bad file descriptor"},
	windows.ERROR_INVALID_HANDLE:      {"EBADF", "bad file descriptor"},
	windows.WSAEINTR:                  {"EINTR", "interrupted system call"},
	windows.WSAEPROTONOSUPPORT:        {"EPROTONOSUPPORT", "protocol not supported"},
	windows.WSAEOPNOTSUPP:             {"ENOTSUP", "operation not supported on socket"},
	windows.ERROR_NOT_SUPPORTED:       {"ENOTSUP", "operation not supported on socket"},
	windows.ERROR_SEM_TIMEOUT:         {"ETIMEDOUT", "connection timed out"},
	windows.WSAENETDOWN:               {"ENETDOWN", "network is down"},
}

func errnoName(err error) (code, desc string, ok bool) {
	var errno windows.Errno
	if !errors.As(err, &errno) {
		return "", "", false
	}
	if e, found := winErrnos[errno]; found {
		return e[0], e[1], true
	}
	return "UNKNOWN", errno.Error(), true
}
