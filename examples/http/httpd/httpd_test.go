//go:build linux

package httpd_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nodenet/nodenet/examples/http/h1"
	"github.com/nodenet/nodenet/examples/http/httpd"
	"github.com/nodenet/nodenet/examples/internal/tooltest"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const hangGuard = 30 * time.Second

type testServer struct {
	addr, url string
	hs        *httpd.Server
	loop      *reactor.Loop
	conns     chan *socket.Socket
}

func startServer(t *testing.T, o httpd.Options) *testServer {
	t.Helper()
	g, err := reactor.NewGroup(1, reactor.RoundRobin)
	if err != nil {
		t.Fatal(err)
	}
	g.Start()
	t.Cleanup(g.Stop)
	hs, err := httpd.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{hs: hs, loop: g.Loops()[0], conns: make(chan *socket.Socket, 64)}
	srv, err := server.New(server.Options{Loop: ts.loop, StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}, func(c *socket.Socket) {
		select {
		case ts.conns <- c:
		default:
		}
		ts.hs.Serve(c)
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
	ts.url = "http://" + ts.addr
	return ts
}

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

type client struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, hangGuard)
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

// response reads one response with Go's own parser and returns it with
// its body read.
func (cl *client) response(method string) (*http.Response, string) {
	cl.t.Helper()
	resp, err := http.ReadResponse(cl.r, &http.Request{Method: method})
	if err != nil {
		cl.t.Fatalf("reading response: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		cl.t.Fatalf("reading body: %v", err)
	}
	return resp, string(b)
}

func (cl *client) expectEOF() {
	cl.t.Helper()
	if b, err := cl.r.ReadByte(); err != io.EOF {
		cl.t.Fatalf("expected EOF, got %q %v", b, err)
	}
}

func get(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n" }

func TestKeepAliveAndRoutes(t *testing.T) {
	ts := startServer(t, httpd.Options{})
	cl := dial(t, ts.addr)
	cases := []struct {
		req, method    string
		code           int
		ctype, body    string
		allow, conn    string
		wantClosedConn bool
	}{
		{get("/plaintext"), "GET", 200, "text/plain", "Hello, World!", "", "", false},
		{get("/json"), "GET", 200, "application/json", `{"message":"Hello, World!"}`, "", "", false},
		{get("/plaintext?x=1"), "GET", 200, "text/plain", "Hello, World!", "", "", false},
		{"HEAD /json HTTP/1.1\r\nHost: t\r\n\r\n", "HEAD", 200, "application/json", "", "", "", false},
		{get("/nope"), "GET", 404, "text/plain; charset=utf-8", "not found\n", "", "", false},
		{"POST /plaintext HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi", "POST", 405, "text/plain; charset=utf-8", "method not allowed\n", "GET, HEAD", "", false},
		{get("/echo"), "GET", 405, "text/plain; charset=utf-8", "method not allowed\n", "POST, PUT", "", false},
		{"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world", "POST", 200, "application/octet-stream", "hello world", "", "", false},
		{"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext\r\n world\r\n0\r\nX-T: 1\r\n\r\n", "POST", 200, "application/octet-stream", "hello world", "", "", false},
		{"POST /echo HTTP/1.1\r\nHost: t\r\n\r\n", "POST", 200, "application/octet-stream", "", "", "", false},
		{"GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "GET", 200, "text/plain", "Hello, World!", "", "keep-alive", false},
		{"GET /plaintext HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", "GET", 200, "text/plain", "Hello, World!", "", "close", true},
	}
	for i, tc := range cases {
		cl.send(tc.req)
		resp, body := cl.response(tc.method)
		if resp.StatusCode != tc.code || resp.Header.Get("Content-Type") != tc.ctype || body != tc.body ||
			resp.Header.Get("Allow") != tc.allow || connHeader(resp) != tc.conn {
			t.Fatalf("case %d %.30q: %d %q %q allow %q conn %q", i, tc.req, resp.StatusCode, resp.Header.Get("Content-Type"), body,
				resp.Header.Get("Allow"), resp.Header.Get("Connection"))
		}
		if resp.Header.Get("Server") != "nodenet" {
			t.Fatalf("Server header %q", resp.Header.Get("Server"))
		}
		if _, err := http.ParseTime(resp.Header.Get("Date")); err != nil {
			t.Fatalf("Date header %q: %v", resp.Header.Get("Date"), err)
		}
		if tc.wantClosedConn {
			cl.expectEOF()
		}
	}
}

func TestHTTP10ClosesByDefault(t *testing.T) {
	ts := startServer(t, httpd.Options{})
	cl := dial(t, ts.addr)
	cl.send("GET /json HTTP/1.0\r\n\r\n")
	resp, body := cl.response("GET")
	if resp.StatusCode != 200 || body != `{"message":"Hello, World!"}` || connHeader(resp) != "close" {
		t.Fatalf("%d %q %q", resp.StatusCode, body, resp.Header.Get("Connection"))
	}
	cl.expectEOF()
}

// TestPipelinedInOrderOneWrite: requests of every kind in one segment are
// answered in order, with one write.
func TestPipelinedInOrderOneWrite(t *testing.T) {
	ts := startServer(t, httpd.Options{})
	cl := dial(t, ts.addr)
	cl.send(get("/plaintext"))
	cl.response("GET")
	var req strings.Builder
	var want []string
	for i := 0; i < 30; i++ {
		switch i % 3 {
		case 0:
			req.WriteString(get("/plaintext"))
			want = append(want, "Hello, World!")
		case 1:
			b := "body-" + strconv.Itoa(i)
			fmt.Fprintf(&req, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
			want = append(want, b)
		case 2:
			b := "chunked-" + strconv.Itoa(i)
			fmt.Fprintf(&req, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", len(b), b)
			want = append(want, b)
		}
	}
	w0 := ts.hs.Writes()
	cl.send(req.String())
	for i, w := range want {
		if _, body := cl.response("GET"); body != w {
			t.Fatalf("response %d: %q, want %q", i, body, w)
		}
	}
	if d := ts.hs.Writes() - w0; d != 1 {
		t.Fatalf("%d writes for 30 pipelined requests in one read; want 1", d)
	}
}

// TestSplitAtEveryByte: a pipelined pair arriving one byte at a time.
func TestSplitAtEveryByte(t *testing.T) {
	ts := startServer(t, httpd.Options{})
	cl := dial(t, ts.addr)
	req := "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n" +
		"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nwxyz"
	for i := 0; i < len(req); i++ {
		cl.send(req[i : i+1])
	}
	if _, b := cl.response("POST"); b != "abcde" {
		t.Fatal(b)
	}
	if _, b := cl.response("POST"); b != "wxyz" {
		t.Fatal(b)
	}
}

// TestBadRequests: each is refused with its status and the connection is
// closed after the response.
func TestBadRequests(t *testing.T) {
	ts := startServer(t, httpd.Options{Limits: h1.Limits{MaxHead: 1024, MaxBody: 1000}})
	cases := []struct {
		name, req string
		code      int
	}{
		{"garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400},
		{"no host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"header too large", "GET / HTTP/1.1\r\nHost: t\r\nX: " + strings.Repeat("a", 2000) + "\r\n\r\n", 431},
		{"header never ends", "GET / HTTP/1.1\r\nHost: t\r\nX: " + strings.Repeat("a", 2000), 431},
		{"body too large", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n", 413},
		{"chunked too large", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3e9\r\n" + strings.Repeat("a", 1001), 413},
		{"bad chunk", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
		{"gzip", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
		{"smuggling", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
		{"version", "GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505},
		{"after a good one", get("/json") + "BAD\r\n\r\n", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cl := dial(t, ts.addr)
			cl.send(tc.req)
			resp, _ := cl.response("GET")
			if tc.name == "after a good one" {
				if resp.StatusCode != 200 {
					t.Fatalf("first response %d", resp.StatusCode)
				}
				resp, _ = cl.response("GET")
			}
			if resp.StatusCode != tc.code || connHeader(resp) != "close" {
				t.Fatalf("status %d conn %q, want %d and close", resp.StatusCode, connHeader(resp), tc.code)
			}
			cl.expectEOF()
		})
	}
}

// TestRandomGarbageNeverPanics: random bytes (and random mutations of
// valid requests) on many connections; every connection gets well-formed
// responses or a close, and the server still answers afterwards.
func TestRandomGarbageNeverPanics(t *testing.T) {
	ts := startServer(t, httpd.Options{})
	rng := rand.New(rand.NewPCG(1, 2))
	valid := get("/plaintext") + "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
	for i := 0; i < 200; i++ {
		var b []byte
		if i%2 == 0 {
			b = make([]byte, 1+rng.IntN(600))
			for j := range b {
				b[j] = byte(rng.UintN(256))
			}
		} else {
			b = []byte(valid)
			for k := 0; k < 1+rng.IntN(4); k++ {
				b[rng.IntN(len(b))] = byte(rng.UintN(256))
			}
		}
		cl := dial(t, ts.addr)
		cl.c.Write(b)
		cl.c.(*net.TCPConn).CloseWrite()
		for {
			resp, err := http.ReadResponse(cl.r, nil)
			if err != nil {
				break // EOF (or a request cut short by our FIN): fine, as long as nothing hangs
			}
			io.Copy(io.Discard, resp.Body)
			if resp.StatusCode < 200 || resp.StatusCode > 505 {
				t.Fatalf("status %d", resp.StatusCode)
			}
		}
		cl.c.Close()
	}
	cl := dial(t, ts.addr)
	cl.send(get("/plaintext"))
	if _, b := cl.response("GET"); b != "Hello, World!" {
		t.Fatal(b)
	}
}

// TestBackpressure: a client pipelines 40 echoes of 512 KiB and reads
// nothing; the server pauses with a bounded queue, then answers all.
func TestBackpressure(t *testing.T) {
	ts := startServer(t, httpd.Options{})
	cl := dial(t, ts.addr)
	cl.send(get("/"))
	cl.response("GET")
	var srvSock *socket.Socket
	select {
	case srvSock = <-ts.conns:
	case <-time.After(hangGuard):
		t.Fatal("no connection seen")
	}
	body := strings.Repeat("b", 512<<10)
	req := fmt.Sprintf("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	const n = 40
	writeErr := make(chan error, 1)
	go func() {
		_, err := io.WriteString(cl.c, strings.Repeat(req, n))
		writeErr <- err
	}()
	deadline := time.Now().Add(hangGuard)
	var paused bool
	var queued, maxQueued int
	for !paused {
		ts.onLoop(t, func() { paused, queued = srvSock.IsPaused(), srvSock.BufferSize() })
		maxQueued = max(maxQueued, queued)
		if time.Now().After(deadline) {
			t.Fatal("server never paused")
		}
		time.Sleep(time.Millisecond)
	}
	for i := 0; i < n; i++ {
		if _, b := cl.response("POST"); b != body {
			t.Fatalf("response %d wrong (%d bytes)", i, len(b))
		}
		if i%4 == 0 {
			ts.onLoop(t, func() { maxQueued = max(maxQueued, srvSock.BufferSize()) })
		}
	}
	if err := <-writeErr; err != nil {
		t.Fatal(err)
	}
	if maxQueued > 2<<20 {
		t.Fatalf("server queued %d bytes for a client that was not reading", maxQueued)
	}
}

func TestHalfCloseAnswersEverything(t *testing.T) {
	ts := startServer(t, httpd.Options{})
	cl := dial(t, ts.addr)
	cl.send(strings.Repeat(get("/json"), 20))
	cl.c.(*net.TCPConn).CloseWrite()
	for i := 0; i < 20; i++ {
		if _, b := cl.response("GET"); b != `{"message":"Hello, World!"}` {
			t.Fatal(b)
		}
	}
	cl.expectEOF()
}

// TestGoClient: net/http's client (keep-alive pool, chunked uploads).
func TestGoClient(t *testing.T) {
	ts := startServer(t, httpd.Options{})
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: hangGuard}
	for i := 0; i < 50; i++ {
		resp, err := c.Get(ts.url + "/plaintext")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "Hello, World!" {
			t.Fatal(string(b))
		}
	}
	// An unknown-length body goes chunked.
	resp, err := c.Post(ts.url+"/echo", "text/plain", io.MultiReader(strings.NewReader("stream "), strings.NewReader("of bytes")))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "stream of bytes" {
		t.Fatal(string(b))
	}
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out.String())
		}
	case <-time.After(2 * hangGuard):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s did not finish", name)
	}
	return out.String()
}

// TestCurl: the real curl — headers, JSON, an upload with
// Content-Length, a chunked upload with Expect: 100-continue, HTTP/1.0,
// HEAD, and connection reuse across two URLs.
func TestCurl(t *testing.T) {
	curl := tooltest.Need(t, "curl", "curl")
	ts := startServer(t, httpd.Options{})
	out := runTool(t, curl, "-sS", "-i", ts.url+"/plaintext")
	if !regexp.MustCompile(`(?s)^HTTP/1.1 200 OK\r\nServer: nodenet\r\nDate: [^\r]+ GMT\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!$`).MatchString(out) {
		t.Fatalf("plaintext:\n%q", out)
	}
	if out := runTool(t, curl, "-sS", ts.url+"/json"); out != `{"message":"Hello, World!"}` {
		t.Fatalf("json: %q", out)
	}
	if out := runTool(t, curl, "-sS", "--data-binary", "posted body", ts.url+"/echo"); out != "posted body" {
		t.Fatalf("echo: %q", out)
	}
	big := filepath.Join(t.TempDir(), "big")
	data := bytes.Repeat([]byte("0123456789"), 50000) // 500 kB
	if err := writeFile(big, data); err != nil {
		t.Fatal(err)
	}
	out = runTool(t, curl, "-sS", "-H", "Transfer-Encoding: chunked", "-H", "Expect: 100-continue", "--data-binary", "@"+big, ts.url+"/echo")
	if out != string(data) {
		t.Fatalf("chunked upload came back as %d bytes", len(out))
	}
	out = runTool(t, curl, "-sS", "-i", "--http1.0", ts.url+"/plaintext")
	if !strings.Contains(out, "Connection: close\r\n") || !strings.HasSuffix(out, "Hello, World!") {
		t.Fatalf("http1.0:\n%q", out)
	}
	out = runTool(t, curl, "-sS", "-I", ts.url+"/json")
	if !strings.Contains(out, "Content-Length: 27\r\n") || strings.Contains(out, "Hello") {
		t.Fatalf("HEAD:\n%q", out)
	}
	out = runTool(t, curl, "-sS", "-v", ts.url+"/plaintext", ts.url+"/json")
	if !strings.Contains(out, "Re-using existing connection") || !strings.Contains(out, "Hello, World!") || !strings.Contains(out, `{"message":"Hello, World!"}`) {
		t.Fatalf("keep-alive reuse:\n%s", out)
	}
	out = runTool(t, curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "X-Big: "+strings.Repeat("x", 20000), ts.url+"/plaintext")
	if out != "431" {
		t.Fatalf("oversized header: %q", out)
	}
}

var wrkResult = regexp.MustCompile(`RESULT requests=(\d+) errors=(\d+) status_errors=(\d+) bytes=(\d+)`)

// TestWrk: the real wrk, plain and pipelined 16 deep with the Lua script
// the benchmark uses; every response must be a 200 and none may fail.
func TestWrk(t *testing.T) {
	wrk := tooltest.Need(t, "wrk", "wrk")
	ts := startServer(t, httpd.Options{})
	script, err := filepath.Abs("../testdata/pipeline.lua")
	if err != nil {
		t.Fatal(err)
	}
	for _, depth := range []string{"1", "16"} {
		for _, path := range []string{"/plaintext", "/json"} {
			r0 := ts.hs.Requests()
			out := runTool(t, wrk, "-t1", "-c32", "-d1s", "-s", script, ts.url+path, "--", depth)
			m := wrkResult.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no RESULT line:\n%s", out)
			}
			reqs, _ := strconv.Atoi(m[1])
			if reqs < 100 || m[2] != "0" || m[3] != "0" {
				t.Fatalf("depth %s %s: %s", depth, path, m[0])
			}
			// Every request wrk counted was answered by the server
			// (wrk stops with some in flight, so the server may count more).
			if served := ts.hs.Requests() - r0; served < int64(reqs) {
				t.Fatalf("wrk saw %d responses, server answered %d", reqs, served)
			}
		}
	}
}

// TestZeroAllocsPerRequest: a pipelined batch (plaintext, json, HEAD, an
// echo with a body) is parsed and answered without a heap allocation.
func TestZeroAllocsPerRequest(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	ts := startServer(t, httpd.Options{})
	cl := dial(t, ts.addr)
	batch := []byte(get("/plaintext") + get("/json") + "HEAD /plaintext HTTP/1.1\r\nHost: t\r\n\r\n" +
		"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" +
		"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
	// Learn the batch's response size (Date is fixed width).
	cl.send(string(batch))
	want := 0
	for i := 0; i < 5; i++ {
		resp, _ := cl.response([]string{"GET", "GET", "HEAD", "POST", "POST"}[i])
		_ = resp
	}
	var probe bytes.Buffer
	cl2 := dial(t, ts.addr)
	cl2.send(string(batch))
	cl2.c.(*net.TCPConn).CloseWrite()
	io.Copy(&probe, cl2.r)
	want = probe.Len()
	buf := make([]byte, want)
	roundTrip := func() {
		if _, err := cl.c.Write(batch); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(cl.c, buf); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 200; i++ {
		roundTrip()
	}
	if avg := testing.AllocsPerRun(2000, roundTrip); avg != 0 {
		t.Fatalf("%.3f allocations per batch of 5 requests; want 0", avg)
	}
}

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o644) }

// connHeader is the response's Connection field (Go's parser moves
// "close" into resp.Close).
func connHeader(resp *http.Response) string {
	if resp.Close {
		return "close"
	}
	return resp.Header.Get("Connection")
}
