package sysnet

import (
	"testing"

	"golang.org/x/sys/unix"
)

func socketpair(t *testing.T) (a, b FD) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

// TestMaxIovecsIsTheKernelLimit checks MaxIovecs against this kernel: one
// more buffer makes the gather write fail (sendmsg says EMSGSIZE where
// writev said EINVAL), which is why buffer.Queue.Flush caps each call at
// MaxIovecs.
func TestMaxIovecsIsTheKernelLimit(t *testing.T) {
	w, _ := socketpair(t)
	if err := unix.SetsockoptInt(w, unix.SOL_SOCKET, unix.SO_SNDBUF, 1<<20); err != nil {
		t.Fatal(err)
	}
	b := []byte{'x'}
	iov := make([]Iovec, MaxIovecs+1)
	for i := range iov {
		SetIovec(&iov[i], b)
	}
	if _, err := Writev(w, iov); err != unix.EMSGSIZE {
		t.Fatalf("gather write of %d buffers: %v, want EMSGSIZE", len(iov), err)
	}
	if n, err := Writev(w, iov[:MaxIovecs]); err != nil || n != MaxIovecs {
		t.Fatalf("gather write of %d buffers: %d, %v", MaxIovecs, n, err)
	}
}

// TestWritevAllocatesNothing: the msghdr stays on the stack.
func TestWritevAllocatesNothing(t *testing.T) {
	w, r := socketpair(t)
	b := []byte("hello")
	iov := make([]Iovec, 2)
	SetIovec(&iov[0], b)
	SetIovec(&iov[1], b)
	sink := make([]byte, 64)
	allocs := testing.AllocsPerRun(100, func() {
		if n, err := Writev(w, iov); err != nil || n != 10 {
			t.Fatalf("Writev: %d, %v", n, err)
		}
		if n, err := Read(r, sink); err != nil || n != 10 {
			t.Fatalf("Read: %d, %v", n, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per gather write", allocs)
	}
}
