package httpd

import (
	"bytes"
	"strconv"
)

type route uint8

const (
	routeNotFound route = iota
	routePlaintext
	routeJSON
	routeRoot
	routeEcho
	routeGetOnly  // a GET/HEAD route asked with another method: 405
	routePostOnly // /echo asked with another method: 405
)

// routeOf maps method and target (the query string ignored) to a route.
func routeOf(method, target []byte) route {
	if i := bytes.IndexByte(target, '?'); i >= 0 {
		target = target[:i]
	}
	get := string(method) == "GET" || string(method) == "HEAD"
	switch string(target) {
	case "/plaintext", "/json", "/":
		if !get {
			return routeGetOnly
		}
		switch string(target) {
		case "/plaintext":
			return routePlaintext
		case "/json":
			return routeJSON
		}
		return routeRoot
	case "/echo":
		if string(method) != "POST" && string(method) != "PUT" {
			return routePostOnly
		}
		return routeEcho
	}
	return routeNotFound
}

// statusLine is the status line of each code the server answers with ("" for
// any other).
// A switch of constants, not a map: with 16 pipelined requests per read the
// map lookup and the number formatting were 2.5% of the server's CPU
// (perf, wrk -c 256 pipelined 16).
func statusLine(code int) string {
	switch code {
	case 100:
		return "HTTP/1.1 100 Continue\r\n"
	case 200:
		return "HTTP/1.1 200 OK\r\n"
	case 400:
		return "HTTP/1.1 400 Bad Request\r\n"
	case 404:
		return "HTTP/1.1 404 Not Found\r\n"
	case 405:
		return "HTTP/1.1 405 Method Not Allowed\r\n"
	case 408:
		return "HTTP/1.1 408 Request Timeout\r\n"
	case 413:
		return "HTTP/1.1 413 Content Too Large\r\n"
	case 431:
		return "HTTP/1.1 431 Request Header Fields Too Large\r\n"
	case 501:
		return "HTTP/1.1 501 Not Implemented\r\n"
	case 505:
		return "HTTP/1.1 505 HTTP Version Not Supported\r\n"
	}
	return ""
}

// appendStatus writes the status line and the Server and Date fields.
func (cn *conn) appendStatus(b []byte, code int) []byte {
	if line := statusLine(code); line != "" {
		b = append(b, line...)
	} else {
		b = append(b, "HTTP/1.1 "...)
		b = strconv.AppendInt(b, int64(code), 10)
		b = append(b, " \r\n"...)
	}
	b = append(b, "Server: "...)
	b = append(b, cn.srv.opts.Name...)
	b = append(b, "\r\nDate: "...)
	b = append(b, cn.date.b...)
	return append(b, "\r\n"...)
}

// message is TechEmpower's JSON test object, made and serialised for
// every request as the test's rules require.
type message struct{ Message string }

// appendJSON serialises m as {"message":"…"}.
func (m *message) appendJSON(b []byte) []byte {
	b = append(b, `{"message":`...)
	b = appendJSONString(b, m.Message)
	return append(b, '}')
}

// appendJSONString writes s as a JSON string, escaping what JSON requires
// (quote, backslash, control characters) and <, >, & as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20 || c == '<' || c == '>' || c == '&':
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// respond appends the response to the request just completed.
func (cn *conn) respond() {
	cn.srv.requests.Add(1)
	var ctype string
	var body []byte
	code := 200
	switch cn.rt {
	case routePlaintext:
		ctype, body = "text/plain", helloWorld
	case routeJSON:
		m := message{Message: "Hello, World!"}
		cn.scratch = m.appendJSON(cn.scratch[:0])
		ctype, body = "application/json", cn.scratch
	case routeRoot:
		ctype, body = "text/plain; charset=utf-8", rootText
	case routeEcho:
		ctype, body = "application/octet-stream", cn.body
	case routeGetOnly, routePostOnly:
		code, ctype, body = 405, "text/plain; charset=utf-8", notAllowedText
	default:
		code, ctype, body = 404, "text/plain; charset=utf-8", notFoundText
	}
	b := cn.appendStatus(cn.out, code)
	switch cn.rt {
	case routeGetOnly:
		b = append(b, "Allow: GET, HEAD\r\n"...)
	case routePostOnly:
		b = append(b, "Allow: POST, PUT\r\n"...)
	}
	b = append(b, "Content-Type: "...)
	b = append(b, ctype...)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	switch {
	case !cn.keepAlive:
		b = append(b, "\r\nConnection: close"...)
	case cn.minor == 0:
		b = append(b, "\r\nConnection: keep-alive"...)
	}
	b = append(b, "\r\n\r\n"...)
	if !cn.isHead {
		b = append(b, body...)
	}
	cn.out = b
}

var (
	helloWorld     = []byte("Hello, World!")
	rootText       = []byte("nodenet http: try /plaintext, /json, or POST a body to /echo\n")
	notAllowedText = []byte("method not allowed\n")
	notFoundText   = []byte("not found\n")
)
