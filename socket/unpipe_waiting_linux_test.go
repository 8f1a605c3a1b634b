//go:build linux

package socket_test

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/nodenet/nodenet/socket"
)

// TestUnpipeOfWaitingDestinationResumes: src pipes into dst (read) and into
// other (whose peer never reads). other fills, needs 'drain', and its pipe
// pauses src. Node's unpipe(other) counts the drain other owed as come (the
// pipe's cleanup calls its ondrain), so src flows on into dst and dst gets
// every byte. nodenet removed other's drain listener and left src paused
// for ever (TestSplicePipeSwitchesToCopy hung 1 run in 20 under -race).
// Both forms: other as the inline first pipe and as a listener pipe.
func TestUnpipeOfWaitingDestinationResumes(t *testing.T) {
	for _, otherFirst := range []bool{false, true} {
		name := "other second"
		if otherFirst {
			name = "other first (inline)"
		}
		t.Run(name, func(t *testing.T) {
			eachPath(t, func(t *testing.T, splice bool, kind string) {
				const total = 2 << 20
				f := newPipeFixture(t, splice, kind)
				otherFD, otherPeer := connPair(t, kind) // never read until the end
				// other must fill: bound what the kernel holds for it
				// (autotuned, other's send buffer alone grows to
				// tcp_wmem's maximum, 4 MB here and more elsewhere, and
				// the premise rested on 8 MiB outgrowing it).
				setBufSizes(otherFD, 64<<10)
				if tc, ok := otherPeer.(*net.TCPConn); ok {
					tc.SetReadBuffer(64 << 10)
				}
				data := randomBytes(21, total)
				go writeChunks(f.in, data, 22, 64<<10)
				got := make(chan []byte, 1)
				go func() { b, _ := io.ReadAll(f.out); got <- b }()
				unpiped := false
				start(t, f.l, func() {
					src, dst := f.sockets()
					other := newFDSocket(t, socket.Options{Loop: f.l, FD: otherFD})
					if otherFirst {
						src.Pipe(other, nil)
						src.Pipe(dst, nil)
					} else {
						src.Pipe(dst, nil)
						src.Pipe(other, nil)
					}
					dst.OnFinish(func() { dst.Destroy(nil); other.Destroy(nil) })
					// Unpipe other once it holds src back: it needs 'drain'
					// and src is paused.
					var watch interface{ Stop() }
					watch = f.l.SetInterval(time.Millisecond, func() {
						if other.WritableNeedDrain() && src.IsPaused() {
							watch.Stop()
							unpiped = true
							src.Unpipe(other)
						}
					})
				})
				if !unpiped {
					t.Fatal("other never held the source back")
				}
				if b := <-got; !bytes.Equal(b, data) {
					t.Fatalf("dst's peer read %d bytes, differing from the %d sent", len(b), len(data))
				}
				otherPeer.Close()
				f.checkFDs()
			})
		})
	}
}
