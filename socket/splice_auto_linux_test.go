//go:build linux

package socket_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/nodenet/nodenet/socket"
)

// TestSpliceAutoFollowsTheSizes pins SpliceAuto's rule, message by message
// through src.Pipe(dst): after large reads a pipe splices, a short piece
// between large ones (the 53-byte tail a 64 KiB write leaves over
// loopback) does not switch it to copying, a run of small messages does
// (within a few of them), and large messages switch it back.
func TestSpliceAutoFollowsTheSizes(t *testing.T) {
	prev := socket.DefaultPipeSplice()
	socket.SetDefaultPipeSplice(socket.SpliceAuto)
	t.Cleanup(func() { socket.SetDefaultPipeSplice(prev) })
	for _, kind := range []string{"tcp", "unix"} {
		t.Run(kind, func(t *testing.T) {
			f := newPipeFixture(t, true, kind)
			failed := make(chan error, 1)
			go func() {
				// The messages go through while the loop runs; closing the
				// source's peer then ends the pipe and lets the loop return.
				failed <- spliceAutoSteps(f)
				f.in.Close()
			}()
			start(t, f.l, func() {
				src, dst := f.sockets()
				src.Pipe(dst, nil)
				dst.OnFinish(func() { dst.Destroy(nil) })
				dst.OnClose(func(bool) { src.Destroy(nil) })
			})
			if err := <-failed; err != nil {
				t.Fatal(err)
			}
			f.checkFDs()
		})
	}
}

// spliceAutoSteps sends the messages of TestSpliceAutoFollowsTheSizes one
// at a time through f's pipe (its loop running) and checks how each went.
func spliceAutoSteps(f *pipeFixture) error {
	moved := func() (uint64, error) {
		ch := make(chan uint64, 1)
		if err := f.l.Post(func() { _, _, m := socket.SpliceStats(f.l); ch <- m }); err != nil {
			return 0, err
		}
		return <-ch, nil
	}
	buf := make([]byte, 64<<10)
	// step sends one message of n bytes, waits until dst's peer has all of
	// it, and reports how many of its bytes were spliced.
	step := func(n int) (uint64, error) {
		before, err := moved()
		if err != nil {
			return 0, err
		}
		if _, err := f.in.Write(randomBytes(uint64(n), n)); err != nil {
			return 0, err
		}
		_ = f.out.SetReadDeadline(time.Now().Add(hangGuard))
		if _, err := io.ReadFull(f.out, buf[:n]); err != nil {
			return 0, fmt.Errorf("reading a %d-byte message back: %w", n, err)
		}
		after, err := moved()
		return after - before, err
	}
	const big, tail, small = 64 << 10, 53, 1 << 10
	want := func(what string, n int, all bool) error {
		m, err := step(n)
		switch {
		case err != nil:
			return err
		case all && m != uint64(n):
			return fmt.Errorf("%s spliced %d of its %d bytes; want all", what, m, n)
		case !all && m != 0:
			return fmt.Errorf("%s spliced %d of its %d bytes; want it copied", what, m, n)
		}
		return nil
	}
	if _, err := step(big); err != nil { // copied (the first read decides), then splicing
		return err
	}
	if err := want("a 64 KiB message after another", big, true); err != nil {
		return err
	}
	if err := want("a 53-byte piece after 64 KiB messages", tail, true); err != nil {
		return err
	}
	if err := want("a 64 KiB message after a 53-byte piece (the short piece switched splicing off)", big, true); err != nil {
		return err
	}
	splicedSmall := 0
	for range 16 {
		m, err := step(small)
		if err != nil {
			return err
		}
		if m != 0 {
			splicedSmall++
		}
	}
	if splicedSmall > 8 {
		return fmt.Errorf("%d of 16 1 KiB messages after large ones were spliced; SpliceAuto should copy them after a few", splicedSmall)
	}
	if err := want("a 1 KiB message in a run of them", small, false); err != nil {
		return err
	}
	if _, err := step(big); err != nil { // copied, and splicing again
		return err
	}
	return want("a 64 KiB message after small ones and a large one", big, true)
}
