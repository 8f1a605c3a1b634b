//go:build linux

package respd_test

import (
	"testing"
	"time"

	"github.com/nodenet/nodenet/examples/resp/respd"
)

// TestIdleTimeout: Redis's timeout — a client silent that long is closed
// without a reply, not before; a busy one is never closed.
func TestIdleTimeout(t *testing.T) {
	const idle = 150 * time.Millisecond
	ts := startServer(t, respd.Options{IdleTimeout: idle})
	t.Run("idle", func(t *testing.T) {
		cl := dial(t, "tcp", ts.addr)
		// t0 before the request: the loop's clock for the last activity
		// is read after the request arrived, never before t0.
		t0 := time.Now()
		if r := cl.do(cmd("PING")); r != "+PONG\r\n" {
			t.Fatal(r)
		}
		cl.expectEOF()
		if d := time.Since(t0); d < idle {
			t.Fatalf("closed %v after the last request, before the %v timeout", d, idle)
		}
		if n := ts.rs.IdleCloses(); n != 1 {
			t.Fatalf("IdleCloses() = %d; want 1", n)
		}
	})
	t.Run("busy", func(t *testing.T) {
		// Commands back to back for over two periods of a timeout long
		// enough that a client stalled by a loaded machine is not idle.
		const idle = time.Second
		ts := startServer(t, respd.Options{IdleTimeout: idle})
		cl := dial(t, "tcp", ts.addr)
		t0 := time.Now()
		for i := 0; i < 1000000 && time.Since(t0) < idle*5/2; i++ {
			if r := cl.do(cmd("INCR", "n")); r[0] != ':' {
				t.Fatalf("command %d: %q", i, r)
			}
		}
	})
}

// TestConfigSetTimeout: CONFIG SET timeout reaches connections already
// open (idle ones are closed), CONFIG GET reports it in seconds, and 0
// turns it off again for open connections too.
func TestConfigSetTimeout(t *testing.T) {
	ts := startServer(t, respd.Options{})
	idle := dial(t, "tcp", ts.addr)
	if r := idle.do(cmd("PING")); r != "+PONG\r\n" {
		t.Fatal(r)
	}
	admin := dial(t, "tcp", ts.addr)
	if r := admin.do(cmd("CONFIG", "SET", "timeout", "1")); r != "+OK\r\n" {
		t.Fatal(r)
	}
	if r := admin.do(cmd("CONFIG", "GET", "timeout")); r != "*2\r\n$7\r\ntimeout\r\n$1\r\n1\r\n" {
		t.Fatalf("CONFIG GET timeout: %q", r)
	}
	idle.expectEOF()  // about 1 s after the SET
	admin.expectEOF() // as idle since its last reply
	if n := ts.rs.IdleCloses(); n != 2 {
		t.Fatalf("IdleCloses() = %d; want 2", n)
	}
	// Opened under timeout 1 (its socket timer armed at the accept),
	// then the timeout is turned off: that reaches it too.
	admin = dial(t, "tcp", ts.addr)
	if r := admin.do(cmd("CONFIG", "SET", "timeout", "1")); r != "+OK\r\n" {
		t.Fatal(r)
	}
	later := dial(t, "tcp", ts.addr)
	if r := later.do(cmd("PING")); r != "+PONG\r\n" {
		t.Fatal(r)
	}
	if r := admin.do(cmd("CONFIG", "SET", "timeout", "0")); r != "+OK\r\n" {
		t.Fatal(r)
	}
	if d := ts.rs.IdleTimeout(); d != 0 {
		t.Fatalf("IdleTimeout() = %v after CONFIG SET timeout 0", d)
	}
	// Wait out a 1 s idle timer elsewhere (the event that the time passed),
	// then the open connection, silent all along, still answers.
	probe := startServer(t, respd.Options{IdleTimeout: time.Second})
	pc := dial(t, "tcp", probe.addr)
	pc.do(cmd("PING"))
	pc.expectEOF()
	if r := later.do(cmd("PING")); r != "+PONG\r\n" {
		t.Fatal(r)
	}
}
