//go:build linux

package tls_test

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
	"golang.org/x/sys/unix"
)

// splitConn writes each buffer crypto/tls hands it in pieces cut where
// cut says, and waits after each piece until the peer has read it (SIOCOUTQ
// of a Unix stream socket counts the bytes its peer has not read yet), so
// every piece reaches the other side in a read of its own.
type splitConn struct {
	net.Conn
	fd     int
	writes int
	cut    func(write, n int) []int // piece lengths for the write-th buffer of n bytes
}

func (c *splitConn) Write(p []byte) (int, error) {
	pieces := c.cut(c.writes, len(p))
	c.writes++
	off := 0
	for _, n := range pieces {
		if _, err := c.Conn.Write(p[off : off+n]); err != nil {
			return off, err
		}
		off += n
		if err := c.drained(); err != nil {
			return off, err
		}
	}
	if off < len(p) {
		if _, err := c.Conn.Write(p[off:]); err != nil {
			return off, err
		}
	}
	return len(p), nil
}

// drained waits until the peer has read everything written so far: a
// condition on the kernel's count, not a sleep; the deadline guards a hang.
func (c *splitConn) drained() error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := unix.IoctlGetInt(c.fd, unix.SIOCOUTQ)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("peer did not read %d bytes", n)
		}
		runtime.Gosched()
	}
}

// socketPair returns our end as a socket on l and the other as a splitConn.
func socketPair(t *testing.T, cut func(write, n int) []int) (ours int, theirs *splitConn) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fds[1]), "peer")
	nc, err := net.FileConn(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := nc.(*net.UnixConn).SyscallConn()
	var pfd int
	rc.Control(func(fd uintptr) { pfd = int(fd) })
	t.Cleanup(func() { nc.Close() })
	return fds[0], &splitConn{Conn: nc, fd: pfd, cut: cut}
}

// everyBoundary cuts the write-th buffer at byte write+1 (mod its length),
// so consecutive records of one size are split at every offset in turn;
// byteByByte sends every byte in a read of its own.
func everyBoundary(write, n int) []int {
	if n < 2 {
		return nil
	}
	return []int{1 + write%(n-1)}
}

func byteByByte(_, n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = 1
	}
	return p
}

// The server side of an upgrade (NewTLSSocket, IsServer) on one end of a
// socketpair, with crypto/tls's client on the other end sending records
// split at every byte boundary — handshake and data alike.
func TestRecordsSplitAtEveryBoundaryServer(t *testing.T) {
	for _, tc := range []struct {
		name string
		cut  func(int, int) []int
		msgs int
	}{{"every boundary", everyBoundary, 130}, {"byte by byte", byteByByte, 4}} {
		t.Run(tc.name, func(t *testing.T) {
			checkFDs(t)
			fd, peer := socketPair(t, tc.cut)
			l := newLoop(t)
			var secure bool
			l.Post(func() {
				sock, err := socket.New(socket.Options{Loop: l, FD: fd})
				if err != nil {
					t.Error(err)
					return
				}
				ts, err := nntls.NewTLSSocket(sock, nntls.TLSSocketOptions{IsServer: true,
					SecureContextOptions: nntls.SecureContextOptions{Key: ecCert.KeyPEM, Cert: ecCert.CertPEM}})
				if err != nil {
					t.Error(err)
					return
				}
				ts.OnSecure(func() { secure = true; ts.Pipe(ts.Socket, nil) })
				ts.OnError(func(err error) { t.Errorf("server: %v", err) })
			})
			errc := make(chan error, 1)
			go func() {
				c := tls.Client(peer, goClient(ecCert))
				err := echoOver(c, tc.msgs, 100)
				peer.Close()
				errc <- err
			}()
			looptest.Run(t, l, hangGuard)
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			if !secure {
				t.Fatal("no 'secure'")
			}
		})
	}
}

// The client side (Connect with Socket: a STARTTLS upgrade) reading
// crypto/tls server records split at every boundary.
func TestRecordsSplitAtEveryBoundaryClient(t *testing.T) {
	for _, tc := range []struct {
		name string
		cut  func(int, int) []int
		msgs int
	}{{"every boundary", everyBoundary, 130}, {"byte by byte", byteByByte, 4}} {
		t.Run(tc.name, func(t *testing.T) {
			checkFDs(t)
			fd, peer := socketPair(t, tc.cut)
			go func() {
				c := tls.Server(peer, serverConfig(ecCert.CertPEM, ecCert.KeyPEM))
				io.Copy(c, c)
				c.CloseWrite()
			}()
			l := newLoop(t)
			var got bytes.Buffer
			var want bytes.Buffer
			var ended bool
			l.Post(func() {
				sock, err := socket.New(socket.Options{Loop: l, FD: fd})
				if err != nil {
					t.Error(err)
					return
				}
				c, err := nntls.Connect(nntls.ConnectOptions{Socket: sock, Servername: "localhost",
					SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, nil)
				if err != nil {
					t.Error(err)
					return
				}
				c.OnError(func(err error) { t.Errorf("client: %v", err) })
				c.OnData(func(b []byte) { got.Write(b) })
				c.OnEnd(func() { ended = true })
				c.OnSecureConnect(func() {
					for i := 0; i < tc.msgs; i++ {
						msg := bytes.Repeat([]byte{byte(i)}, 100)
						want.Write(msg)
						c.Send(msg, nil)
					}
					c.End(nil, nil)
				})
			})
			looptest.Run(t, l, hangGuard)
			if !bytes.Equal(got.Bytes(), want.Bytes()) || !ended {
				t.Fatalf("echoed %d of %d bytes, ended %v", got.Len(), want.Len(), ended)
			}
		})
	}
}

// echoOver sends n messages of size bytes on c and checks the echo.
func echoOver(c *tls.Conn, n, size int) error {
	buf := make([]byte, size)
	for i := 0; i < n; i++ {
		msg := bytes.Repeat([]byte{byte(i)}, size)
		if _, err := c.Write(msg); err != nil {
			return err
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
		if !bytes.Equal(buf, msg) {
			return fmt.Errorf("message %d differs", i)
		}
	}
	if err := c.CloseWrite(); err != nil {
		return err
	}
	// Wait for the server's close_notify and FIN: closing first would make
	// its goodbye an EPIPE.
	if n, err := c.Read(buf); n != 0 || err != io.EOF {
		return fmt.Errorf("after close_notify: %d bytes, %v", n, err)
	}
	return nil
}
