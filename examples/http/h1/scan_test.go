package h1

import (
	"strings"
	"testing"
)

// TestScanErrorWaitsForTheEnd: a bad line seen before the head's end is in
// the buffer does not answer yet (the head may still prove too large, 431);
// once the end arrives the line's error is the answer.
func TestScanErrorWaitsForTheEnd(t *testing.T) {
	lim := Limits{MaxHead: 64, MaxHeaders: 4, MaxBody: 100}
	cases := []struct {
		name, head, more string
		want             *Error
	}{
		{"bad header, then end", "GET / HTTP/1.1\r\nHost x\r\n", "\r\n", ErrBadHeader},
		{"bad request line, then end", "GET\r\n", "\r\n", ErrBadRequestLine},
		{"bad header, then too large", "GET / HTTP/1.1\r\nHost x\r\n", strings.Repeat("a", 64), ErrHeadTooLarge},
		{"bad header, too large when complete", "GET / HTTP/1.1\r\nHost x\r\n", "X: " + strings.Repeat("a", 40) + "\r\n\r\n", ErrHeadTooLarge},
		{"bare CR, then end", "GET / HTTP/1.1\r\nHost: x\rY\r\n", "\r\n", ErrBareCR},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := Parser{Limits: lim}
			if _, n, err := p.ParseHead([]byte(tc.head)); n != 0 || err != nil {
				t.Fatalf("before the end: n %d err %v, want incomplete", n, err)
			}
			_, n, err := p.ParseHead([]byte(tc.head + tc.more))
			if n != 0 || err != tc.want {
				t.Fatalf("n %d err %v, want %v", n, err, tc.want)
			}
			// The same bytes whole, to a fresh parser.
			var q = Parser{Limits: lim}
			if _, _, err := q.ParseHead([]byte(tc.head + tc.more)); err != tc.want {
				t.Fatalf("whole: err %v, want %v", err, tc.want)
			}
		})
	}
}

// TestScanBareCRWins: a CR inside a line is reported as a bare CR even
// where the line's syntax check stops earlier for another reason.
func TestScanBareCRWins(t *testing.T) {
	for _, in := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\nX\r: y\r\n\r\n",              // in the name
		"GET / HTTP/1.1\r\nHost: x\r\n \rX: y\r\n\r\n",             // in a folded line
		"GET / HTTP/1.1\r\nHost: x\r\nX\r\r\n\r\n",                 // two CRs end a line
		"GET / HTTP/1.1\r\nHost: x\r\nX y\rz\r\n\r\n",              // no colon
		"GET\r / HTTP/1.1\r\nHost: x\r\n\r\n",                      // in the method
		"GET / HTTP/1.1\r\r\nHost: x\r\n\r\n",                      // before the CRLF
		"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\r\n\r\n", // in a value
	} {
		var p Parser
		if _, _, err := p.ParseHead([]byte(in)); err != ErrBareCR {
			t.Errorf("%q: err %v, want a bare CR", in, err)
		}
	}
}

// TestScanLimitEdge: a head of exactly MaxHead bytes is parsed and one of
// MaxHead+1 is 431, whether it arrives whole or the last byte later.
func TestScanLimitEdge(t *testing.T) {
	base := "GET / HTTP/1.1\r\nHost: x\r\nX: \r\n\r\n"
	for _, extra := range []int{0, 1} {
		in := strings.Replace(base, "X: ", "X: "+strings.Repeat("v", 20+extra), 1)
		lim := Limits{MaxHead: len(in) - extra}
		p := Parser{Limits: lim}
		_, n, err := p.ParseHead([]byte("\r\n" + in))
		q := Parser{Limits: lim}
		q.ParseHead([]byte("\r\n" + in[:len(in)-1]))
		_, n2, err2 := q.ParseHead([]byte("\r\n" + in))
		if extra == 0 && (err != nil || n != len(in)+2 || err2 != nil || n2 != n) {
			t.Fatalf("at the limit: n %d err %v; in pieces n %d err %v", n, err, n2, err2)
		}
		if extra == 1 && (err != ErrHeadTooLarge || err2 != ErrHeadTooLarge) {
			t.Fatalf("one past the limit: err %v; in pieces %v", err, err2)
		}
	}
}

// TestScanPiecesAgree: every head of the OK and error tables, cut at every
// byte and fed as a prefix and then whole (the second call resuming the
// first's search), answers as it does whole to a fresh parser.
func TestScanPiecesAgree(t *testing.T) {
	lim := Limits{MaxHead: 256, MaxHeaders: 4, MaxBody: 100}
	heads := []string{
		"GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n",
		"\r\n\nGET / HTTP/1.0\nConnection: keep-alive, close\n\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
		"GET /" + strings.Repeat("a", 300) + " HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
		"GET / HTTP/1.1\r\n\r\r\n\r\n",
	}
	for _, in := range heads {
		p := Parser{Limits: lim}
		r, n, err := p.ParseHead([]byte(in))
		var method string
		var length int64
		if r != nil {
			method, length = string(r.Method), r.ContentLength
		}
		for cut := 0; cut <= len(in); cut++ {
			q := Parser{Limits: lim}
			_, n2, err2 := q.ParseHead([]byte(in[:cut]))
			if n2 == 0 && err2 == nil {
				var r2 *Request
				r2, n2, err2 = q.ParseHead([]byte(in))
				if err == nil && (r2 == nil || string(r2.Method) != method || r2.ContentLength != length) {
					t.Fatalf("%q cut %d: request %+v", in, cut, r2)
				}
			}
			if n2 != n || err2 != err {
				t.Fatalf("%q cut %d: n %d err %v; whole n %d err %v", in, cut, n2, err2, n, err)
			}
		}
	}
}
