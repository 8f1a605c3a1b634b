package main

import (
	"encoding/json"
	"time"

	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// listen makes srv listen on an ephemeral port of 127.0.0.1 and calls
// cb(port) from its 'listening' event, the port named PORT in the trace
// (trace.js's listen).
func listen(srv *server.Server, cb func(port int)) {
	err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
		a, _ := srv.AddressInfo()
		cb(sub(a.Port, "PORT"))
	})
	if err != nil {
		trace("server", "listen-threw", errf(err)...)
	}
}

// watch traces every event of socket s as side, registered in the order
// trace.js's watch uses. data false leaves 'data' alone.
func watch(side string, s *socket.Socket, data bool) *socket.Socket {
	s.OnConnect(func() { trace(side, "connect") })
	s.OnReady(func() { trace(side, "ready") })
	s.OnLookup(func(err error, address string, family int, host string) {
		trace(side, "lookup", append(errf(err), "address", und(address), "family", undInt(family), "host", host)...)
	})
	if data {
		s.OnData(func(d []byte) { trace(side, "data", "text", d) })
	}
	s.OnEnd(func() { trace(side, "end") })
	s.OnFinish(func() { trace(side, "finish") })
	s.OnDrain(func() { trace(side, "drain", "bufferSize", s.BufferSize()) })
	s.OnTimeout(func() { trace(side, "timeout") })
	s.OnError(func(err error) { trace(side, "error", errf(err)...) })
	s.OnClose(func(hadError bool) {
		trace(side, "close", "hadError", hadError, "bytesRead", s.BytesRead(), "bytesWritten", s.BytesWritten())
	})
	return s
}

// state traces what a Node user reads off s at this moment (trace.js's state).
func state(side string, s *socket.Socket, label string) {
	trace(side, "state", "at", label, "readyState", s.ReadyState(), "connecting", s.Connecting(), "pending", s.Pending(),
		"destroyed", s.Destroyed(), "readable", s.Readable(), "writable", s.Writable(),
		"writableLength", s.WritableLength(), "bytesRead", s.BytesRead(), "bytesWritten", s.BytesWritten())
}

// streamState traces the stream.Duplex state a Node user reads off s
// (trace.js's streamState). ReadableFlowing's String is Node's null/true/false.
func streamState(side string, s *socket.Socket, label string) {
	trace(side, "stream", "at", label, "writableEnded", s.WritableEnded(), "writableFinished", s.WritableFinished(),
		"writableNeedDrain", s.WritableNeedDrain(), "writableCorked", s.WritableCorked(),
		"writableLength", s.WritableLength(), "readableEnded", s.ReadableEnded(),
		"readableFlowing", jsWord(s.ReadableFlowing().String()), "readableLength", s.ReadableLength())
}

// probe calls the methods that change no data flow on s and traces what each
// returned (trace.js's probe). Go returns errors where Node throws.
func probe(side string, s *socket.Socket, label string) {
	t := func(name string, v any, err error) {
		if err != nil {
			trace(side, "probe", append([]any{"at", label, "call", name}, errf(err)...)...)
			return
		}
		trace(side, "probe", "at", label, "call", name, "result", v)
	}
	ms := func(d time.Duration) int { return int(d / time.Millisecond) }
	if p := s.LocalPort(); p != 0 {
		sub(p, "LPORT")
	}
	t("address", addressJSON(s.Address()), nil)
	t("setEncoding", "ok", s.SetEncoding("utf8"))
	s.SetNoDelay(true)
	t("setNoDelay", "ok", nil)
	s.SetKeepAlive(true, time.Second)
	t("setKeepAlive", "ok", nil)
	err := s.SetTimeout(time.Second, nil)
	t("setTimeout", ms(s.Timeout()), err)
	err = s.SetTimeout(0, nil)
	t("setTimeout0", ms(s.Timeout()), err)
	s.Pause()
	t("pause", s.IsPaused(), nil)
	s.Resume()
	t("resume", s.IsPaused(), nil)
	s.Unref()
	s.Ref()
	t("unref-ref", "ok", nil)
}

// addressJSON is socket.address() as JSON.stringify prints it ({} for none).
func addressJSON(a socket.AddressInfo) string {
	if a == (socket.AddressInfo{}) {
		return "{}"
	}
	b, _ := json.Marshal(struct {
		Address string `json:"address"`
		Family  string `json:"family"`
		Port    int    `json:"port"`
	}{a.Address, a.Family, a.Port})
	return string(b)
}
