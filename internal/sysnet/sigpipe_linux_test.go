package sysnet

import (
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sigpipeBit is SIGPIPE (13 on every Linux architecture Go supports) in a
// kernel signal set; untyped, so it fits Sigset_t's words on 32-bit systems
// too.
const sigpipeBit = 1 << (13 - 1)

// pendingSIGPIPE reports whether SIGPIPE is pending on this thread (it is
// blocked there, so a raised one stays pending).
func pendingSIGPIPE(t *testing.T) bool {
	t.Helper()
	var set uint64
	if _, _, e := unix.RawSyscall(unix.SYS_RT_SIGPENDING, uintptr(unsafe.Pointer(&set)), 8, 0); e != 0 {
		t.Fatalf("rt_sigpending: %v", e)
	}
	return set&sigpipeBit != 0
}

// TestNoSendRaisesSIGPIPE is the package's SIGPIPE policy, checked where a
// signal cannot be missed: SIGPIPE is blocked on a locked thread, so one
// raised by a send stays pending there for rt_sigpending to see. Write and
// Writev to a peer that is gone fail with EPIPE and leave nothing pending;
// a plain write(2), the control, does raise it (so the check can fail).
// Writev used to be writev(2), which raised SIGPIPE: invisible while the Go
// runtime ignores the signal, delivered to a program that asked for it with
// signal.Notify.
func TestNoSendRaisesSIGPIPE(t *testing.T) {
	if unix.SIGPIPE != 13 {
		t.Fatalf("SIGPIPE is %d here, not 13", unix.SIGPIPE)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var block, old unix.Sigset_t
	block.Val[0] = sigpipeBit
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &block, &old); err != nil {
		t.Fatal(err)
	}
	// Unblocking delivers whatever is pending to the Go runtime, which
	// ignores a SIGPIPE that no os.File write raised.
	defer unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil)
	if pendingSIGPIPE(t) {
		t.Skip("SIGPIPE already pending on this thread")
	}
	w, r := socketpair(t)
	unix.Close(r)
	b := []byte("gone")
	iov := make([]Iovec, 2)
	SetIovec(&iov[0], b)
	SetIovec(&iov[1], b)
	for _, c := range []struct {
		name string
		send func() error
	}{
		{"Write", func() error { _, err := Write(w, b); return err }},
		{"Writev", func() error { _, err := Writev(w, iov); return err }},
	} {
		if err := c.send(); err != unix.EPIPE {
			t.Fatalf("%s to a closed peer: %v, want EPIPE", c.name, err)
		}
		if pendingSIGPIPE(t) {
			t.Fatalf("%s raised SIGPIPE", c.name)
		}
	}
	if _, err := unix.Write(w, b); err != unix.EPIPE {
		t.Fatalf("control write(2): %v, want EPIPE", err)
	}
	if !pendingSIGPIPE(t) {
		t.Fatal("control write(2) raised no SIGPIPE: this check cannot see one")
	}
	// Take the control's signal off the thread before unblocking.
	var ts unix.Timespec
	unix.RawSyscall6(unix.SYS_RT_SIGTIMEDWAIT, uintptr(unsafe.Pointer(&block)), 0, uintptr(unsafe.Pointer(&ts)), 8, 0, 0)
}
