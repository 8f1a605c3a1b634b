//go:build windows

package buffer

import "golang.org/x/sys/windows"

// wouldBlock reports a full send buffer on a nonblocking socket: the end of a
// Flush, not a failure.
func wouldBlock(err error) bool { return err == windows.WSAEWOULDBLOCK }

// interrupted reports a send cut short before it took anything.
func interrupted(err error) bool { return err == windows.WSAEINTR }
