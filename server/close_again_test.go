//go:build linux || windows

package server_test

import (
	"strings"
	"testing"

	"github.com/nodenet/nodenet/server"
)

// A second Close — in the same tick or later — calls its callback with
// ERR_SERVER_NOT_RUNNING and emits 'close' again, as Node 26 does (every
// close() that finds the server drained runs _emitCloseIfDrained). A Close
// in the same tick as the first is called back by the first emit, before
// the second one. A server that never listened emits 'close' too.
func TestCloseAgainEmitsCloseAgain(t *testing.T) {
	l := newLoop(t)
	var ev []string
	add := func(s string) { ev = append(ev, s) }
	cbName := func(name string) func(error) {
		return func(err error) {
			if err == nil {
				add(name + " null")
				return
			}
			add(name + " " + nodeErr(t, err).Code)
		}
	}
	if err := l.Post(func() {
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnClose(func() { add("close") })
		if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
			srv.Close(cbName("cb1"))
			srv.Close(cbName("cb2"))
			l.SetImmediate(func() { srv.Close(cbName("cb3")) })
		}); err != nil {
			t.Error(err)
		}
		idle := newServer(t, server.Options{Loop: l}, nil)
		idle.OnClose(func() { add("idle close") })
		idle.Close(cbName("idle cb"))
	}); err != nil {
		t.Fatal(err)
	}
	run(t, l)
	want := "idle close,idle cb ERR_SERVER_NOT_RUNNING,close,cb1 null,cb2 ERR_SERVER_NOT_RUNNING,close,close,cb3 ERR_SERVER_NOT_RUNNING"
	if got := strings.Join(ev, ","); got != want {
		t.Errorf("events %s\n\twant %s", got, want)
	}
}

// Listen then Close in one tick (loop.Main, Node's top-level code): a
// host-less listen is bound at once (Listening true) and its 'listening'
// never comes; a listen with a host is still resolving, so Close's callback
// hears ERR_SERVER_NOT_RUNNING and 'listening' never comes either.
func TestListenCloseInOneTick(t *testing.T) {
	l := newLoop(t)
	var ev []string
	add := func(s string) { ev = append(ev, s) }
	err := l.Main(func() {
		a := newServer(t, server.Options{Loop: l}, nil)
		a.OnListening(func() { add("a listening") })
		a.OnClose(func() { add("a close") })
		if err := a.Listen(server.ListenOptions{}, nil); err != nil {
			t.Error(err)
		}
		add("a listening=" + map[bool]string{true: "true", false: "false"}[a.Listening()])
		a.Close(func(err error) { add("a cb " + map[bool]string{true: "null", false: "err"}[err == nil]) })
		b := newServer(t, server.Options{Loop: l}, nil)
		b.OnListening(func() { add("b listening") })
		if err := b.Listen(server.ListenOptions{Host: "127.0.0.1"}, nil); err != nil {
			t.Error(err)
		}
		b.Close(func(err error) {
			if err == nil {
				add("b cb null")
				return
			}
			add("b cb " + nodeErr(t, err).Code)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "a listening=true,a close,a cb null,b cb ERR_SERVER_NOT_RUNNING"
	if got := strings.Join(ev, ","); got != want {
		t.Errorf("events %s\n\twant %s", got, want)
	}
}
