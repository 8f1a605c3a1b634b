package buffer

import "golang.org/x/sys/windows"

// maxIovecs caps one WSASend at 1,024 WSABUFs, the most Wine accepts.
const maxIovecs = 1024

type iovec = windows.WSABuf

func setIovec(v *iovec, b []byte) {
	v.Buf = &b[0]
	v.Len = uint32(len(b))
}

// writev is a synchronous WSASend on a nonblocking socket: readiness comes
// from the poller (AFD_POLL), so no OVERLAPPED is involved and the chunks need
// not stay pinned after the call returns.
func writev(fd FD, iov []iovec) (int, error) {
	var sent uint32
	if err := windows.WSASend(fd, &iov[0], uint32(len(iov)), &sent, 0, nil, nil); err != nil {
		return 0, err
	}
	return int(sent), nil
}
