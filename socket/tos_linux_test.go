package socket_test

import (
	"errors"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// kernelTOS reads the socket's marks from the kernel itself, not through
// the getter under test.
func kernelTOS(t *testing.T, s *socket.Socket, level, opt int) int {
	t.Helper()
	v, err := unix.GetsockoptInt(int(s.FD()), level, opt)
	if err != nil {
		t.Errorf("getsockopt(%d, %d): %v", level, opt, err)
	}
	return v
}

// Node 26's setTypeOfService/getTypeOfService (conformance
// type_of_service): IP_TOS on an IPv4 connection, IPV6_TCLASS (and IP_TOS,
// for v4-mapped peers) on an IPv6 one, set at once from any goroutine; a
// value set before the connection, or the TypeOfService option, applied
// when it is made; ERR_OUT_OF_RANGE outside 0-255; only remembered on a
// Unix socket and after destroy. nodenet had no such API.
func TestTypeOfService(t *testing.T) {
	t.Run("ipv4", func(t *testing.T) {
		l := newLoop(t)
		var before, after, option, early, kernel, kernelOpt, kernelEarly int
		var rangeErr, optErr error
		start(t, l, func() {
			var srv *server.Server
			srv = listen(t, l, server.Options{}, func(c *socket.Socket) { c.Resume() }, func(_ *server.Server, port int) {
				left := 3
				done := func(bool) {
					if left--; left == 0 {
						srv.Close(nil)
					}
				}
				var s *socket.Socket
				s, _ = socket.ConnectTCP(l, port, "127.0.0.1", func() {
					before, _ = s.TypeOfService()
					// From another goroutine, as any method may be called.
					var wg sync.WaitGroup
					wg.Add(1)
					go func() {
						defer wg.Done()
						if err := s.SetTypeOfService(0x10); err != nil {
							t.Error(err)
						}
						rangeErr = s.SetTypeOfService(256)
					}()
					wg.Wait()
					after, _ = s.TypeOfService()
					kernel = kernelTOS(t, s, unix.IPPROTO_IP, unix.IP_TOS)
					s.End(nil, nil)
				})
				s.OnClose(done)
				_, optErr = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1", TypeOfService: -1}, nil)
				var o *socket.Socket
				o, _ = socket.Connect(socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1", TypeOfService: 0x28}, func() {
					option, _ = o.TypeOfService()
					kernelOpt = kernelTOS(t, o, unix.IPPROTO_IP, unix.IP_TOS)
					o.End(nil, nil)
				})
				o.OnClose(done)
				n, _ := socket.New(socket.Options{Loop: l})
				if err := n.SetTypeOfService(8); err != nil {
					t.Error(err)
				}
				n.Connect(socket.ConnectOptions{Port: port, Host: "127.0.0.1"}, func() {
					early, _ = n.TypeOfService()
					kernelEarly = kernelTOS(t, n, unix.IPPROTO_IP, unix.IP_TOS)
					n.End(nil, nil)
				})
				n.OnClose(done)
			})
		})
		if before != 0 || after != 0x10 || kernel != 0x10 {
			t.Errorf("set on a connection: before %d, after %d, kernel %d", before, after, kernel)
		}
		if option != 0x28 || kernelOpt != 0x28 || early != 8 || kernelEarly != 8 {
			t.Errorf("applied at connect: option %d (kernel %d), set before connect %d (kernel %d)", option, kernelOpt, early, kernelEarly)
		}
		for name, err := range map[string]error{"SetTypeOfService(256)": rangeErr, "TypeOfService: -1": optErr} {
			if !errors.Is(err, nodenet.ErrOutOfRange) {
				t.Errorf("%s: %v, want ERR_OUT_OF_RANGE", name, err)
			}
		}
	})
	t.Run("ipv6", func(t *testing.T) {
		if !hasIPv6() {
			t.Skip("no IPv6 loopback")
		}
		l := newLoop(t)
		var tclass, iptos, got int
		start(t, l, func() {
			srv, _ := server.New(server.Options{Loop: l}, func(c *socket.Socket) { c.Resume() })
			_ = srv.ListenTCP(0, "::1", func() {
				a, _ := srv.AddressInfo()
				var s *socket.Socket
				s, _ = socket.ConnectTCP(l, a.Port, "::1", func() {
					if err := s.SetTypeOfService(0x20); err != nil {
						t.Error(err)
					}
					got, _ = s.TypeOfService()
					tclass = kernelTOS(t, s, unix.IPPROTO_IPV6, unix.IPV6_TCLASS)
					iptos = kernelTOS(t, s, unix.IPPROTO_IP, unix.IP_TOS)
					s.End(nil, nil)
				})
				s.OnClose(func(bool) { srv.Close(nil) })
			})
		})
		if got != 0x20 || tclass != 0x20 || iptos != 0x20 {
			t.Fatalf("TypeOfService %d, IPV6_TCLASS %d, IP_TOS %d; want 0x20", got, tclass, iptos)
		}
	})
	t.Run("unix-and-destroyed", func(t *testing.T) {
		l := newLoop(t)
		path := t.TempDir() + "/tos.sock"
		var onUnix, afterDestroy int
		var unixErr error
		start(t, l, func() {
			srv, _ := server.New(server.Options{Loop: l}, func(c *socket.Socket) { c.Resume() })
			_ = srv.ListenUnix(path, func() {
				var p *socket.Socket
				p, _ = socket.ConnectPath(l, path, func() {
					unixErr = p.SetTypeOfService(5)
					onUnix, _ = p.TypeOfService()
					p.Destroy(nil)
					_ = p.SetTypeOfService(7)
					afterDestroy, _ = p.TypeOfService()
				})
				p.OnClose(func(bool) { srv.Close(nil) })
			})
		})
		if unixErr != nil || onUnix != 5 || afterDestroy != 7 {
			t.Fatalf("unix: %v, %d; after destroy %d", unixErr, onUnix, afterDestroy)
		}
	})
	t.Run("zero-value", func(t *testing.T) {
		var s socket.Socket
		if err := s.SetTypeOfService(1); err == nil {
			t.Error("zero Socket: SetTypeOfService succeeded")
		}
		if _, err := s.TypeOfService(); err == nil {
			t.Error("zero Socket: TypeOfService succeeded")
		}
	})
}
