//go:build unix

package server

import "github.com/nodenet/nodenet"

// handleFD reads a descriptor given as ListenOptions.Handle: an int on Unix
// (nodenet.FD is int). n is the number as given, for messages.
func handleFD(h any) (fd nodenet.FD, n int64, ok bool) {
	if v, isInt := h.(int); isInt {
		return v, int64(v), true
	}
	return nodenet.InvalidFD, 0, false
}
