//go:build linux

package sysnet

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// spliceFlags: SPLICE_F_NONBLOCK makes the pipe side of the call
// nonblocking (the socket side already is: every socket here is
// O_NONBLOCK); SPLICE_F_MOVE is a hint the kernel may use to move pages
// rather than copy them.
const spliceFlags = unix.SPLICE_F_NONBLOCK | unix.SPLICE_F_MOVE

// Splice moves at most n bytes from in to out inside the kernel, one of
// them being a pipe. It is raw, as Read and Write: with both ends
// nonblocking it never waits. It returns 0, nil at EOF on in, and -1 with
// the error otherwise (EAGAIN when in has nothing or out has no room;
// EINVAL or ENOSYS when the kernel cannot splice these descriptors —
// nothing was moved then).
func Splice(out, in FD, n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	m, _, e := unix.RawSyscall6(unix.SYS_SPLICE, uintptr(in), 0, uintptr(out), 0, uintptr(n), spliceFlags)
	if e != 0 {
		return -1, e
	}
	return int(m), nil
}

// IsSpliceUnsupported: the kernel refused to splice these descriptors
// (EINVAL: a socket type without splice support; ENOSYS, EPERM: no splice
// at all, as under some seccomp filters). Nothing was moved, so the caller
// may copy instead.
func IsSpliceUnsupported(err error) bool {
	return err == unix.EINVAL || err == unix.ENOSYS || err == unix.EPERM || err == unix.EOPNOTSUPP
}

// Pipe makes a kernel pipe for splicing, both ends nonblocking and
// close-on-exec, and asks for a capacity of size bytes (F_SETPIPE_SZ; the
// kernel rounds up to a power-of-two number of pages and may refuse above
// /proc/sys/fs/pipe-max-size or the user's pipe quota, in which case the
// default stays). It returns the capacity the pipe has.
func Pipe(size int) (r, w FD, capacity int, err error) {
	var p [2]int32
	if _, _, e := unix.RawSyscall(unix.SYS_PIPE2, uintptr(unsafe.Pointer(&p)), unix.O_NONBLOCK|unix.O_CLOEXEC, 0); e != 0 {
		return Invalid, Invalid, 0, e
	}
	r, w = FD(p[0]), FD(p[1])
	if size > 0 {
		_, _ = unix.FcntlInt(uintptr(r), unix.F_SETPIPE_SZ, size)
	}
	capacity, err = unix.FcntlInt(uintptr(r), unix.F_GETPIPE_SZ, 0)
	if err != nil {
		unix.Close(r)
		unix.Close(w)
		return Invalid, Invalid, 0, err
	}
	return r, w, capacity, nil
}

// ReadPipe reads from a pipe's read end (the copy fallback for bytes
// already spliced into it). Raw: the pipe is nonblocking.
func ReadPipe(fd FD, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}
