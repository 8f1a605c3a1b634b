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

// Inside a Listen callback, ListenerCount no longer counts that callback:
// Node's once wrapper removes itself before it calls. A negative Backlog
// listens (Node hands it to listen(2), which takes it as the maximum); an
// abstract path with ReadableAll quotes the options as Node does.
func TestListenCallbackCountAndNegativeBacklog(t *testing.T) {
	l := newLoop(t)
	counts := []int{}
	err := l.Main(func() {
		srv := newServer(t, server.Options{Loop: l}, nil)
		srv.OnListening(func() {})
		if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1", Backlog: -1}, func() {
			counts = append(counts, srv.ListenerCount(server.EventListening))
			srv.Close(nil)
		}); err != nil {
			t.Error(err)
		}
		err := srv.Listen(server.ListenOptions{Path: "\x00nodenet-abs", ReadableAll: true}, nil)
		want := "The argument 'options' can not set readableAll or writableAllt to true when path is abstract unix socket. Received { path: '\\x00nodenet-abs', readableAll: true }"
		if err == nil || err.Error() != want {
			t.Errorf("abstract path with ReadableAll: %v\n\twant %s", err, want)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[0] != 1 {
		t.Errorf("ListenerCount inside the Listen callback: %v; want [1] (the OnListening listener only)", counts)
	}
}
