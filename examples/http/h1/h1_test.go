package h1

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestParseHeadOK(t *testing.T) {
	cases := []struct {
		name, in        string
		method, target  string
		minor           int
		length          int64
		chunked, keep   bool
		expect, headers int
	}{
		{"GET 1.1", "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/plaintext", 1, -1, false, true, 0, 1},
		{"close", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "GET", "/", 1, -1, false, false, 0, 2},
		{"1.0 default close", "GET / HTTP/1.0\r\n\r\n", "GET", "/", 0, -1, false, false, 0, 0},
		{"1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "GET", "/", 0, -1, false, true, 0, 1},
		{"connection list", "GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade, close\r\n\r\n", "GET", "/", 1, -1, false, false, 0, 2},
		{"content-length", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", "POST", "/echo", 1, 5, false, true, 0, 2},
		{"same length twice", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", "POST", "/", 1, 5, false, true, 0, 3},
		{"chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n", "POST", "/", 1, -1, true, true, 0, 2},
		{"expect", "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n", "PUT", "/", 1, 1, false, true, 1, 3},
		{"bare LF", "GET / HTTP/1.1\nHost: x\n\n", "GET", "/", 1, -1, false, true, 0, 1},
		{"leading blank lines", "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/", 1, -1, false, true, 0, 1},
		{"OWS and empty value", "GET / HTTP/1.1\r\nHost:x\r\nX-A:  \t v \t\r\nX-B:\r\n\r\n", "GET", "/", 1, -1, false, true, 0, 3},
		{"asterisk", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", "OPTIONS", "*", 1, -1, false, true, 0, 1},
		{"absolute form", "GET http://x/y HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "http://x/y", 1, -1, false, true, 0, 1},
		{"HTTP/1.9 as 1.1", "GET / HTTP/1.9\r\nHost: x\r\n\r\n", "GET", "/", 1, -1, false, true, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p Parser
			r, n, err := p.ParseHead([]byte(tc.in + "NEXT"))
			if err != nil || n != len(tc.in) {
				t.Fatalf("n %d err %v, want n %d", n, err, len(tc.in))
			}
			if string(r.Method) != tc.method || string(r.Target) != tc.target || r.Minor != tc.minor ||
				r.ContentLength != tc.length || r.Chunked != tc.chunked || r.KeepAlive != tc.keep ||
				r.Expect100 != (tc.expect == 1) || len(r.Headers) != tc.headers {
				t.Fatalf("got %s %s 1.%d len %d chunked %v keep %v expect %v headers %d",
					r.Method, r.Target, r.Minor, r.ContentLength, r.Chunked, r.KeepAlive, r.Expect100, len(r.Headers))
			}
			// Byte at a time, with the same parser: incomplete until whole.
			var q Parser
			for i := 1; i < len(tc.in); i++ {
				if _, n, err := q.ParseHead([]byte(tc.in[:i])); n != 0 || err != nil {
					t.Fatalf("prefix %d: n %d err %v", i, n, err)
				}
			}
			if _, n, err := q.ParseHead([]byte(tc.in)); n != len(tc.in) || err != nil {
				t.Fatalf("whole after prefixes: n %d err %v", n, err)
			}
		})
	}
	var p Parser
	r, _, _ := p.ParseHead([]byte("GET / HTTP/1.1\r\nhOsT: example\r\n\r\n"))
	if v, ok := r.Header("Host"); !ok || string(v) != "example" {
		t.Fatalf("Header(Host) = %q %v", v, ok)
	}
}

func TestParseHeadErrors(t *testing.T) {
	lim := Limits{MaxHead: 256, MaxHeaders: 4, MaxBody: 100}
	cases := []struct {
		name, in string
		want     *Error
	}{
		{"no spaces", "GET\r\n\r\n", ErrBadRequestLine},
		{"one space", "GET /\r\n\r\n", ErrBadRequestLine},
		{"bad method", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", ErrBadMethod},
		{"target control", "GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n", ErrBadTarget},
		{"target relative", "GET a HTTP/1.1\r\nHost: x\r\n\r\n", ErrBadTarget},
		{"double space", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", ErrBadRequestLine},
		{"version garbage", "GET / HTTX/1.1\r\nHost: x\r\n\r\n", ErrBadVersion},
		{"version 2", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", ErrVersion},
		{"no host", "GET / HTTP/1.1\r\n\r\n", ErrNoHost},
		{"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", ErrBadHeader},
		{"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", ErrBadHeader},
		{"no colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n", ErrBadHeader},
		{"NUL in value", "GET / HTTP/1.1\r\nHost: a\x00b\r\n\r\n", ErrBadHeader},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", ErrObsFold},
		{"bare CR", "GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", ErrBareCR},
		{"bad length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", ErrBadLength},
		{"negative length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", ErrBadLength},
		{"length list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 1\r\n\r\n", ErrBadLength},
		{"differing lengths", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", ErrBadLength},
		{"length and chunked", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", ErrLengthAndChunked},
		{"gzip coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", ErrCoding},
		{"two TE", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", ErrCoding},
		{"chunked 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", ErrCoding},
		{"body too large", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n", ErrBodyTooLarge},
		{"too many headers", "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", ErrTooManyHeaders},
		{"head too large, complete", "GET /" + strings.Repeat("a", 300) + " HTTP/1.1\r\nHost: x\r\n\r\n", ErrHeadTooLarge},
		{"head too large, incomplete", "GET /" + strings.Repeat("a", 300), ErrHeadTooLarge},
		{"endless blank lines", strings.Repeat("\r\n", 200), ErrHeadTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := Parser{Limits: lim}
			_, _, err := p.ParseHead([]byte(tc.in))
			if err != tc.want {
				t.Fatalf("err %v, want %v (%d)", err, tc.want, tc.want.Status)
			}
		})
	}
}

func TestChunked(t *testing.T) {
	in := "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT"
	var d ChunkedDecoder
	body, n, done, err := d.Decode(nil, []byte(in), true)
	if err != nil || !done || string(body) != "hello, world" || in[n:] != "NEXT" {
		t.Fatalf("body %q n %d done %v err %v", body, n, done, err)
	}
	// One byte at a time.
	d.Reset()
	body = body[:0]
	for i := 0; i < len(in)-4; i++ {
		var m int
		body, m, done, err = d.Decode(body, []byte{in[i]}, true)
		if err != nil || m != 1 || done != (i == len(in)-5) {
			t.Fatalf("byte %d: m %d done %v err %v", i, m, done, err)
		}
	}
	if string(body) != "hello, world" {
		t.Fatalf("%q", body)
	}
	errCases := []struct {
		in   string
		want *Error
	}{
		{"x\r\n", ErrBadChunk},
		{"\r\n", ErrBadChunk},
		{"5\r\nhelloXY", ErrBadChunk},
		{"5\rX", ErrBareCR},
		{"1000000000000000\r\n", ErrBadChunk},
		{"65\r\n", ErrBodyTooLarge}, // 101 > 100
		{"0\r\n" + strings.Repeat("a", 300), ErrTrailerTooLarge},
	}
	for _, tc := range errCases {
		d := ChunkedDecoder{MaxBody: 100, MaxTrailer: 256}
		_, _, _, err := d.Decode(nil, []byte(tc.in+strings.Repeat("z", 200)), false)
		if err != tc.want {
			t.Errorf("%q: err %v, want %v", tc.in, err, tc.want)
		}
	}
}

func TestNoAllocs(t *testing.T) {
	head := []byte("GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\nAccept: text/plain\r\nConnection: keep-alive\r\n\r\n")
	chunked := []byte("5\r\nhello\r\n0\r\n\r\n")
	var p Parser
	var d ChunkedDecoder
	p.ParseHead(head)
	allocs := testing.AllocsPerRun(1000, func() {
		if _, n, err := p.ParseHead(head); n != len(head) || err != nil {
			t.Fatal(n, err)
		}
		d.Reset()
		if _, _, done, err := d.Decode(nil, chunked, false); !done || err != nil {
			t.Fatal(done, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations", allocs)
	}
}

// encodeChunked is the test's reference encoder.
func encodeChunked(body []byte, sizes []int) []byte {
	var b bytes.Buffer
	for len(body) > 0 {
		n := len(body)
		if len(sizes) > 0 {
			n = min(max(sizes[0], 1), n)
			sizes = sizes[1:]
		}
		fmt.Fprintf(&b, "%x\r\n", n)
		b.Write(body[:n])
		b.WriteString("\r\n")
		body = body[n:]
	}
	b.WriteString("0\r\n\r\n")
	return b.Bytes()
}
