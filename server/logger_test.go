//go:build linux || windows

package server_test

import (
	"testing"

	"github.com/nodenet/nodenet/server"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// TestLoggerOption: an error event with no listener goes to Options.Logger
// (Node would throw; a library logs) — here an EADDRINUSE from a second
// server on the same port.
func TestLoggerOption(t *testing.T) {
	core, logs := observer.New(zap.ErrorLevel)
	l := newLoop(t)
	first := newServer(t, server.Options{Loop: l}, nil)
	second := newServer(t, server.Options{Loop: l, Logger: zap.New(core)}, nil)
	l.Post(func() {
		first.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
			info, _ := first.AddressInfo()
			second.Listen(server.ListenOptions{Host: "127.0.0.1", Port: info.Port}, nil)
			// The error is emitted on the next tick; close after it.
			l.SetImmediate(func() { first.Close(nil); second.Close(nil) })
		})
	})
	run(t, l)
	entries := logs.FilterMessage("nodenet: unhandled server error").All()
	if len(entries) != 1 {
		t.Fatalf("want one logged error, got %v", logs.All())
	}
	if err, _ := entries[0].ContextMap()["error"].(string); err == "" {
		t.Fatalf("log entry without the error: %v", entries[0].ContextMap())
	}
}
