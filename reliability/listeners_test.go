//go:build linux

package reliability

import (
	"errors"
	"testing"

	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
	"golang.org/x/sys/unix"
)

// TestErrorListenerAddedAfterConnect: listeners added right after Connect
// from another goroutine (posted behind the connect) still hear a connect
// that fails at once — libuv reports it from its connect callback, a loop
// iteration later, and so does nodenet. Regression test: the error used to
// be emitted inside the connect task and only logged.
func TestErrorListenerAddedAfterConnect(t *testing.T) {
	checkLeaks(t)
	for _, o := range []socket.ConnectOptions{
		{Path: "/nonexistent-dir/x.sock"},
		{Host: "127.0.0.1", Port: refusedPort(t)},
	} {
		l, err := reactor.New()
		if err != nil {
			t.Fatal(err)
		}
		o.Loop = l
		s, err := socket.Connect(o, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got error
		s.OnError(func(err error) { got = err })
		if err := l.Run(); err != nil {
			t.Fatal(err)
		}
		l.Stop()
		if !errors.Is(got, unix.ENOENT) && !errors.Is(got, unix.ECONNREFUSED) {
			t.Fatalf("%+v: error listener got %v", o, got)
		}
	}
}
