//go:build linux

package respd_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"

	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nodenet/nodenet/examples/internal/tooltest"
	"github.com/nodenet/nodenet/examples/resp/respd"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// hangGuard bounds every wait: a guard against a hang, never a synchroniser.
const hangGuard = 30 * time.Second

type testServer struct {
	addr  string
	port  int
	rs    *respd.Server
	loop  *reactor.Loop
	conns chan *socket.Socket
}

// startServer runs a respd.Server on its own loop on a free loopback port;
// the loop is stopped (and waited for) when the test ends.
func startServer(t *testing.T, o respd.Options) *testServer {
	t.Helper()
	// A Group holds its loop up while idle, until Stop (which waits).
	g, err := reactor.NewGroup(1, reactor.RoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	g.Start()
	t.Cleanup(g.Stop)
	l := g.Loops()[0]
	ts := &testServer{rs: respd.New(o), loop: l, conns: make(chan *socket.Socket, 64)}
	srv, err := server.New(server.Options{Loop: l, StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}, func(c *socket.Socket) {
		select {
		case ts.conns <- c:
		default:
		}
		ts.rs.Serve(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	up := make(chan struct{})
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() { close(up) }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-up:
	case <-time.After(hangGuard):
		t.Fatal("listen did not complete")
	}
	ts.addr = srv.Address().String()
	ts.port = srv.Address().(*net.TCPAddr).Port
	return ts
}

// onLoop runs fn on the server's loop and waits for it.
func (ts *testServer) onLoop(t *testing.T, fn func()) {
	t.Helper()
	done := make(chan struct{})
	if err := ts.loop.Post(func() { fn(); close(done) }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(hangGuard):
		t.Fatal("loop did not run the task")
	}
}

// startRedis starts the real redis-server (the oracle) on a Unix socket
// under the test's temporary directory, without persistence.
func startRedis(t *testing.T) string {
	t.Helper()
	bin := tooltest.Need(t, "redis-server", "redis-server")
	dir := t.TempDir()
	sock := filepath.Join(dir, "redis.sock")
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--save", "", "--appendonly", "no",
		"--dir", dir, "--daemonize", "no", "--loglevel", "warning")
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(hangGuard)
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return sock
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start: %s", log.String())
		}
		time.Sleep(10 * time.Millisecond) // polling for the socket file: no event to wait on
	}
}

// client is a raw RESP connection: it writes bytes and reads replies
// whole, with the reply grammar, so tests check exactly what came back.
type client struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, network, addr string) *client {
	t.Helper()
	c, err := net.DialTimeout(network, addr, hangGuard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(2 * hangGuard))
	return &client{t: t, c: c, r: bufio.NewReaderSize(c, 1<<16)}
}

func (cl *client) send(s string) {
	cl.t.Helper()
	if _, err := io.WriteString(cl.c, s); err != nil {
		cl.t.Fatal(err)
	}
}

// reply reads one reply and returns its raw bytes.
func (cl *client) reply() string {
	cl.t.Helper()
	s, err := readReply(cl.r)
	if err != nil {
		cl.t.Fatalf("reading reply: %v", err)
	}
	return s
}

func readReply(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return line, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return line, fmt.Errorf("bad reply line %q", line)
	}
	switch line[0] {
	case '+', '-', ':':
		return line, nil
	case '$':
		n, err := strconv.Atoi(line[1 : len(line)-2])
		if err != nil {
			return line, err
		}
		if n < 0 {
			return line, nil
		}
		body := make([]byte, n+2)
		if _, err := io.ReadFull(r, body); err != nil {
			return line, err
		}
		return line + string(body), nil
	case '*':
		n, err := strconv.Atoi(line[1 : len(line)-2])
		if err != nil {
			return line, err
		}
		out := line
		for i := 0; i < n; i++ {
			s, err := readReply(r)
			out += s
			if err != nil {
				return out, err
			}
		}
		return out, nil
	}
	return line, fmt.Errorf("bad reply type %q", line)
}

// do sends one request and returns its reply.
func (cl *client) do(req string) string {
	cl.t.Helper()
	cl.send(req)
	return cl.reply()
}

// expectEOF checks that the server closed the connection.
func (cl *client) expectEOF() {
	cl.t.Helper()
	b, err := cl.r.ReadByte()
	if err == nil {
		cl.t.Fatalf("expected the server to close; got byte %q", b)
	}
	if err != io.EOF {
		cl.t.Fatalf("expected EOF, got %v", err)
	}
}

func cmd(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.String()
}

func runTool(t *testing.T, stdin string, name string, args ...string) (string, string) {
	t.Helper()
	c := exec.Command(name, args...)
	c.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	done := make(chan error, 1)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s %v: %v\nstdout: %s\nstderr: %s", name, args, err, out.String(), errb.String())
		}
	case <-time.After(2 * hangGuard):
		c.Process.Kill()
		<-done
		t.Fatalf("%s %v did not finish", name, args)
	}
	return out.String(), errb.String()
}
