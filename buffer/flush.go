package buffer

import (
	"io"

	"github.com/nodenet/nodenet/internal/sysnet"
)

// Flush hands the queued bytes to the kernel with gather writes
// (sysnet.Writev: sendmsg with MSG_NOSIGNAL on Linux, WSASend on Windows), up
// to sysnet.MaxIovecs chunks per call, until the Queue is
// empty or the kernel's send buffer is full. This is Node's writev path: every
// pending write goes out in as few system calls as possible, and exactly the
// bytes the kernel took are consumed, even when it stops mid-chunk.
//
// fd must be a nonblocking stream socket: on Linux the write is a raw system
// call that the Go scheduler does not see, which is cheap only because it
// never waits, and it is a send, which a pipe or a file would refuse.
//
// A full send buffer (EAGAIN, WSAEWOULDBLOCK) is not an error: Flush returns
// the bytes written so far with a nil error, and the socket waits for
// writability while Len is non-zero. EINTR is retried. Any other error, such
// as EPIPE or ECONNRESET, is returned as the system's errno (unix.Errno or
// windows.Errno), so errors.Is(err, unix.EPIPE) works; the bytes the kernel
// did not take stay queued.
func (q *Queue) Flush(fd sysnet.FD) (n int, err error) {
	for q.n > 0 {
		iov := q.pool.iovecs(min(q.n, sysnet.MaxIovecs))
		for i := range iov {
			sysnet.SetIovec(&iov[i], q.segment(i))
		}
		m, werr := sysnet.Writev(fd, iov)
		// Chunks consumed below may go back to a slab the Pool then drops;
		// stale pointers here would keep it alive.
		clear(iov)
		if m > 0 {
			q.Consume(m)
			n += m
		}
		switch {
		case werr == nil:
			if m == 0 {
				// A writev of non-empty buffers that takes nothing and
				// reports nothing: stop rather than spin.
				return n, io.ErrShortWrite
			}
		case sysnet.IsInterrupted(werr):
		case sysnet.IsWouldBlock(werr):
			return n, nil
		default:
			return n, werr
		}
	}
	return n, nil
}
