package reliability

import (
	"errors"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// nodeCodes are the codes option checking may answer with.
var nodeCodes = map[string]bool{
	nodenet.CodeMissingArgs: true, nodenet.CodeSocketBadPort: true, nodenet.CodeInvalidIPAddress: true,
	nodenet.CodeInvalidArgValue: true, nodenet.CodeOutOfRange: true, nodenet.CodeInvalidArgType: true,
}

func checkOptionError(t *testing.T, err error) {
	if err == nil {
		return
	}
	var ne *nodenet.Error
	if !errors.As(err, &ne) || !nodeCodes[ne.Code] || ne.Message == "" {
		t.Fatalf("option error without a Node code: %#v", err)
	}
}

// FuzzConnectOptions: connect option checking never panics and answers
// every bad value with one of Node's codes.
func FuzzConnectOptions(f *testing.F) {
	f.Add(80, "localhost", "", "", 0, 0, 0, int64(0))
	f.Add(65536, "", "", "foobar", -1, 5, 3, int64(-1))
	f.Add(0, "a\x00b", "/tmp/x", "::1", 70000, 6, 1024, int64(5))
	f.Fuzz(func(t *testing.T, port int, host, path, local string, localPort, family, hints int, timeout int64) {
		o := socket.ConnectOptions{Port: port, Host: host, Path: path, LocalAddress: local, LocalPort: localPort,
			Family: family, Hints: hints, Timeout: time.Duration(timeout)}
		checkOptionError(t, o.Validate())
	})
}

// FuzzListenOptions: the same for listen.
func FuzzListenOptions(f *testing.F) {
	f.Add(0, "", "", 0, false, false, -1)
	f.Add(-1, "::", "/tmp/s", 511, true, true, 3)
	f.Add(70000, "localhost", "\x00abstract", -5, true, false, 0)
	f.Fuzz(func(t *testing.T, port int, host, path string, backlog int, readableAll, writableAll bool, fd int) {
		o := server.ListenOptions{Port: port, Host: host, Path: path, Backlog: backlog, ReadableAll: readableAll, WritableAll: writableAll}
		if fd >= 0 && fd%3 == 0 {
			o.Handle = fd
		}
		checkOptionError(t, o.Validate())
	})
}
