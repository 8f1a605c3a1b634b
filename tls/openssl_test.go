package tls_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/internal/tlstest"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

// tool is a real peer from Debian (`make tools` installs it); missing, the
// test fails saying so, it never skips.
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is needed (a real TLS peer): run `make tools` (apt-get install %s)", name, name)
	}
	return p
}

// proc is a peer process with its stdin and its merged output as lines.
type proc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	mu    sync.Mutex
	all   []string
	done  chan error // the exit status, once
}

func startProc(t testing.TB, name string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(name, args...), lines: make(chan string, 1024), done: make(chan error, 1)}
	p.stdin, _ = p.cmd.StdinPipe()
	r, w := io.Pipe()
	p.cmd.Stdout, p.cmd.Stderr = w, w
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			p.mu.Lock()
			p.all = append(p.all, sc.Text())
			p.mu.Unlock()
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	go func() { p.done <- p.cmd.Wait(); w.Close() }()
	t.Cleanup(func() { p.cmd.Process.Kill() })
	return p
}

// waitFor reads output lines until one contains s; the deadline guards a hang.
func (p *proc) waitFor(t testing.TB, s string) string {
	t.Helper()
	deadline := time.After(hangGuard)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("%s exited before printing %q:\n%s", p.cmd.Path, s, p.output())
			}
			if strings.Contains(l, s) {
				return l
			}
		case <-deadline:
			t.Fatalf("%s did not print %q:\n%s", p.cmd.Path, s, p.output())
		}
	}
}

// exit waits for the process to end and returns its status.
func (p *proc) exit(t testing.TB) error {
	t.Helper()
	select {
	case err := <-p.done:
		return err
	case <-time.After(hangGuard):
		t.Fatalf("%s did not exit:\n%s", p.cmd.Path, p.output())
		return nil
	}
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.all, "\n")
}

func writeFile(t testing.TB, name string, b []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// openssl s_client against nodenet's echo server: both protocol versions,
// ECDSA and RSA certificates, a TLS 1.3 key update both ways, and
// s_client's close_notify at the end.
func TestOpenSSLClient(t *testing.T) {
	openssl := tool(t, "openssl")
	rsaChain := tlstest.NewChain(tlstest.RSA)
	for _, tc := range []struct {
		name    string
		version string
		chain   *tlstest.Chain
	}{
		{"TLSv1.3 ECDSA", "-tls1_3", chain},
		{"TLSv1.2 ECDSA", "-tls1_2", chain},
		{"TLSv1.3 RSA", "-tls1_3", rsaChain},
		{"TLSv1.2 RSA", "-tls1_2", rsaChain},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ca := writeFile(t, "ca.pem", tc.chain.CA.CertPEM)
			l := newLoop(t)
			var proto, cipher string
			var ended bool
			var serr error
			ready := make(chan int, 1)
			var srv *nntls.Server
			l.Post(func() {
				o := nntls.ServerOptions{}
				o.Key, o.Cert = tc.chain.Leaf.KeyPEM, tc.chain.Leaf.CertPEM
				srv = listenTLS(t, l, o, func(s *nntls.TLSSocket) {
					proto = s.GetProtocol()
					c, _ := s.GetCipher()
					cipher = c.Name
					s.OnEnd(func() { ended = true })
					s.OnError(func(err error) { serr = err })
					s.Pipe(s.Socket, nil)
				}, func(_ *nntls.Server, port int) { ready <- port })
			})
			wait := looptest.GoRun(t, l, hangGuard)
			p := startProc(t, openssl, "s_client", "-brief", "-connect", "127.0.0.1:"+strconv.Itoa(<-ready),
				"-servername", "localhost", "-CAfile", ca, "-verify_return_error", tc.version)
			p.waitFor(t, "CONNECTION ESTABLISHED")
			p.waitFor(t, "Verification: OK")
			fmt.Fprintln(p.stdin, "hello")
			p.waitFor(t, "hello")
			if tc.version == "-tls1_3" {
				fmt.Fprintln(p.stdin, "K") // a key update, and one requested back
				p.waitFor(t, "KEYUPDATE")
				fmt.Fprintln(p.stdin, "after the key update")
				p.waitFor(t, "after the key update")
			}
			p.stdin.Close() // s_client sends close_notify and exits
			if err := p.exit(t); err != nil {
				t.Fatalf("s_client: %v\n%s", err, p.output())
			}
			l.Post(func() { srv.Close(nil) })
			wait()
			want := map[string]string{"-tls1_3": "TLSv1.3", "-tls1_2": "TLSv1.2"}[tc.version]
			if proto != want || cipher == "" || !ended || serr != nil {
				t.Fatalf("protocol %q cipher %q ended %v error %v\n%s", proto, cipher, ended, serr, p.output())
			}
		})
	}
}

// A renegotiation asked by s_client (TLS 1.2 'R'): crypto/tls never
// renegotiates, so the socket errs with ERR_SSL_NO_RENEGOTIATION (Node's
// server would renegotiate) and the server goes on serving.
func TestOpenSSLClientRenegotiation(t *testing.T) {
	openssl := tool(t, "openssl")
	ca := writeFile(t, "ca.pem", ecCert.CertPEM)
	l := newLoop(t)
	errs := make(chan error, 1)
	ready := make(chan int, 1)
	var srv *nntls.Server
	l.Post(func() {
		srv = listenTLS(t, l, nntls.ServerOptions{}, func(s *nntls.TLSSocket) {
			s.OnError(func(err error) { errs <- err })
			s.Pipe(s.Socket, nil)
		}, func(_ *nntls.Server, port int) { ready <- port })
	})
	wait := looptest.GoRun(t, l, hangGuard)
	port := <-ready
	p := startProc(t, openssl, "s_client", "-brief", "-connect", "127.0.0.1:"+strconv.Itoa(port),
		"-servername", "localhost", "-CAfile", ca, "-tls1_2")
	p.waitFor(t, "CONNECTION ESTABLISHED")
	fmt.Fprintln(p.stdin, "hello")
	p.waitFor(t, "hello")
	fmt.Fprintln(p.stdin, "R")
	p.waitFor(t, "RENEGOTIATING")
	err := <-errs
	if code(err) != nntls.CodeNoRenegotiation {
		t.Fatalf("error %v (%s), want %s", err, code(err), nntls.CodeNoRenegotiation)
	}
	if err := echoClient(port, 0, 3, 100); err != nil {
		t.Fatalf("a client after the renegotiation: %v", err)
	}
	l.Post(func() { srv.Close(nil) })
	wait()
}

// nodenet's client against openssl s_server -rev (it answers each line
// reversed), with and without a client certificate it requires.
func TestOpenSSLServer(t *testing.T) {
	openssl := tool(t, "openssl")
	leaf := writeFile(t, "leaf.pem", chain.Leaf.CertPEM)
	key := writeFile(t, "leaf-key.pem", chain.Leaf.KeyPEM)
	ca := writeFile(t, "ca.pem", chain.CA.CertPEM)
	for _, tc := range []struct {
		name    string
		args    []string
		client  bool
		version string
	}{
		{"TLSv1.3", []string{"-tls1_3"}, false, "TLSv1.3"},
		{"TLSv1.2", []string{"-tls1_2"}, false, "TLSv1.2"},
		{"client certificate required", []string{"-Verify", "1", "-CAfile", ca, "-verify_return_error"}, true, "TLSv1.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"s_server", "-accept", "127.0.0.1:0", "-cert", leaf, "-key", key, "-rev"}, tc.args...)
			p := startProc(t, openssl, args...)
			line := p.waitFor(t, "ACCEPT ")
			port, _ := strconv.Atoi(line[strings.LastIndexByte(line, ':')+1:])
			l := newLoop(t)
			var got bytes.Buffer
			var proto string
			var authorized bool
			l.Post(func() {
				o := nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
					Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: chain.CA.CertPEM}}
				if tc.client {
					o.Key, o.Cert = clientCert.KeyPEM, clientCert.CertPEM
				}
				c, err := nntls.Connect(o, func() {})
				if err != nil {
					t.Error(err)
					return
				}
				c.OnSecureConnect(func() {
					proto, authorized = c.GetProtocol(), c.Authorized()
					c.Send([]byte("hello\n"), nil)
				})
				c.OnData(func(b []byte) {
					got.Write(b)
					if strings.Contains(got.String(), "olleh") {
						c.End(nil, nil)
					}
				})
				c.OnError(func(err error) { t.Errorf("client: %v\n%s", err, p.output()) })
			})
			looptest.Run(t, l, hangGuard)
			if !strings.Contains(got.String(), "olleh") || proto != tc.version || !authorized {
				t.Fatalf("got %q protocol %q authorized %v\n%s", got.String(), proto, authorized, p.output())
			}
		})
	}
}

// A renegotiation asked by s_server (TLS 1.2 'R' on its stdin): the
// client refuses (crypto/tls never renegotiates; Node's client would) with
// ERR_SSL_NO_RENEGOTIATION, then close(true).
func TestOpenSSLServerRenegotiation(t *testing.T) {
	openssl := tool(t, "openssl")
	leaf := writeFile(t, "leaf.pem", chain.Leaf.CertPEM)
	key := writeFile(t, "leaf-key.pem", chain.Leaf.KeyPEM)
	p := startProc(t, openssl, "s_server", "-accept", "127.0.0.1:0", "-cert", leaf, "-key", key, "-tls1_2")
	line := p.waitFor(t, "ACCEPT ")
	port, _ := strconv.Atoi(line[strings.LastIndexByte(line, ':')+1:])
	l := newLoop(t)
	var gotErr error
	var hadErr bool
	l.Post(func() {
		c, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
			Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: chain.CA.CertPEM}}, nil)
		if err != nil {
			t.Error(err)
			return
		}
		c.OnSecureConnect(func() { c.Send([]byte("ready\n"), nil) })
		c.OnData(func([]byte) {})
		c.OnError(func(err error) { gotErr = err })
		c.OnClose(func(h bool) { hadErr = h })
	})
	wait := looptest.GoRun(t, l, hangGuard)
	p.waitFor(t, "ready") // s_server printed what the client sent: the connection is up
	fmt.Fprintln(p.stdin, "R")
	wait()
	if code(gotErr) != nntls.CodeNoRenegotiation || !hadErr {
		t.Fatalf("error %v (%s) close(hadError) %v\n%s", gotErr, code(gotErr), hadErr, p.output())
	}
}

// curl over HTTPS against a tiny HTTP responder on nodenet's TLS server:
// a GET and a 1 MiB upload whose SHA-256 the server answers, ALPN
// http/1.1 negotiated.
func TestCurlHTTPS(t *testing.T) {
	curl := tool(t, "curl")
	ca := writeFile(t, "ca.pem", chain.CA.CertPEM)
	body := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	upload := writeFile(t, "upload.bin", body)
	l := newLoop(t)
	ready := make(chan int, 1)
	var srv *nntls.Server
	var alpns []string
	l.Post(func() {
		o := nntls.ServerOptions{ALPNProtocols: []string{"http/1.1"}}
		o.Key, o.Cert = chain.Leaf.KeyPEM, chain.Leaf.CertPEM
		srv = listenTLS(t, l, o, func(s *nntls.TLSSocket) {
			alpns = append(alpns, s.ALPNProtocol())
			serveHTTP(s)
		}, func(_ *nntls.Server, port int) { ready <- port })
	})
	wait := looptest.GoRun(t, l, hangGuard)
	url := fmt.Sprintf("https://localhost:%d/", <-ready)
	resolve := fmt.Sprintf("localhost:%s:127.0.0.1", url[len("https://localhost:"):len(url)-1])
	out, err := exec.Command(curl, "-sS", "--cacert", ca, "--resolve", resolve, url).CombinedOutput()
	if err != nil || string(out) != "hello over TLSv1.3" {
		t.Fatalf("GET: %v %q", err, out)
	}
	out, err = exec.Command(curl, "-sS", "--cacert", ca, "--resolve", resolve, "--data-binary", "@"+upload, url).CombinedOutput()
	sum := sha256.Sum256(body)
	if err != nil || string(out) != hex.EncodeToString(sum[:]) {
		t.Fatalf("POST: %v %q", err, out)
	}
	l.Post(func() { srv.Close(nil) })
	wait()
	if len(alpns) != 2 || alpns[0] != "http/1.1" {
		t.Fatalf("ALPN %q", alpns)
	}
}

// serveHTTP answers one HTTP/1.1 request: a GET with a greeting, a POST
// with the SHA-256 of its body.
func serveHTTP(s *nntls.TLSSocket) {
	var buf []byte
	h := sha256.New()
	need, got := -1, 0
	s.OnData(func(b []byte) {
		if need < 0 {
			buf = append(buf, b...)
			i := bytes.Index(buf, []byte("\r\n\r\n"))
			if i < 0 {
				return
			}
			head := string(buf[:i])
			b = buf[i+4:]
			need = 0
			for _, line := range strings.Split(head, "\r\n") {
				if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "content-length") {
					need, _ = strconv.Atoi(strings.TrimSpace(v))
				}
			}
		}
		h.Write(b)
		got += len(b)
		if got < need {
			return
		}
		answer := "hello over " + s.GetProtocol()
		if need > 0 {
			answer = hex.EncodeToString(h.Sum(nil))
		}
		s.End([]byte(fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(answer), answer)), nil)
	})
}
