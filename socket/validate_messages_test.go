//go:build linux || windows

package socket_test

import (
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/socket"
)

// The messages Connect's synchronous checks return, word for word what Node
// v26 throws for the same options (delays are the milliseconds a Node
// program passes; family is checked only when a name is resolved, so an IP
// literal with family 5 connects).
func TestArgumentErrorsAsNode26(t *testing.T) {
	l := newLoop(t)
	cases := []struct {
		o   socket.ConnectOptions
		msg string
	}{
		{socket.ConnectOptions{Port: 70000}, "Port should be >= 0 and < 65536. Received type number (70000)."},
		{socket.ConnectOptions{Port: -1}, "Port should be >= 0 and < 65536. Received type number (-1)."},
		{socket.ConnectOptions{Port: 80, Host: "localhost", Family: 5}, "The property 'options.family' must be one of: 0, 4, 6. Received 5"},
		{socket.ConnectOptions{Port: 80, Host: "127.0.0.1", Family: 5}, ""},
		{socket.ConnectOptions{Port: 80, Timeout: -time.Millisecond}, `The value of "msecs" is out of range. It must be a non-negative finite number. Received -1`},
		{socket.ConnectOptions{Port: 80, Timeout: -1500 * time.Microsecond}, `The value of "msecs" is out of range. It must be a non-negative finite number. Received -1.5`},
		{socket.ConnectOptions{Port: 80, Host: "a\x00b"}, `The property 'options.host' must be a string without null bytes. Received 'a\x00b'`},
		{socket.ConnectOptions{Port: 80, Host: "a\x00'b"}, `The property 'options.host' must be a string without null bytes. Received "a\x00'b"`},
		{socket.ConnectOptions{Port: 80, AutoSelectFamilyAttemptTimeout: -time.Millisecond}, `The value of "options.autoSelectFamilyAttemptTimeout" is out of range. It must be >= 1 && <= 2147483647. Received -1`},
		{socket.ConnectOptions{Port: 80, AutoSelectFamilyAttemptTimeout: 1500 * time.Microsecond}, `The value of "options.autoSelectFamilyAttemptTimeout" is out of range. It must be an integer. Received 1.5`},
	}
	for _, c := range cases {
		o := c.o
		o.Loop = l
		err := o.Validate()
		if c.msg == "" {
			if err != nil {
				t.Errorf("%+v: %v; want no error", c.o, err)
			}
			continue
		}
		if err == nil || err.Error() != c.msg {
			t.Errorf("%+v: %v\n\twant %s", c.o, err, c.msg)
		}
	}
	s, _ := socket.New(socket.Options{Loop: l})
	if err := s.SetTimeout(-time.Millisecond, nil); err == nil || err.Error() != `The value of "msecs" is out of range. It must be a non-negative finite number. Received -1` {
		t.Errorf("SetTimeout(-1ms): %v", err)
	}
	if _, err := nodenet.ParsePort("1.5"); err == nil || err.Error() != "Port should be >= 0 and < 65536. Received type string ('1.5')." {
		t.Errorf("ParsePort(1.5): %v", err)
	}
}
