//go:build unix

package buffer

import "golang.org/x/sys/unix"

// wouldBlock reports a full send buffer: the end of a Flush, not a failure.
// EWOULDBLOCK is EAGAIN on every Unix Go supports.
func wouldBlock(err error) bool { return err == unix.EAGAIN }

// interrupted reports a write cut short by a signal before it took anything.
func interrupted(err error) bool { return err == unix.EINTR }
