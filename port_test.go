package nodenet

import (
	"errors"
	"strconv"
	"testing"
)

// TestNC018_PortValidation covers the value checks of Node's validatePort as
// connect and listen apply them (NC-018, NC-009): strings the way Node
// converts them, numbers by range.
func TestNC018_PortValidation(t *testing.T) {
	good := map[string]int{
		"0": 0, "1234": 1234, "0x4d2": 1234, "0X4D2": 1234, " 80 ": 80, "65535": 65535,
		"0o17": 15, "0b101": 5, "1e3": 1000, "+80": 80, "080": 80, "80.0": 80,
	}
	for in, want := range good {
		got, err := ParsePort(in)
		if err != nil || got != want {
			t.Errorf("ParsePort(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := []string{"", " ", "0x", "-0x1", "-1", "65536", "123.456", "NaN", "Infinity", "-Infinity",
		"4294967295", "abc", "1_000", "0x1_0", "1e400", "\t"}
	for _, in := range bad {
		if _, err := ParsePort(in); !errors.Is(err, ErrSocketBadPort) {
			t.Errorf("ParsePort(%q) = %v; want ERR_SOCKET_BAD_PORT", in, err)
		}
	}
	for _, p := range []int{-1, 65536, 1 << 32, -65536} {
		err := ValidatePort(p, "options.port")
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeSocketBadPort {
			t.Fatalf("ValidatePort(%d) = %v", p, err)
		}
		want := "options.port should be >= 0 and < 65536. Received type number (" + strconv.Itoa(p) + ")."
		if e.Message != want {
			t.Errorf("message %q, want %q", e.Message, want)
		}
	}
	for _, p := range []int{0, 1, 80, 65535} {
		if err := ValidatePort(p, ""); err != nil {
			t.Errorf("ValidatePort(%d) = %v", p, err)
		}
	}
}

func FuzzParsePort(f *testing.F) {
	for _, s := range []string{"0", "80", "0x50", "0o120", "0b1010000", " 8080 ", "-1", "65536", "1e3", "NaN", "", "0x", "+1", "1.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePort(s)
		if err != nil {
			if !errors.Is(err, ErrSocketBadPort) {
				t.Fatalf("ParsePort(%q): error without ERR_SOCKET_BAD_PORT: %v", s, err)
			}
			return
		}
		if p < 0 || p > 65535 {
			t.Fatalf("ParsePort(%q) = %d out of range", s, p)
		}
		if ValidatePort(p, "") != nil {
			t.Fatalf("ParsePort(%q) = %d, which ValidatePort refuses", s, p)
		}
	})
}

func TestErrorShapes(t *testing.T) {
	e := NewHostPortError("connect", errnoRefused, "127.0.0.1", 80)
	if e.Message != "connect ECONNREFUSED 127.0.0.1:80" || e.Code != "ECONNREFUSED" || e.Syscall != "connect" {
		t.Fatalf("host-port error: %+v", e)
	}
	if !errors.Is(e, errnoRefused) {
		t.Fatal("does not unwrap to the errno")
	}
	l := NewListenError("listen", errnoInUse, "::", 8080)
	if l.Message != "listen EADDRINUSE: address already in use :::8080" {
		t.Fatalf("listen error message %q", l.Message)
	}
	p := NewListenError("listen", errnoInUse, "/tmp/x.sock", -1)
	if p.Message != "listen EADDRINUSE: address already in use /tmp/x.sock" || p.Port != -1 {
		t.Fatalf("path listen error %+v", p)
	}
	d := NewDNSError("ENOTFOUND", "something.invalid", nil)
	if d.Message != "getaddrinfo ENOTFOUND something.invalid" || d.Hostname != "something.invalid" || d.Port != 0 || d.Address != "" {
		t.Fatalf("dns error %+v", d)
	}
	if !errors.Is(NewError(CodeServerAlreadyListen, "x"), ErrServerAlreadyListen) {
		t.Fatal("sentinel match by code failed")
	}
	agg := &AggregateError{Errors: []error{e, l}}
	if !errors.Is(agg, errnoRefused) || !errors.Is(agg, errnoInUse) {
		t.Fatal("AggregateError does not unwrap to its attempts")
	}
	if s := NewSyscallError("read", errnoReset).Error(); s != "read ECONNRESET" {
		t.Fatalf("syscall error %q", s)
	}
	if NewSyscallError("read", nil) != nil {
		t.Fatal("nil errno must give nil")
	}
}
