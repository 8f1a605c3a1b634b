//go:build linux

package socket

import (
	"testing"
	"time"

	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/internal/seam"
	"golang.org/x/sys/unix"
)

// nopLayer is a seam.Layer that does nothing.
type nopLayer struct{}

func (nopLayer) Input([]byte)                   {}
func (nopLayer) InputEOF()                      {}
func (nopLayer) Write([]byte, func(error)) bool { return true }
func (nopLayer) Shutdown() bool                 { return false }
func (nopLayer) Connected()                     {}
func (nopLayer) Flow()                          {}
func (nopLayer) Pause()                         {}
func (nopLayer) InputError(error)               {}
func (nopLayer) Destroyed()                     {}

// TestLayerNeedsNoColdPart: attaching a layer (TLS) leaves the socket's
// cold part unallocated; the layer was kept there, which cost every idle
// TLS connection a 480-byte socketCold (issue 14, docs/tls.md).
func TestLayerNeedsNoColdPart(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[1])
	l := looptest.New(t)
	var cold bool
	_ = l.Post(func() {
		s, err := New(Options{Loop: l, FD: fds[0]})
		if err != nil {
			t.Error(err)
			return
		}
		if _, err := seam.Attach(s, &seam.Slot{Layer: nopLayer{}}); err != nil {
			t.Error(err)
		}
		cold = s.coldOrNil() != nil
		s.Destroy(nil)
	})
	looptest.Run(t, l, time.Minute)
	if cold {
		t.Fatal("attaching a layer allocated the socket's cold part")
	}
}
