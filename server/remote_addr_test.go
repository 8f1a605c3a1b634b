//go:build linux || windows

package server_test

import (
	"net"
	"runtime"
	"strconv"
	"testing"

	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// TestAcceptedSocketAddresses: an accepted socket keeps its peer's address
// in binary and formats it on demand; the getters must answer as Node does
// — on the loop and off it, and the remote name still after close, when the
// local one is gone (Node's address() is {} then).
func TestAcceptedSocketAddresses(t *testing.T) {
	cases := []struct {
		name               string
		listen, dial       string
		wantAddr, wantFam  string
		wantLocal, wantLFm string
	}{
		{"ipv4", "127.0.0.1", "127.0.0.1", "127.0.0.1", "IPv4", "127.0.0.1", "IPv4"},
		{"ipv6", "::1", "::1", "::1", "IPv6", "::1", "IPv6"},
		{"v4-mapped", "::", "127.0.0.1", "::ffff:127.0.0.1", "IPv6", "::ffff:127.0.0.1", "IPv6"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "v4-mapped" && runtime.GOOS != "linux" {
				t.Skip("dual-stack listening is checked on Linux")
			}
			if ln, err := net.Listen("tcp", net.JoinHostPort(tc.listen, "0")); err != nil {
				t.Skipf("no %s here: %v", tc.listen, err)
			} else {
				ln.Close()
			}
			l := newLoop(t)
			type seen struct {
				remote socket.AddressInfo
				local  socket.AddressInfo
			}
			onLoopSeen := make(chan seen, 1)
			conns := make(chan *socket.Socket, 1)
			closed := make(chan struct{})
			srv := newServer(t, server.Options{Loop: l}, func(c *socket.Socket) {
				onLoopSeen <- seen{
					remote: socket.AddressInfo{Address: c.RemoteAddress(), Family: c.RemoteFamily(), Port: c.RemotePort()},
					local:  c.Address(),
				}
				c.OnClose(func(bool) { close(closed) })
				conns <- c
			})
			listening := make(chan struct{})
			if err := srv.Listen(server.ListenOptions{Host: tc.listen}, func() { close(listening) }); err != nil {
				t.Fatal(err)
			}
			wait := goRun(t, l)
			defer func() { srv.Close(nil); wait() }()
			recv(t, listening, "listening")
			client := dial(t, "tcp", net.JoinHostPort(tc.dial, strconv.Itoa(port(t, srv))))
			defer client.Close()
			clientPort := client.LocalAddr().(*net.TCPAddr).Port

			got := recv(t, onLoopSeen, "connection")
			c := recv(t, conns, "connection")
			want := socket.AddressInfo{Address: tc.wantAddr, Family: tc.wantFam, Port: clientPort}
			if got.remote != want {
				t.Errorf("on the loop: remote %+v, want %+v", got.remote, want)
			}
			if got.local.Address != tc.wantLocal || got.local.Family != tc.wantLFm || got.local.Port != port(t, srv) {
				t.Errorf("on the loop: Address() = %+v, want %s %s port %d", got.local, tc.wantLocal, tc.wantLFm, port(t, srv))
			}
			off := socket.AddressInfo{Address: c.RemoteAddress(), Family: c.RemoteFamily(), Port: c.RemotePort()}
			if off != want {
				t.Errorf("off the loop: remote %+v, want %+v", off, want)
			}
			if a := c.Address(); a != got.local {
				t.Errorf("off the loop: Address() = %+v, want the cached %+v", a, got.local)
			}

			c.Destroy(nil)
			recv(t, closed, "close")
			after := socket.AddressInfo{Address: c.RemoteAddress(), Family: c.RemoteFamily(), Port: c.RemotePort()}
			if after != want {
				t.Errorf("after close: remote %+v, want %+v (Node keeps it)", after, want)
			}
			if a := c.Address(); a != (socket.AddressInfo{}) {
				t.Errorf("after close: Address() = %+v, want {}", a)
			}
		})
	}
}
