//go:build linux

package server_test

import (
	"os"
	"testing"

	"github.com/nodenet/nodenet/server"
	"golang.org/x/sys/unix"
)

// NC-012: Listen on a descriptor that is not a listening socket does not
// fail synchronously; it emits error EINVAL or ENOTSOCK.
func TestNC012_ListenFDNotListening(t *testing.T) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	fds := map[string]int{"/dev/null": int(devnull.Fd())}
	var st unix.Stat_t
	if err := unix.Fstat(0, &st); err == nil && st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		fds["stdin"] = 0 // Node's own case; skipped if fd 0 is a socket
	}
	for name, fd := range fds {
		t.Run(name, func(t *testing.T) {
			l := newLoop(t)
			srv := newServer(t, server.Options{Loop: l}, nil)
			var got []error
			srv.OnError(func(err error) { got = append(got, err) })
			if err := srv.Listen(server.ListenOptions{Handle: fd}, func() { t.Error("listen callback ran") }); err != nil {
				t.Fatalf("Listen returned %v; Node reports this as an event", err)
			}
			run(t, l)
			if len(got) != 1 {
				t.Fatalf("error events %v, want 1", got)
			}
			ne := nodeErr(t, got[0])
			if ne.Code != "EINVAL" && ne.Code != "ENOTSOCK" {
				t.Errorf("code %s (%v), want EINVAL or ENOTSOCK", ne.Code, got[0])
			}
			if ne.Syscall != "listen" {
				t.Errorf("syscall %q, want listen", ne.Syscall)
			}
			// The borrowed descriptor was not closed on failure.
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
				t.Errorf("fd %d was closed by the failed listen: %v", fd, err)
			}
			if srv.Listening() {
				t.Error("Listening() after failure")
			}
		})
	}
}
