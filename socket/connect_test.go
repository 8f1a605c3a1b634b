//go:build linux || windows

package socket_test

import (
	"errors"
	"net"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/internal/sysnet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// connectForm is one of the Go spellings of Node's six connect entry points:
// socket.Connect with a callback or with an OnConnect listener, and
// socket.New + Socket.Connect with a callback or a listener (net.connect and
// net.createConnection are the same function in Go).
type connectForm func(l *reactor.Loop, o socket.ConnectOptions, onConnect func(*socket.Socket)) (*socket.Socket, error)

var connectForms = map[string]connectForm{
	"Connect+cb": func(l *reactor.Loop, o socket.ConnectOptions, cb func(*socket.Socket)) (*socket.Socket, error) {
		o.Loop = l
		var s *socket.Socket
		s, err := socket.Connect(o, func() { cb(s) })
		return s, err
	},
	"Connect+OnConnect": func(l *reactor.Loop, o socket.ConnectOptions, cb func(*socket.Socket)) (*socket.Socket, error) {
		o.Loop = l
		s, err := socket.Connect(o, nil)
		if err == nil {
			s.OnConnect(func() { cb(s) })
		}
		return s, err
	},
	"New.Connect+cb": func(l *reactor.Loop, o socket.ConnectOptions, cb func(*socket.Socket)) (*socket.Socket, error) {
		s, err := socket.New(socket.Options{Loop: l, StreamOptions: socket.StreamOptions{AllowHalfOpen: o.AllowHalfOpen}})
		if err != nil {
			return nil, err
		}
		return s, s.Connect(o, func() { cb(s) })
	},
	"New.Connect+OnConnect": func(l *reactor.Loop, o socket.ConnectOptions, cb func(*socket.Socket)) (*socket.Socket, error) {
		s, err := socket.New(socket.Options{Loop: l, StreamOptions: socket.StreamOptions{AllowHalfOpen: o.AllowHalfOpen}})
		if err != nil {
			return nil, err
		}
		s.OnConnect(func() { cb(s) })
		return s, s.Connect(o, nil)
	},
}

// NC-016: every entry point × every port spelling × every option shape
// connects. Go has no string ports in ConnectOptions: Node's '1234' and
// '0x4d2' spellings are nodenet.ParsePort's job, so they go through it. The
// server.address() object form maps to Family 4 with no Host (Node ignores
// its address and connects to localhost).
func TestNC016_ConnectArgumentForms(t *testing.T) {
	l := newLoop(t)
	want, connected, closed := 0, 0, 0
	start(t, l, func() {
		var srv *server.Server
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(_ *server.Server, port int) {
			spellings := []string{strconv.Itoa(port), "0x" + strconv.FormatInt(int64(port), 16), " " + strconv.Itoa(port) + " "}
			for _, sp := range spellings {
				p, err := nodenet.ParsePort(sp)
				if err != nil || p != port {
					t.Errorf("ParsePort(%q) = %d, %v; want %d", sp, p, err, port)
				}
				shapes := []socket.ConnectOptions{
					{Port: p},
					{Port: p, Family: 4},
					{Port: p, Host: "localhost", Family: 4},
					{Port: p, Host: "127.0.0.1"},
				}
				for name, form := range connectForms {
					for _, o := range shapes {
						want++
						name := name
						s, err := form(l, o, func(s *socket.Socket) {
							connected++
							s.End(nil, nil)
						})
						if err != nil {
							t.Errorf("%s %+v: %v", name, o, err)
							return
						}
						s.OnError(func(err error) { t.Errorf("%s: %v", name, err) })
						s.OnClose(func(bool) {
							closed++
							if closed == want {
								srv.Close(nil)
							}
						})
					}
				}
			}
		})
	})
	if want != 3*4*4 || connected != want || closed != want {
		t.Fatalf("want %d connects, got %d connect and %d close", want, connected, closed)
	}
}

// NC-017: no port and no path is ERR_MISSING_ARGS with Node's message, for
// both entry points (Go's zero Port is "missing"), and nothing is emitted.
func TestNC017_MissingTargetThrows(t *testing.T) {
	l := newLoop(t)
	const msg = `The "options" or "port" or "path" argument must be specified`
	s, err := socket.Connect(socket.ConnectOptions{Loop: l}, func() { t.Error("connect") })
	if s != nil || code(err) != nodenet.CodeMissingArgs || err.Error() != msg {
		t.Fatalf("Connect({}) = %v, %v", s, err)
	}
	if !errors.Is(err, nodenet.ErrMissingArgs) {
		t.Fatal("errors.Is(ErrMissingArgs) false")
	}
	s, _ = socket.New(socket.Options{Loop: l})
	s.OnClose(func(bool) { t.Error("close emitted") })
	s.OnError(func(err error) { t.Error(err) })
	err = s.Connect(socket.ConnectOptions{Host: "127.0.0.1"}, func() { t.Error("connect") })
	if code(err) != nodenet.CodeMissingArgs || err.Error() != msg {
		t.Fatalf("New().Connect({}) = %v", err)
	}
	run(t, l) // nothing refed: returns at once
	if !s.Pending() || s.Connecting() {
		t.Fatal("a socket whose Connect failed validation must stay unconnected")
	}
}

// NC-018: synchronous validation. Value checks only: the JS type checks
// (port true/[]/{}, lookup 'foobar', path {}) are ruled out by Go's compiler.
func TestNC018_ConnectOptionValidation(t *testing.T) {
	l := newLoop(t)
	for _, p := range []string{"", " ", "0x", "-0x1", "NaN", "Infinity", "-1", "65536", "123.456", "4294967295"} {
		if _, err := nodenet.ParsePort(p); code(err) != nodenet.CodeSocketBadPort {
			t.Errorf("ParsePort(%q) = %v; want ERR_SOCKET_BAD_PORT", p, err)
		}
	}
	cases := []struct {
		o    socket.ConnectOptions
		code string
		msg  string
	}{
		{socket.ConnectOptions{Port: -1}, nodenet.CodeSocketBadPort, "Port should be >= 0 and < 65536. Received type number (-1)."},
		{socket.ConnectOptions{Port: 65536}, nodenet.CodeSocketBadPort, "Port should be >= 0 and < 65536. Received type number (65536)."},
		{socket.ConnectOptions{Port: 65536, Host: "localhost"}, nodenet.CodeSocketBadPort, ""},
		{socket.ConnectOptions{Port: 80, LocalAddress: "foobar"}, nodenet.CodeInvalidIPAddress, "Invalid IP address: foobar"},
		{socket.ConnectOptions{Port: 80, LocalPort: 70000}, nodenet.CodeSocketBadPort, ""},
		{socket.ConnectOptions{Port: 80, Hints: 0xffff}, nodenet.CodeInvalidArgValue, "The argument 'hints' is invalid. Received 65535"},
		{socket.ConnectOptions{Port: 80, Hints: 1}, nodenet.CodeInvalidArgValue, "The argument 'hints' is invalid. Received 1"},
		{socket.ConnectOptions{Port: 80, Family: 5}, nodenet.CodeInvalidArgValue, ""},
		{socket.ConnectOptions{Port: 80, Host: "a\x00b"}, nodenet.CodeInvalidArgValue, ""},
		{socket.ConnectOptions{Port: 80, Timeout: -time.Millisecond}, nodenet.CodeOutOfRange, ""},
	}
	for _, c := range cases {
		o := c.o
		o.Loop = l
		s, err := socket.Connect(o, nil)
		if s != nil || code(err) != c.code || (c.msg != "" && err.Error() != c.msg) {
			t.Errorf("Connect(%+v) = %v, %v; want %s %q", c.o, s, err, c.code, c.msg)
		}
		ns, _ := socket.New(socket.Options{Loop: l})
		if err := ns.Connect(c.o, nil); code(err) != c.code {
			t.Errorf("Socket.Connect(%+v) = %v; want %s", c.o, err, c.code)
		}
	}
	// Valid hints pass.
	for _, h := range []int{0, socket.HintAddrConfig, socket.HintV4Mapped, socket.HintAll | socket.HintV4Mapped} {
		o := socket.ConnectOptions{Loop: l, Port: 1, Host: "127.0.0.1", Hints: h}
		s, err := socket.Connect(o, nil)
		if err != nil {
			t.Fatalf("hints %d: %v", h, err)
		}
		s.OnError(func(error) {})
		s.Destroy(nil)
	}
	run(t, l)
}

// NC-019: 'connect' then 'ready'; the callback is a once-listener that runs
// before listeners added later and not again on a reconnect.
func TestNC019_ConnectThenReady(t *testing.T) {
	l := newLoop(t)
	var ev events
	start(t, l, func() {
		var srv *server.Server
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(_ *server.Server, port int) {
			var s *socket.Socket
			s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() { ev.add("cb") })
			s.OnConnect(func() { ev.add("connect") })
			s.OnReady(func() { ev.add("ready") })
			round := 0
			s.OnClose(func(bool) {
				ev.add("close")
				round++
				if round == 1 {
					// Reconnect: the once callback must not run again.
					if err := s.Connect(socket.ConnectOptions{Port: port, Host: "127.0.0.1"}, nil); err != nil {
						t.Error(err)
					}
					return
				}
				srv.Close(nil)
			})
			s.OnReady(func() { s.Destroy(nil) })
		})
	})
	if got := ev.String(); got != "cb,connect,ready,close,connect,ready,close" {
		t.Fatalf("events %s", got)
	}
}

// NC-020: pending, connecting and readyState through a connection's life.
func TestNC020_ConnectingState(t *testing.T) {
	l := newLoop(t)
	var checks []string
	check := func(name string, ok bool) {
		if !ok {
			checks = append(checks, name)
		}
	}
	start(t, l, func() {
		var srv *server.Server
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(_ *server.Server, port int) {
			s, _ := socket.New(socket.Options{Loop: l})
			check("new: pending", s.Pending())
			check("new: not connecting", !s.Connecting())
			_ = s.Connect(socket.ConnectOptions{Port: port, Host: "127.0.0.1"}, func() {
				check("cb: connecting false", !s.Connecting())
				check("cb: readyState readOnly after End", s.ReadyState() == "readOnly")
			})
			check("after Connect: pending", s.Pending())
			check("after Connect: connecting", s.Connecting())
			check("after Connect: opening", s.ReadyState() == "opening")
			check("after Connect: no remote", s.RemoteAddress() == "")
			s.Send([]byte("x"), func(err error) {
				check("write cb: no error", err == nil)
				check("write cb: pending false", !s.Pending())
			})
			s.End([]byte("y"), nil)
			check("End while connecting: opening", s.ReadyState() == "opening")
			s.OnClose(func(bool) {
				check("close: pending again", s.Pending())
				srv.Close(nil)
			})
		})
	})
	if len(checks) > 0 {
		t.Fatalf("failed: %v", checks)
	}
}

// NC-021: writes issued while connecting are queued and flushed in order,
// before writes issued in the connect handler.
func TestNC021_WritesBeforeConnectQueuedInOrder(t *testing.T) {
	t.Run("echo", func(t *testing.T) {
		l := newLoop(t)
		var got []byte
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Pipe(c, nil) }, func(_ *server.Server, port int) {
				var s *socket.Socket
				s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() {
					s.Send([]byte(" after"), nil)
					s.End(nil, nil)
				})
				s.Send([]byte("before"), nil)
				s.OnData(func(b []byte) { got = append(got, b...) })
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
		if string(got) != "before after" {
			t.Fatalf("echoed %q", got)
		}
	})
	// Node uses highWaterMark 0; Go's zero means "default", so 1 is the
	// smallest mark: a 1-byte write while connecting reaches it.
	t.Run("hwm", func(t *testing.T) {
		l := newLoop(t)
		var ev events
		var ret bool
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(_ *server.Server, port int) {
				var s *socket.Socket
				s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1", StreamOptions: socket.StreamOptions{HighWaterMark: 1}}, func() { ev.add("connect") })
				ret = s.Send([]byte("x"), func(err error) {
					ev.add("write")
					s.End(nil, nil)
				})
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
		if ret || ev.String() != "connect,write" {
			t.Fatalf("Send returned %v, events %s", ret, ev)
		}
	})
	t.Run("utf8", func(t *testing.T) {
		l := newLoop(t)
		var got []byte
		ended := false
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
				c.OnData(func(b []byte) { got = append(got, b...) })
				c.OnEnd(func() { ended = true })
				c.OnClose(func(bool) { srv.Close(nil) })
			}, func(_ *server.Server, port int) {
				s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, nil)
				if ok, err := s.SendString("L'État, c'est ", "", nil); !ok || err != nil {
					t.Errorf("SendString = %v, %v", ok, err)
				}
				s.End([]byte("moi"), nil)
			})
		})
		if string(got) != "L'État, c'est moi" || !ended {
			t.Fatalf("server got %q, end %v", got, ended)
		}
	})
}

// NC-022: the lookup event.
func TestNC022_LookupEvent(t *testing.T) {
	type lk struct {
		err    error
		addr   string
		family int
		host   string
	}
	t.Run("localhost", func(t *testing.T) {
		l := newLoop(t)
		var got []lk
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(_ *server.Server, port int) {
				s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "localhost"}, nil)
				s.OnLookup(func(err error, a string, f int, h string) { got = append(got, lk{err, a, f, h}) })
				s.OnConnect(func() { s.End(nil, nil) })
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
		if len(got) == 0 {
			t.Fatal("no lookup event")
		}
		for _, g := range got {
			if g.err != nil || g.host != "localhost" || !((g.addr == "127.0.0.1" && g.family == 4) || (g.addr == "::1" && g.family == 6)) {
				t.Fatalf("lookup %+v", g)
			}
		}
	})
	t.Run("ip-literal", func(t *testing.T) {
		l := newLoop(t)
		lookups := 0
		hosts := []string{"127.0.0.1"}
		if hasIPv6() {
			hosts = append(hosts, "::1")
		}
		for _, h := range hosts {
			h := h
			start(t, l, func() {
				s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: freePort(t), Host: h}, nil)
				s.OnLookup(func(error, string, int, string) { lookups++ })
				s.OnError(func(error) {})
			})
		}
		if lookups != 0 {
			t.Fatalf("%d lookup events for IP literals", lookups)
		}
	})
	t.Run("custom", func(t *testing.T) {
		if !hasIPv6() {
			t.Skip("no IPv6 loopback")
		}
		l := newLoop(t)
		var got []lk
		var families []int
		var served string
		start(t, l, func() {
			srv, _ := server.New(server.Options{Loop: l}, func(c *socket.Socket) {
				served = c.RemoteFamily()
				c.Resume()
			})
			_ = srv.Listen(server.ListenOptions{Host: "::1"}, func() {
				a, _ := srv.AddressInfo()
				for _, fam := range []int{6} {
					s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: a.Port, Host: "dummy", Family: fam,
						Lookup: func(host string, o socket.LookupOptions) ([]socket.LookupAddress, error) {
							families = append(families, o.Family) // resolver goroutine; read after Run
							return []socket.LookupAddress{{Address: "::1", Family: 6}}, nil
						}}, nil)
					s.OnLookup(func(err error, a string, f int, h string) { got = append(got, lk{err, a, f, h}) })
					s.OnConnect(func() { s.End(nil, nil) })
					s.OnClose(func(bool) { srv.Close(nil) })
				}
			})
		})
		if !reflect.DeepEqual(families, []int{6}) || len(got) != 1 || got[0] != (lk{nil, "::1", 6, "dummy"}) || served != "IPv6" {
			t.Fatalf("families %v lookups %+v served %q", families, got, served)
		}
	})
}

// NC-023: resolver failures come as 'error' with DNS fields, after a lookup
// event that carries the error; connect never fires.
func TestNC023_ResolverFailure(t *testing.T) {
	for _, endEarly := range []bool{false, true} {
		l := newLoop(t)
		var gotErr, lookupErr error
		lookupAddr := "x"
		connected := false
		start(t, l, func() {
			s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: 80, Host: "something.invalid"}, func() { connected = true })
			s.OnLookup(func(err error, a string, f int, h string) { lookupErr, lookupAddr = err, a })
			s.OnError(func(err error) { gotErr = err })
			if endEarly {
				s.End(nil, nil)
			}
		})
		e := nerr(t, gotErr)
		if connected || e.Code != "ENOTFOUND" || e.Syscall != "getaddrinfo" || e.Hostname != "something.invalid" ||
			e.Message != "getaddrinfo ENOTFOUND something.invalid" || e.Address != "" || e.Port != 0 {
			t.Fatalf("end=%v: connected %v, error %+v", endEarly, connected, e)
		}
		if lookupErr == nil || lookupAddr != "" {
			t.Fatalf("lookup event (%v, %q)", lookupErr, lookupAddr)
		}
	}
	// A 64-character host of '*' through the real resolver.
	l := newLoop(t)
	var gotErr error
	start(t, l, func() {
		s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: 80, Host: strings.Repeat("*", 64)}, nil)
		s.OnError(func(err error) { gotErr = err })
	})
	if c := code(gotErr); c != "ENOTFOUND" && c != "EAI_FAIL" {
		t.Fatalf("error %v", gotErr)
	}
}

// NC-024: answers that are not IPs, or carry a family other than 4 or 6.
// Node's test uses port 0; Go's zero port means "missing", so the message
// carries the port we used.
func TestNC024_InvalidResolverAnswers(t *testing.T) {
	answers := []struct {
		a    socket.LookupAddress
		code string
		msg  string
	}{
		{socket.LookupAddress{Address: "", Family: 4}, nodenet.CodeInvalidIPAddress, "Invalid IP address: "},
		{socket.LookupAddress{Address: "not-an-ip", Family: 4}, nodenet.CodeInvalidIPAddress, "Invalid IP address: not-an-ip"},
		{socket.LookupAddress{Address: "127.0.0.1", Family: 100}, nodenet.CodeInvalidAddressFamily, "Invalid address family: 100 localhost:4242"},
	}
	for _, ans := range answers {
		l := newLoop(t)
		var gotErr error
		ans := ans
		start(t, l, func() {
			s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: 4242,
				Lookup: func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
					return []socket.LookupAddress{ans.a}, nil
				}}, func() { t.Error("connected") })
			s.OnError(func(err error) { gotErr = err })
		})
		e := nerr(t, gotErr)
		if e.Code != ans.code || e.Message != ans.msg {
			t.Fatalf("answer %+v: error %+v", ans.a, e)
		}
		// Node's error carries the port, and the host only in its message.
		if ans.code == nodenet.CodeInvalidAddressFamily && (e.Address != "" || e.Port != 4242) {
			t.Fatalf("family error host/port %q %d", e.Address, e.Port)
		}
	}
}

// dualLookup answers [::1, 127.0.0.1] whatever the name, like the resolver
// Node's autoselectfamily tests install.
func dualLookup(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
	return []socket.LookupAddress{{Address: "::1", Family: 6}, {Address: "127.0.0.1", Family: 4}}, nil
}

// NC-025: happy eyeballs tries ::1, then 127.0.0.1, and lists both.
func TestNC025_HappyEyeballsAttemptedAddresses(t *testing.T) {
	if !hasIPv6() {
		t.Skip("no IPv6 loopback")
	}
	t.Run("ipv4-only-server", func(t *testing.T) {
		l := newLoop(t)
		var attempted []string
		var echoed string
		var port int
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Pipe(c, nil) }, func(_ *server.Server, p int) {
				port = p
				s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: p, Host: "example.org", Lookup: dualLookup,
					AutoSelectFamily: boolp(true)}, nil)
				s.OnReady(func() {
					attempted = append([]string(nil), s.AutoSelectFamilyAttemptedAddresses()...)
					s.End([]byte("response"), nil)
				})
				s.OnData(func(b []byte) { echoed += string(b) })
				s.OnError(func(err error) { t.Error(err) })
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
		want := []string{"::1:" + itoa(port), "127.0.0.1:" + itoa(port)}
		if !reflect.DeepEqual(attempted, want) || echoed != "response" {
			t.Fatalf("attempted %v echoed %q; want %v", attempted, echoed, want)
		}
	})
	t.Run("ipv6-answers", func(t *testing.T) {
		l := newLoop(t)
		var attempted []string
		var servedBy string
		var port int
		start(t, l, func() {
			var v4, v6 *server.Server
			closeAll := func() { v4.Close(nil); v6.Close(nil) }
			v4 = listen(t, l, server.Options{}, func(c *socket.Socket) { servedBy = "v4"; c.Resume() }, func(_ *server.Server, p int) {
				port = p
				v6, _ = server.New(server.Options{Loop: l}, func(c *socket.Socket) { servedBy = "v6"; c.Pipe(c, nil) })
				v6.OnError(func(err error) { t.Errorf("cannot listen on [::1]:%d: %v", p, err); v4.Close(nil) })
				_ = v6.Listen(server.ListenOptions{Host: "::1", Port: p}, func() {
					s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: p, Host: "example.org", Lookup: dualLookup}, nil)
					s.OnReady(func() {
						attempted = append([]string(nil), s.AutoSelectFamilyAttemptedAddresses()...)
						s.End(nil, nil)
					})
					s.OnClose(func(bool) { closeAll() })
				})
			})
		})
		if !reflect.DeepEqual(attempted, []string{"::1:" + itoa(port)}) || servedBy != "v6" {
			t.Fatalf("attempted %v served by %s", attempted, servedBy)
		}
	})
}

// NC-026: the attempt order interleaves the families, starting with the
// family of the first answer. Unreachable documentation addresses fail at
// once or hit the (short) per-attempt timeout.
func TestNC026_HappyEyeballsInterleaving(t *testing.T) {
	if !hasIPv6() {
		t.Skip("no IPv6 loopback")
	}
	l := newLoop(t)
	var attempted []string
	var port int
	order := []string{"2606:4700::6810:85e5", "2606:4700::6810:84e5", "::1", "104.20.22.46", "104.20.23.46", "127.0.0.1"}
	start(t, l, func() {
		var srv *server.Server
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(_ *server.Server, p int) {
			port = p
			s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: p, Host: "example.org",
				AutoSelectFamilyAttemptTimeout: 20 * time.Millisecond,
				Lookup: func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
					var out []socket.LookupAddress
					for _, a := range order {
						f := 4
						if strings.Contains(a, ":") {
							f = 6
						}
						out = append(out, socket.LookupAddress{Address: a, Family: f})
					}
					return out, nil
				}}, nil)
			s.OnReady(func() {
				attempted = append([]string(nil), s.AutoSelectFamilyAttemptedAddresses()...)
				s.End(nil, nil)
			})
			s.OnError(func(err error) { t.Error(err) })
			s.OnClose(func(bool) { srv.Close(nil) })
		})
	})
	p := ":" + itoa(port)
	want := []string{"2606:4700::6810:85e5" + p, "104.20.22.46" + p, "2606:4700::6810:84e5" + p, "104.20.23.46" + p, "::1" + p, "127.0.0.1" + p}
	if !reflect.DeepEqual(attempted, want) {
		t.Fatalf("attempted\n %v\nwant\n %v", attempted, want)
	}

	// [127.0.0.1, ::1] with servers on both: IPv4 goes first and answers.
	l2 := newLoop(t)
	var servedBy string
	start(t, l2, func() {
		var v4, v6 *server.Server
		v4 = listen(t, l2, server.Options{}, func(c *socket.Socket) { servedBy += "v4"; c.Resume() }, func(_ *server.Server, p int) {
			v6, _ = server.New(server.Options{Loop: l2}, func(c *socket.Socket) { servedBy += "v6"; c.Resume() })
			v6.OnError(func(err error) { t.Errorf("cannot listen on [::1]:%d: %v", p, err); v4.Close(nil) })
			_ = v6.Listen(server.ListenOptions{Host: "::1", Port: p}, func() {
				s, _ := socket.Connect(socket.ConnectOptions{Loop: l2, Port: p, Host: "example.org",
					Lookup: func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
						return []socket.LookupAddress{{Address: "127.0.0.1", Family: 4}, {Address: "::1", Family: 6}}, nil
					}}, nil)
				s.OnConnect(func() { s.End(nil, nil) })
				s.OnClose(func(bool) { v4.Close(nil); v6.Close(nil) })
			})
		})
	})
	if servedBy != "v4" {
		t.Fatalf("served by %q", servedBy)
	}
}

// NC-027: AutoSelectFamily false tries only the first answer. (The
// process-wide default, SetDefaultAutoSelectFamily, is tested in
// defaults_test.go; there is no CLI flag.)
func TestNC027_AutoSelectFamilyDisabled(t *testing.T) {
	if !hasIPv6() {
		t.Skip("no IPv6 loopback")
	}
	l := newLoop(t)
	var gotErr error
	var attempted []string
	ready := false
	var port int
	start(t, l, func() {
		var srv *server.Server
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(_ *server.Server, p int) {
			port = p
			s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: p, Host: "example.org", Lookup: dualLookup,
				AutoSelectFamily: boolp(false)}, nil)
			s.OnReady(func() { ready = true })
			s.OnError(func(err error) { gotErr = err; attempted = s.AutoSelectFamilyAttemptedAddresses() })
			s.OnClose(func(bool) { srv.Close(nil) })
		})
	})
	e := nerr(t, gotErr)
	if ready || e.Code != "ECONNREFUSED" || e.Message != "connect ECONNREFUSED ::1:"+itoa(port) || attempted != nil {
		t.Fatalf("ready %v err %+v attempted %v", ready, e, attempted)
	}
	if !errors.Is(gotErr, errConnRefused) {
		t.Fatal("errors.Is ECONNREFUSED false")
	}
}

// NC-028: every attempt refused → *nodenet.AggregateError with one error
// per attempt, in order.
func TestNC028_AllAttemptsFailAggregateError(t *testing.T) {
	if !hasIPv6() {
		t.Skip("no IPv6 loopback")
	}
	l := newLoop(t)
	port := refusedPortDual(t) // freePort's pick could be taken meanwhile, on ::1 above all
	var gotErr error
	var attempted []string
	ready := false
	start(t, l, func() {
		s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "example.org", Lookup: dualLookup}, nil)
		s.OnReady(func() { ready = true })
		s.OnError(func(err error) { gotErr = err; attempted = s.AutoSelectFamilyAttemptedAddresses() })
	})
	var agg *nodenet.AggregateError
	if !errors.As(gotErr, &agg) || ready {
		t.Fatalf("error %T %v, ready %v", gotErr, gotErr, ready)
	}
	p := itoa(port)
	if len(agg.Errors) != 2 || agg.Errors[0].Error() != "connect ECONNREFUSED ::1:"+p || agg.Errors[1].Error() != "connect ECONNREFUSED 127.0.0.1:"+p {
		t.Fatalf("errors %v", agg.Errors)
	}
	if !reflect.DeepEqual(attempted, []string{"::1:" + p, "127.0.0.1:" + p}) || !errors.Is(gotErr, errConnRefused) {
		t.Fatalf("attempted %v", attempted)
	}
}

// blackhole makes a loopback listener on addr whose accept queue is full, so
// further SYNs to it go unanswered and a connect to it stays in progress.
// It returns the port and a cleanup.
func blackhole(t *testing.T, ip [4]byte, port int) (int, func()) {
	t.Helper()
	fd, err := sysnet.Socket(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := sysnet.Bind(fd, netip.AddrPortFrom(netip.AddrFrom4(ip), uint16(port))); err != nil {
		sysnet.Close(fd)
		t.Skipf("bind %v:%d: %v", ip, port, err)
	}
	if err := sysnet.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := sysnet.LocalAddr(fd)
	port = int(sa.IP.Port())
	addr := net.JoinHostPort(net.IP(ip[:]).String(), itoa(port))
	var fill []net.Conn
	for i := 0; i < 64; i++ {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			break // the queue is full: this SYN went unanswered
		}
		fill = append(fill, c)
		if i == 63 {
			t.Skip("accept queue never filled: no blackhole here")
		}
	}
	return port, func() {
		for _, c := range fill {
			c.Close()
		}
		sysnet.Close(fd)
	}
}

// NC-029: per-attempt timeout default (500 ms, Node's value) and its lower
// bound of 10 ms; negative is ERR_OUT_OF_RANGE. Go's zero means "default",
// so Node's 0 → ERR_OUT_OF_RANGE case maps to "0 is the default".
func TestNC029_AttemptTimeoutDefaultAndBounds(t *testing.T) {
	if socket.DefaultAutoSelectFamilyAttemptTimeout != 500*time.Millisecond {
		t.Fatalf("default attempt timeout %v; Node's is 500ms", socket.DefaultAutoSelectFamilyAttemptTimeout)
	}
	l := newLoop(t)
	for _, d := range []time.Duration{-10 * time.Millisecond, -1} {
		if _, err := socket.Connect(socket.ConnectOptions{Loop: l, Port: 80, AutoSelectFamilyAttemptTimeout: d}, nil); code(err) != nodenet.CodeOutOfRange {
			t.Fatalf("attempt timeout %v: %v", d, err)
		}
	}
	// Observe the timeout: the first address is a blackhole on 127.0.0.2,
	// the second a real server on 127.0.0.1 (same port).
	for _, c := range []struct {
		set, min time.Duration
	}{{time.Millisecond, 10 * time.Millisecond}, {9 * time.Millisecond, 10 * time.Millisecond}, {0, 500 * time.Millisecond}} {
		port, cleanup := blackhole(t, [4]byte{127, 0, 0, 2}, 0)
		l := newLoop(t)
		var took time.Duration
		var attempted []string
		start(t, l, func() {
			srv, _ := server.New(server.Options{Loop: l}, func(c *socket.Socket) { c.Resume() })
			srv.OnError(func(err error) { t.Errorf("listen: %v", err) })
			_ = srv.Listen(server.ListenOptions{Host: "127.0.0.1", Port: port}, func() {
				began := time.Now()
				s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "example.org",
					AutoSelectFamilyAttemptTimeout: c.set,
					Lookup: func(string, socket.LookupOptions) ([]socket.LookupAddress, error) {
						return []socket.LookupAddress{{Address: "127.0.0.2", Family: 4}, {Address: "127.0.0.1", Family: 4}}, nil
					}}, nil)
				s.OnReady(func() {
					took = time.Since(began)
					attempted = s.AutoSelectFamilyAttemptedAddresses()
					s.End(nil, nil)
				})
				s.OnError(func(err error) { t.Error(err) })
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
		cleanup()
		if took < c.min || took > c.min+5*time.Second || len(attempted) != 2 {
			t.Fatalf("attempt timeout %v: connected after %v (want >= %v), attempted %v", c.set, took, c.min, attempted)
		}
	}
}

// NC-030: LocalPort binds the client side; a port in use is EADDRINUSE.
func TestNC030_LocalPortBinding(t *testing.T) {
	l := newLoop(t)
	lp := freePort(t)
	var clientLocal, serverSawRemote int
	var bindErr error
	connectedBusy := false
	start(t, l, func() {
		var srv *server.Server
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
			serverSawRemote = c.RemotePort()
			c.Resume()
		}, func(_ *server.Server, port int) {
			var s *socket.Socket
			s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1", LocalPort: lp}, func() {
				clientLocal = s.LocalPort()
				s.End(nil, nil)
			})
			s.OnClose(func(bool) {
				// The server's own port is taken on 127.0.0.1.
				b, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1",
					LocalAddress: "127.0.0.1", LocalPort: port}, func() { connectedBusy = true })
				b.OnError(func(err error) { bindErr = err })
				b.OnClose(func(bool) { srv.Close(nil) })
			})
		})
	})
	if clientLocal != lp || serverSawRemote != lp {
		t.Fatalf("local port %d, server saw %d, want %d", clientLocal, serverSawRemote, lp)
	}
	if connectedBusy || code(bindErr) != "EADDRINUSE" || !errors.Is(bindErr, errAddrInUse) {
		t.Fatalf("bind to a listening port: connected %v, error %v", connectedBusy, bindErr)
	}
}

// NC-031: refused connections, and no descriptors left after 250 of them.
func TestNC031_ConnectionRefused(t *testing.T) {
	l := newLoop(t)
	port := refusedPortDual(t) // localhost below may try ::1 too
	var gotErr error
	connectingInHandler := true
	start(t, l, func() {
		var s *socket.Socket
		s, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, func() { t.Error("connect fired") })
		s.OnError(func(err error) { gotErr = err; connectingInHandler = s.Connecting() })
	})
	e := nerr(t, gotErr)
	if e.Code != "ECONNREFUSED" || e.Port != port || e.Address != "127.0.0.1" || e.Syscall != "connect" ||
		!errors.Is(gotErr, errConnRefused) || connectingInHandler {
		t.Fatalf("error %+v connecting %v", e, connectingInHandler)
	}
	// localhost: a plain error or an AggregateError whose first entry has
	// the fields.
	start(t, l, func() {
		s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port}, nil)
		s.OnError(func(err error) { gotErr = err })
	})
	var agg *nodenet.AggregateError
	if errors.As(gotErr, &agg) {
		gotErr = agg.Errors[0]
	}
	if e := nerr(t, gotErr); e.Code != "ECONNREFUSED" || e.Port != port || (e.Address != "127.0.0.1" && e.Address != "::1") {
		t.Fatalf("localhost: %+v", e)
	}

	before := fdCount(t)
	refused := 0
	for round := 0; round < 5; round++ {
		start(t, l, func() {
			for i := 0; i < 50; i++ {
				s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1", AutoSelectFamily: boolp(false)}, nil)
				s.OnError(func(err error) {
					if code(err) == "ECONNREFUSED" {
						refused++
					}
				})
			}
		})
	}
	if refused != 250 {
		t.Fatalf("%d of 250 refused", refused)
	}
	if after := fdCount(t); after > before {
		t.Fatalf("descriptors %d before, %d after 250 refused connects", before, after)
	}
}

// NC-032: a refused connect with both local options names them.
func TestNC032_ConnectErrorLocalDetails(t *testing.T) {
	cases := []struct {
		host, local string
		family      int
	}{{"", "127.0.0.1", 4}}
	if hasIPv6() {
		cases = append(cases, struct {
			host, local string
			family      int
		}{"::1", "::1", 6})
	}
	for _, c := range cases {
		l := newLoop(t)
		// The target is held bound (never listening) so it refuses every
		// time, and the local port is picked on the family it is bound on
		// while the target is held, so the two differ. freePort twice on
		// 127.0.0.1 failed 1 run in 50 under load (the local port, free on
		// 127.0.0.1, was taken on ::1: bind EADDRINUSE) and hung 3 runs in
		// 2,000 (both picks gave the same port: the socket connected to
		// itself).
		port := refusedPort(t, c.local)
		lport := freePortOn(t, c.local)
		for lport == port {
			lport = freePortOn(t, c.local)
		}
		var gotErr error
		start(t, l, func() {
			s, _ := socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: c.host, Family: c.family,
				LocalAddress: c.local, LocalPort: lport}, func() { t.Error("connected") })
			s.OnError(func(err error) { gotErr = err })
		})
		e := nerr(t, gotErr)
		want := "connect ECONNREFUSED " + c.local + ":" + itoa(port) + " - Local (" + c.local + ":" + itoa(lport) + ")"
		if e.Code != "ECONNREFUSED" || e.Syscall != "connect" || e.LocalPort != lport || e.LocalAddress != c.local || e.Message != want {
			t.Fatalf("error %+v\nwant message %q", e, want)
		}
	}
}

// NC-084: local endpoint properties of accepted and client sockets, across
// two connections of the same Socket.
func TestNC084_LocalEndpointProperties(t *testing.T) {
	l := newLoop(t)
	var srvPort int
	type pair struct{ clientLocal, serverRemote int }
	var pairs []pair
	var accepted []socket.AddressInfo
	start(t, l, func() {
		var srv *server.Server
		var cur pair
		srv = listen(t, l, server.Options{}, func(c *socket.Socket) {
			accepted = append(accepted, socket.AddressInfo{Address: c.LocalAddress(), Family: c.LocalFamily(), Port: c.LocalPort()})
			cur.serverRemote = c.RemotePort()
			c.Resume()
		}, func(_ *server.Server, port int) {
			srvPort = port
			s, _ := socket.New(socket.Options{Loop: l})
			connect := func() {
				_ = s.Connect(socket.ConnectOptions{Port: port, Host: "127.0.0.1"}, func() {
					cur.clientLocal = s.LocalPort()
					s.End(nil, nil)
				})
			}
			n := 0
			s.OnClose(func(bool) {
				pairs = append(pairs, cur)
				if n++; n < 2 {
					connect()
					return
				}
				srv.Close(nil)
			})
			connect()
		})
	})
	for _, a := range accepted {
		if a != (socket.AddressInfo{Address: "127.0.0.1", Family: "IPv4", Port: srvPort}) {
			t.Fatalf("accepted local %+v", a)
		}
	}
	if len(pairs) != 2 || len(accepted) != 2 {
		t.Fatalf("pairs %v", pairs)
	}
	for _, p := range pairs {
		if p.clientLocal == 0 || p.clientLocal != p.serverRemote {
			t.Fatalf("client local port %d, server saw %d", p.clientLocal, p.serverRemote)
		}
	}
}
