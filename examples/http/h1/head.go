// Package h1 parses HTTP/1.x requests incrementally, without allocating in
// steady state: the request line and header fields (ParseHead) and chunked
// bodies (ChunkedDecoder). Bad input is an *Error carrying the status a
// server should answer with — 400, 413, 431, 501 or 505 — never a panic.
//
// The parser is strict where leniency lets two parsers disagree about where
// a request ends (request smuggling): a bare CR, whitespace before a
// header's colon, obsolete line folding, both Content-Length and
// Transfer-Encoding, Content-Length values that differ, and any transfer
// coding other than chunked are rejected. A bare LF ends a line, as RFC 9112
// allows.
package h1

import (
	"bytes"
)

// Limits bounds one request. Zero fields take DefaultLimits' values.
type Limits struct {
	MaxHead    int   // bytes of request line plus header fields (431 past it)
	MaxHeaders int   // header fields (431 past it)
	MaxBody    int64 // body bytes, Content-Length or chunked (413 past it)
}

// DefaultLimits: Node's 16 KiB header limit, 100 fields, 1 MiB bodies.
var DefaultLimits = Limits{MaxHead: 16 << 10, MaxHeaders: 100, MaxBody: 1 << 20}

// Error is a request the server must refuse: Status is the response code.
type Error struct {
	Status int
	Reason string
}

func (e *Error) Error() string { return e.Reason }

func fail(status int, reason string) *Error { return &Error{Status: status, Reason: reason} }

// The errors ParseHead and ChunkedDecoder return (compare with ==).
var (
	ErrHeadTooLarge     = fail(431, "request header fields too large")
	ErrTooManyHeaders   = fail(431, "too many header fields")
	ErrBadRequestLine   = fail(400, "malformed request line")
	ErrBadMethod        = fail(400, "invalid method")
	ErrBadTarget        = fail(400, "invalid request target")
	ErrBadVersion       = fail(400, "malformed HTTP version")
	ErrVersion          = fail(505, "HTTP version not supported")
	ErrBadHeader        = fail(400, "malformed header field")
	ErrBareCR           = fail(400, "CR not followed by LF")
	ErrObsFold          = fail(400, "obsolete line folding")
	ErrBadLength        = fail(400, "invalid Content-Length")
	ErrLengthAndChunked = fail(400, "both Content-Length and Transfer-Encoding")
	ErrCoding           = fail(501, "unsupported transfer coding")
	ErrNoHost           = fail(400, "HTTP/1.1 request without Host")
	ErrBodyTooLarge     = fail(413, "request body too large")
	ErrBadChunk         = fail(400, "malformed chunked body")
	ErrTrailerTooLarge  = fail(431, "chunked trailer too large")
)

// Header is one field; Name and Value point into the parsed bytes.
type Header struct{ Name, Value []byte }

// Request is a parsed request head. Its slices point into the buffer given
// to ParseHead and are valid until that buffer changes or the next
// ParseHead.
type Request struct {
	Method, Target []byte
	Minor          int // HTTP/1.Minor: 0 or 1
	Headers        []Header
	// ContentLength is the body length, -1 when there is none (and no
	// chunked body): a request without either has an empty body.
	ContentLength int64
	Chunked       bool
	// KeepAlive: the connection persists after this request (HTTP/1.1
	// unless "Connection: close"; HTTP/1.0 only with "Connection:
	// keep-alive").
	KeepAlive bool
	// Expect100 is "Expect: 100-continue".
	Expect100 bool
}

// Parser parses request heads one after another. The zero value uses
// DefaultLimits.
type Parser struct {
	Limits Limits
	req    Request
	// scanned is how far the search for the end of the head has looked,
	// so a head arriving a byte at a time is scanned once, not once per
	// byte.
	scanned int
}

func (p *Parser) limits() Limits {
	l := p.Limits
	if l.MaxHead <= 0 {
		l.MaxHead = DefaultLimits.MaxHead
	}
	if l.MaxHeaders <= 0 {
		l.MaxHeaders = DefaultLimits.MaxHeaders
	}
	if l.MaxBody <= 0 {
		l.MaxBody = DefaultLimits.MaxBody
	}
	return l
}

// Reset forgets a partly scanned head (the buffer was replaced).
func (p *Parser) Reset() { p.scanned = 0 }

// ParseHead parses the request head at the start of buf. It returns the
// request and n, the bytes of the head (the body, if any, follows); n == 0
// and a nil error mean the head is incomplete: call again with buf plus
// more bytes (the same prefix). Leading empty lines are skipped, as RFC
// 9112 asks. An error is an *Error; the connection cannot continue.
func (p *Parser) ParseHead(buf []byte) (*Request, int, error) {
	lim := p.limits()
	// A head not begun in an earlier call is parsed as it is searched for
	// its end, in one pass; one that arrived in pieces is first searched
	// from where the last call stopped, so that each piece is looked at
	// once until the end is there.
	fresh := p.scanned == 0
	// Skip empty lines before the request line.
	start := 0
	for start < len(buf) && (buf[start] == '\n' || (buf[start] == '\r' && start+1 < len(buf) && buf[start+1] == '\n')) {
		if buf[start] == '\r' {
			start++
		}
		start++
	}
	if start > 0 && p.scanned < start {
		p.scanned = start
	}
	if !fresh {
		end, err := p.headEnd(buf, start, lim)
		if end < 0 {
			return nil, 0, err
		}
		buf = buf[:end]
	}
	return p.scan(buf, start, lim)
}

// headEnd returns the index just past the blank line that ends the head
// at buf[start:], searching from where the last search stopped. It returns
// -1 for a head that cannot be parsed, with ParseHead's error for it: for
// one whose end is not in buf yet, incomplete's (nil until buf is past
// lim.MaxHead); for a complete one over lim.MaxHead, ErrHeadTooLarge.
func (p *Parser) headEnd(buf []byte, start int, lim Limits) (int, error) {
	end := p.findEnd(buf, start)
	if end < 0 {
		return -1, p.incomplete(buf, lim)
	}
	p.scanned = 0
	if end-start > lim.MaxHead {
		return -1, ErrHeadTooLarge
	}
	return end, nil
}

// incomplete is ParseHead's error for a head whose end is not in buf: nil
// (call again) unless buf is already past the limit.
func (p *Parser) incomplete(buf []byte, lim Limits) error {
	// Blank lines before the request line count too, so that a peer
	// sending only CRLFs cannot make the buffer grow without bound.
	if len(buf) > lim.MaxHead {
		p.scanned = 0
		return ErrHeadTooLarge
	}
	return nil
}

// headState is what scan learns from the fields it has passed.
type headState struct{ host, closeTok, keepTok, te bool }

// scan parses the head at buf[start:] line by line, finding its end as it
// goes: each byte is looked at by the search for the line's LF and by the
// check of the line's syntax, which rejects a CR as well. The answer is
// ParseHead's: a head past lim.MaxHead is 431 whatever else is wrong with
// it, and one whose end is not in buf yet is incomplete, even if a line
// already seen is bad.
func (p *Parser) scan(buf []byte, start int, lim Limits) (*Request, int, error) {
	r := &p.req
	r.Headers = r.Headers[:0]
	r.ContentLength, r.Chunked, r.Expect100 = -1, false, false
	limit := start + lim.MaxHead
	var st headState
	for ls := start; ; {
		i := bytes.IndexByte(buf[ls:], '\n')
		if i < 0 {
			// Leave the search where findEnd would have, so the next
			// call does not parse these lines again.
			p.scanned = max(ls-1, start)
			p.findEnd(buf, start)
			return nil, 0, p.incomplete(buf, lim)
		}
		nl := ls + i
		if nl >= limit {
			// The end is past nl: too large, complete or not.
			p.scanned = 0
			return nil, 0, ErrHeadTooLarge
		}
		ln := buf[ls:nl]
		if len(ln) > 0 && ln[len(ln)-1] == '\r' {
			ln = ln[:len(ln)-1]
		}
		var err error
		switch {
		case ls == start:
			err = r.parseRequestLine(ln)
		case len(ln) == 0:
			p.scanned = 0
			if err := r.finish(&st, lim); err != nil {
				return nil, 0, err
			}
			return r, nl + 1, nil
		default:
			err = r.field(ln, lim, &st)
		}
		if err != nil {
			// A CR inside the line is the error, whatever else the
			// line's check tripped on first.
			if bytes.IndexByte(ln, '\r') >= 0 {
				err = ErrBareCR
			}
			return p.failed(buf, start, nl, err, lim)
		}
		ls = nl + 1
	}
}

// failed answers for a head with a bad line ending at nl: the error once
// the head's end is in buf and within the limit.
func (p *Parser) failed(buf []byte, start, nl int, err error, lim Limits) (*Request, int, error) {
	p.scanned = nl
	if end, endErr := p.headEnd(buf, start, lim); end < 0 {
		return nil, 0, endErr
	}
	return nil, 0, err
}

// findEnd returns the index just past the blank line that ends the head,
// or -1, remembering how far it looked.
func (p *Parser) findEnd(buf []byte, start int) int {
	from := max(p.scanned, start)
	for {
		i := bytes.IndexByte(buf[from:], '\n')
		if i < 0 {
			p.scanned = max(len(buf), start)
			return -1
		}
		i += from
		// A line ending at i; the head ends if the next line is empty.
		j := i + 1
		if j < len(buf) && buf[j] == '\n' {
			return j + 1
		}
		if j+1 < len(buf) && buf[j] == '\r' && buf[j+1] == '\n' {
			return j + 2
		}
		if j >= len(buf) || (j+1 >= len(buf) && buf[j] == '\r') {
			// Cannot tell yet: look again from this line end.
			p.scanned = i
			return -1
		}
		from = j
	}
}

// field checks one header field line (its CRLF cut off) and notes what it
// says about the body and the connection.
func (r *Request) field(ln []byte, lim Limits, st *headState) error {
	if ln[0] == ' ' || ln[0] == '\t' {
		return ErrObsFold
	}
	// The name is tchars up to the colon: whitespace before the colon
	// or no colon at all stops the run elsewhere.
	colon := 0
	for colon < len(ln) && tchar[ln[colon]] {
		colon++
	}
	if colon == 0 || colon == len(ln) || ln[colon] != ':' {
		return ErrBadHeader
	}
	name, value := ln[:colon], trimOWS(ln[colon+1:])
	for _, c := range value {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return ErrBadHeader
		}
	}
	if len(r.Headers) >= lim.MaxHeaders {
		return ErrTooManyHeaders
	}
	r.Headers = append(r.Headers, Header{Name: name, Value: value})
	// The fields the parser acts on have distinct lengths: one compare
	// tells most names apart from all of them.
	switch len(name) {
	case len("host"):
		if equalFold(name, "host") {
			if st.host {
				return ErrBadHeader // two Host fields: RFC 9112 says 400
			}
			st.host = true
		}
	case len("content-length"):
		if equalFold(name, "content-length") {
			n, ok := parseLength(value)
			if !ok || (r.ContentLength >= 0 && n != r.ContentLength) {
				return ErrBadLength
			}
			r.ContentLength = n
		}
	case len("transfer-encoding"):
		if equalFold(name, "transfer-encoding") {
			if st.te || !equalFold(value, "chunked") {
				return ErrCoding
			}
			st.te = true
		}
	case len("connection"):
		if equalFold(name, "connection") {
			forTokens(value, func(tok []byte) {
				switch {
				case equalFold(tok, "close"):
					st.closeTok = true
				case equalFold(tok, "keep-alive"):
					st.keepTok = true
				}
			})
		}
	case len("expect"):
		if equalFold(name, "expect") && equalFold(value, "100-continue") {
			r.Expect100 = true
		}
	}
	return nil
}

// finish applies the checks that need the whole head.
func (r *Request) finish(st *headState, lim Limits) error {
	if st.te {
		if r.ContentLength >= 0 {
			return ErrLengthAndChunked
		}
		if r.Minor == 0 {
			return ErrCoding // HTTP/1.0 has no chunked coding
		}
		r.Chunked = true
	}
	if r.Minor == 1 && !st.host {
		return ErrNoHost
	}
	if r.ContentLength > lim.MaxBody {
		return ErrBodyTooLarge
	}
	if r.Minor == 1 {
		r.KeepAlive = !st.closeTok
	} else {
		r.KeepAlive = st.keepTok && !st.closeTok
	}
	return nil
}

func (r *Request) parseRequestLine(ln []byte) error {
	sp := bytes.IndexByte(ln, ' ')
	if sp <= 0 {
		return ErrBadRequestLine
	}
	r.Method = ln[:sp]
	if !isToken(r.Method) {
		return ErrBadMethod
	}
	ln = ln[sp+1:]
	sp = bytes.IndexByte(ln, ' ')
	if sp <= 0 {
		return ErrBadRequestLine
	}
	r.Target = ln[:sp]
	for _, c := range r.Target {
		if c <= 0x20 || c == 0x7f {
			return ErrBadTarget
		}
	}
	if r.Target[0] != '/' && !(len(r.Target) == 1 && r.Target[0] == '*') && !bytes.Contains(r.Target, []byte("://")) {
		return ErrBadTarget
	}
	v := ln[sp+1:]
	if len(v) != 8 || string(v[:5]) != "HTTP/" || v[6] != '.' || !isDigit(v[5]) || !isDigit(v[7]) {
		return ErrBadVersion
	}
	if v[5] != '1' {
		return ErrVersion
	}
	r.Minor = int(v[7] - '0')
	if r.Minor > 1 {
		r.Minor = 1 // HTTP/1.2+ is answered as 1.1 (RFC 9110 §2.5)
	}
	return nil
}

// Header returns the first value of the named field (case-insensitive).
func (r *Request) Header(name string) ([]byte, bool) {
	for _, h := range r.Headers {
		if equalFold(h.Name, name) {
			return h.Value, true
		}
	}
	return nil, false
}

func parseLength(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func forTokens(v []byte, fn func([]byte)) {
	for len(v) > 0 {
		i := bytes.IndexByte(v, ',')
		var tok []byte
		if i < 0 {
			tok, v = v, nil
		} else {
			tok, v = v[:i], v[i+1:]
		}
		if tok = trimOWS(tok); len(tok) > 0 {
			fn(tok)
		}
	}
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// equalFold compares ASCII case-insensitively without allocating.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		d := s[i]
		if d >= 'A' && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isToken: RFC 9110 tchar.
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tchar[c] {
			return false
		}
	}
	return true
}

var tchar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return
}()
