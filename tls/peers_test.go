package tls_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

// nodeBin is Node v26, the oracle: NODENET_NODE, else the copy `make tools`
// installs in conformance/.node. Missing, the test fails saying how to get
// it; it never skips.
func nodeBin(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("NODENET_NODE"); p != "" {
		return p
	}
	p, _ := filepath.Abs("../conformance/.node/node_modules/.bin/node")
	out, err := exec.Command(p, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "v26.") {
		t.Fatalf("Node v26 is needed at %s (or NODENET_NODE): run `make tools` (%v %q)", p, err, out)
	}
	return p
}

// certDir writes the scenarios' certificates for peer.js.
func certDir(t testing.TB) string {
	d := t.TempDir()
	for name, b := range map[string][]byte{
		"ca.pem": chain.CA.CertPEM, "leaf.pem": chain.Leaf.CertPEM, "leaf-key.pem": chain.Leaf.KeyPEM,
		"self.pem": ecCert.CertPEM, "self-key.pem": ecCert.KeyPEM,
	} {
		if err := os.WriteFile(filepath.Join(d, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// The scenarios, each run three ways — Node against Node (the truth),
// Node's client against nodenet's server, nodenet's client against Node's
// server — and each side's trace must be Node's.
var peerScenarios = []struct {
	name       string
	serverSide bool // the server's trace is deterministic too
}{
	{"echo", true},
	{"server-ends", true},
	{"halfopen", true},
	{"alpn", true},
	{"bytes", true},
	{"resume", true},
	{"noreject", true},
	{"self-signed", false},
	{"altname", false},
}

func TestPeersNodeDifferential(t *testing.T) {
	node := nodeBin(t)
	dir := certDir(t)
	for _, sc := range peerScenarios {
		t.Run(sc.name, func(t *testing.T) {
			// Node against Node.
			port, stop := nodeServer(t, node, sc.name, dir)
			wantC := nodeClient(t, node, sc.name, port, dir)
			wantS := stop()

			// Node's client against nodenet's server.
			l := newLoop(t)
			var gotS []string
			var srv *nntls.Server
			ready := make(chan int, 1)
			l.Post(func() {
				srv = nnPeerServer(t, l, sc.name, dir, &gotS, ready)
			})
			wait := looptest.GoRun(t, l, hangGuard)
			gotC := nodeClient(t, node, sc.name, <-ready, dir)
			l.Post(func() { srv.Close(nil) })
			wait()
			compare(t, "Node client against nodenet server: client", wantC, gotC)
			if sc.serverSide {
				compare(t, "Node client against nodenet server: server", wantS, gotS)
			}

			// nodenet's client against Node's server.
			port, stop = nodeServer(t, node, sc.name, dir)
			gotC = nnPeerClient(t, sc.name, port, dir)
			gotS = stop()
			compare(t, "nodenet client against Node server: client", wantC, gotC)
			if sc.serverSide {
				compare(t, "nodenet client against Node server: server", wantS, gotS)
			}
		})
	}
}

func compare(t *testing.T, what string, want, got []string) {
	t.Helper()
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("%s differs from Node's:\nNode:\n  %s\nnodenet:\n  %s", what, strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	}
}

// nodeServer starts peer.js as a server; stop ends it and returns its trace.
func nodeServer(t *testing.T, node, scenario, dir string) (port int, stop func() []string) {
	t.Helper()
	cmd := exec.Command(node, "testdata/peer.js", "server", scenario, dir)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "PORT ") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("node server did not start: %q", sc.Text())
	}
	port, _ = strconv.Atoi(strings.TrimPrefix(sc.Text(), "PORT "))
	var lines []string
	done := make(chan struct{})
	go func() {
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		close(done)
	}()
	return port, func() []string {
		stdin.Close()
		<-done
		if err := cmd.Wait(); err != nil {
			t.Errorf("node server: %v", err)
		}
		return lines
	}
}

func nodeClient(t *testing.T, node, scenario string, port int, dir string) []string {
	t.Helper()
	cmd := exec.Command(node, "testdata/peer.js", "client", scenario, strconv.Itoa(port), dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Errorf("node client: %v", err)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func short(data string) string {
	if len(data) > 20 {
		return strconv.Itoa(len(data)) + " bytes"
	}
	return data
}

func selfSignedScenario(s string) bool { return s == "self-signed" || s == "noreject" }

// nnPeerServer is peer.js's server in nodenet.
func nnPeerServer(t *testing.T, l *reactor.Loop, scenario, dir string, lines *[]string, ready chan<- int) *nntls.Server {
	out := func(s string) { *lines = append(*lines, s) }
	o := nntls.ServerOptions{}
	o.Key, o.Cert = chain.Leaf.KeyPEM, chain.Leaf.CertPEM
	if selfSignedScenario(scenario) {
		o.Key, o.Cert = ecCert.KeyPEM, ecCert.CertPEM
	}
	if scenario == "alpn" {
		o.ALPNProtocols = []string{"h2", "http/1.1"}
	}
	o.AllowHalfOpen = scenario == "halfopen"
	return listenTLS(t, l, o, func(s *nntls.TLSSocket) {
		out(fmt.Sprintf("S secureConnection authorized=%v protocol=%s servername=%s alpn=%s", s.Authorized(), s.GetProtocol(), orNone(s.Servername()), orNone(s.ALPNProtocol())))
		var data []byte
		s.OnData(func(b []byte) {
			data = append(data, b...)
			if scenario != "halfopen" && scenario != "server-ends" {
				s.Send(b, nil)
			}
		})
		s.OnEnd(func() {
			out(fmt.Sprintf("S end data=%s bytesRead=%d", short(string(data)), s.BytesRead()))
			if scenario == "halfopen" {
				s.End([]byte("after-end"), nil)
			}
		})
		s.OnError(func(err error) { out(fmt.Sprintf("S error code=%s message=%s", code(err), err)) })
		s.OnClose(func(h bool) { out(fmt.Sprintf("S close hadError=%v bytesWritten=%d", h, s.BytesWritten())) })
		if scenario == "server-ends" {
			s.End([]byte("bye"), nil)
		}
	}, func(_ *nntls.Server, port int) { ready <- port })
}

// nnPeerClient is peer.js's client in nodenet.
func nnPeerClient(t *testing.T, scenario string, port int, dir string) []string {
	l := newLoop(t)
	var mu sync.Mutex
	var lines []string
	out := func(s string) { mu.Lock(); lines = append(lines, s); mu.Unlock() }
	var connect func(session []byte)
	reconnected := false
	connect = func(session []byte) {
		o := nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"}, Servername: "localhost", Session: session}
		if !selfSignedScenario(scenario) {
			o.CA = chain.CA.CertPEM
		}
		if scenario == "noreject" {
			no := false
			o.RejectUnauthorized = &no
		}
		if scenario == "altname" {
			o.Servername = "wrong.example"
		}
		if scenario == "alpn" {
			o.ALPNProtocols = []string{"http/1.1"}
		}
		o.AllowHalfOpen = scenario == "halfopen"
		c, err := nntls.Connect(o, nil)
		if err != nil {
			t.Error(err)
			return
		}
		var data []byte
		var last []byte
		c.OnSession(func(s []byte) { last = s })
		c.OnSecureConnect(func() {
			out(fmt.Sprintf("C secureConnect authorized=%v authorizationError=%s protocol=%s alpn=%s reused=%v", c.Authorized(), orNone(code(c.AuthorizationError())), c.GetProtocol(), orNone(c.ALPNProtocol()), c.IsSessionReused()))
			switch scenario {
			case "halfopen":
				c.End([]byte("a"), nil)
			case "bytes":
				c.Send([]byte(strings.Repeat("b", 1000)), nil)
				out(fmt.Sprintf("C bytesWritten=%d", c.BytesWritten()))
			case "server-ends":
			default:
				c.Send([]byte("hello"), nil)
			}
		})
		c.OnData(func(b []byte) {
			data = append(data, b...)
			want := 5
			if scenario == "bytes" {
				want = 1000
			}
			if scenario != "halfopen" && scenario != "server-ends" && len(data) >= want {
				c.End(nil, nil)
			}
		})
		c.OnEnd(func() { out(fmt.Sprintf("C end data=%s bytesRead=%d", short(string(data)), c.BytesRead())) })
		c.OnError(func(err error) { out(fmt.Sprintf("C error code=%s message=%s", code(err), err)) })
		c.OnClose(func(h bool) {
			out(fmt.Sprintf("C close hadError=%v bytesWritten=%d", h, c.BytesWritten()))
			if scenario == "resume" && !reconnected {
				reconnected = true
				out(fmt.Sprintf("C session saved=%v", last != nil))
				connect(last)
			}
		})
	}
	l.Post(func() { connect(nil) })
	looptest.Run(t, l, hangGuard)
	return lines
}
