package sysnet

import "golang.org/x/sys/windows"

// MaxIovecs caps one WSASend at 1,024 WSABUFs, the most Wine accepts.
const MaxIovecs = 1024

// Iovec is one buffer of a gather write.
type Iovec = windows.WSABuf

// SetIovec points v at b, which must not be empty.
func SetIovec(v *Iovec, b []byte) {
	v.Buf = &b[0]
	v.Len = uint32(len(b))
}

// Writev is a synchronous WSASend of iov on a nonblocking socket: readiness
// comes from the poller (AFD_POLL), so no OVERLAPPED is involved and the
// buffers need not stay pinned after the call returns. It returns the bytes
// taken, or -1 with the error (WSAEWOULDBLOCK when the send buffer is full:
// IsWouldBlock), as Read and Write do. Windows has no SIGPIPE.
func Writev(fd FD, iov []Iovec) (int, error) {
	if len(iov) == 0 {
		return 0, nil
	}
	var sent uint32
	if err := windows.WSASend(fd, &iov[0], uint32(len(iov)), &sent, 0, nil, nil); err != nil {
		return -1, err
	}
	return int(sent), nil
}
