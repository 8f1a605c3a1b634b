package h1

import (
	"bytes"
	"testing"
)

// FuzzParseHead: arbitrary bytes never panic; a result is a head (n within
// the input, the request line's parts within it), an *Error with a 4xx/5xx
// status, or "incomplete"; and feeding the bytes in two pieces (the second
// call seeing the first piece again, as a connection does) gives the same
// answer as feeding them whole.
//
//	go test ./examples/http/h1 -run '^$' -fuzz FuzzParseHead -fuzztime 60s
func FuzzParseHead(f *testing.F) {
	for _, s := range []string{
		"GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"GET / HTTP/1.0\nConnection: keep-alive\n\n",
		"\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\rY\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
	} {
		f.Add([]byte(s), uint16(len(s)/3))
	}
	lim := Limits{MaxHead: 512, MaxHeaders: 8, MaxBody: 1 << 10}
	f.Fuzz(func(t *testing.T, in []byte, split uint16) {
		p := Parser{Limits: lim}
		r, n, err := p.ParseHead(in)
		check(t, in, r, n, err)
		cut := int(split) % (len(in) + 1)
		q := Parser{Limits: lim}
		r2, n2, err2 := q.ParseHead(in[:cut])
		if n2 == 0 && err2 == nil {
			r2, n2, err2 = q.ParseHead(in)
		}
		switch {
		case err != nil:
			if err2 == nil {
				t.Fatalf("split at %d: no error, whole: %v", cut, err)
			}
		case n == 0:
			if err2 != nil || n2 != 0 {
				t.Fatalf("split at %d: n %d err %v, whole incomplete", cut, n2, err2)
			}
		default:
			if err2 != nil || n2 != n || !bytes.Equal(r.Method, r2.Method) || !bytes.Equal(r.Target, r2.Target) ||
				r.ContentLength != r2.ContentLength || r.Chunked != r2.Chunked || r.KeepAlive != r2.KeepAlive ||
				len(r.Headers) != len(r2.Headers) {
				t.Fatalf("split at %d: n %d err %v, whole n %d", cut, n2, err2, n)
			}
		}
	})
}

func check(t *testing.T, in []byte, r *Request, n int, err error) {
	if err != nil {
		e, ok := err.(*Error)
		if !ok || e.Status < 400 || e.Status > 505 {
			t.Fatalf("error %v is not an *Error with a status", err)
		}
		return
	}
	if n == 0 {
		return
	}
	if n > len(in) || r == nil || len(r.Method) == 0 || len(r.Target) == 0 || len(r.Headers) > 8 {
		t.Fatalf("n %d of %d, request %+v", n, len(in), r)
	}
	if r.Chunked && r.ContentLength >= 0 {
		t.Fatal("chunked with a length")
	}
	if r.ContentLength > 1<<10 {
		t.Fatal("length over the limit accepted")
	}
}

// FuzzChunked: decoding never panics; decoding in two pieces equals
// decoding whole; a body re-encoded with fuzzed chunk sizes decodes back
// to itself.
//
//	go test ./examples/http/h1 -run '^$' -fuzz FuzzChunked -fuzztime 60s
func FuzzChunked(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\n\r\n"), uint16(3), uint8(2))
	f.Add([]byte("a;x=y\r\n0123456789\r\n0\r\nT: v\r\n\r\n"), uint16(9), uint8(1))
	f.Add([]byte("5\nhello\n0\n\n"), uint16(1), uint8(7))
	f.Fuzz(func(t *testing.T, in []byte, split uint16, csize uint8) {
		d := ChunkedDecoder{MaxBody: 4096, MaxTrailer: 256}
		whole, n, done, err := d.Decode(nil, in, true)
		if n > len(in) || (done && err != nil) {
			t.Fatalf("n %d done %v err %v", n, done, err)
		}
		cut := int(split) % (len(in) + 1)
		d2 := ChunkedDecoder{MaxBody: 4096, MaxTrailer: 256}
		part, n1, done1, err1 := d2.Decode(nil, in[:cut], true)
		if err1 == nil && !done1 {
			var n2 int
			part, n2, done1, err1 = d2.Decode(part, in[cut:], true)
			n1 += n2
		}
		if (err1 != nil) != (err != nil) || done1 != done || (err == nil && (n1 != n || !bytes.Equal(part, whole))) {
			t.Fatalf("split at %d: n %d done %v err %v body %q; whole n %d done %v err %v body %q",
				cut, n1, done1, err1, part, n, done, err, whole)
		}
		if err == nil && done {
			enc := encodeChunked(whole, []int{int(csize), int(csize) * 3, 1})
			d3 := ChunkedDecoder{MaxBody: 4096}
			back, m, ok, err := d3.Decode(nil, enc, true)
			if err != nil || !ok || m != len(enc) || !bytes.Equal(back, whole) {
				t.Fatalf("round trip: %v %v %d/%d", err, ok, m, len(enc))
			}
		}
	})
}
