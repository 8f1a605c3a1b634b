//go:build windows

package server

import "github.com/nodenet/nodenet"

// handleFD reads a socket given as ListenOptions.Handle: a nodenet.FD
// (windows.Handle), or an int as Node's {fd: n} would give it. n is the
// number as given, for messages; INVALID_SOCKET counts as negative.
func handleFD(h any) (fd nodenet.FD, n int64, ok bool) {
	switch v := h.(type) {
	case int:
		return nodenet.FD(v), int64(v), true
	case nodenet.FD:
		if v == nodenet.InvalidFD {
			return v, -1, true
		}
		return v, int64(v), true
	}
	return nodenet.InvalidFD, 0, false
}
