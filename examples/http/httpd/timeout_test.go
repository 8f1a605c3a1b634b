//go:build linux

package httpd_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nodenet/nodenet/examples/http/httpd"
	"github.com/nodenet/nodenet/socket"
)

// expect408 reads the server's 408 and then its close. It blocks on the
// server's answer: the test's only clock is the server's own limit.
func (cl *client) expect408() {
	cl.t.Helper()
	resp, body := cl.response("GET")
	if resp.StatusCode != 408 || connHeader(resp) != "close" || body != "request timeout\n" {
		cl.t.Fatalf("got %d %q conn %q; want 408 and close", resp.StatusCode, body, connHeader(resp))
	}
	cl.expectEOF()
}

// short are limits a test can wait for; the keep-alive one stays long
// unless a test sets it, so only the limit under test can fire.
func short(o httpd.Options) httpd.Options {
	if o.HeadersTimeout == 0 {
		o.HeadersTimeout = 150 * time.Millisecond
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = 10 * time.Second
	}
	if o.KeepAliveTimeout == 0 {
		o.KeepAliveTimeout = 20 * time.Second
	}
	return o
}

// TestHeadersTimeoutSlowloris: half a head, then nothing; and a head
// trickled a byte at a time (activity must not extend the limit, which
// counts from the request's first byte). Both get Node's 408 and a close,
// not before HeadersTimeout.
func TestHeadersTimeoutSlowloris(t *testing.T) {
	o := short(httpd.Options{})
	ts := startServer(t, o)
	t.Run("half head", func(t *testing.T) {
		cl := dial(t, ts.addr)
		t0 := time.Now()
		cl.send("GET /plaintext HTTP/1.1\r\nHost: t\r\n")
		cl.expect408()
		if d := time.Since(t0); d < o.HeadersTimeout {
			t.Fatalf("408 after %v, before the %v limit", d, o.HeadersTimeout)
		}
	})
	t.Run("trickle", func(t *testing.T) {
		cl := dial(t, ts.addr)
		t0 := time.Now()
		stop := make(chan struct{})
		sent := make(chan struct{})
		go func() {
			defer close(sent)
			head := "GET /plaintext HTTP/1.1\r\nHost: t\r\nX-Slow: " + strings.Repeat("a", 4000)
			tick := time.NewTicker(5 * time.Millisecond) // pacing only: the assertion waits on the server
			defer tick.Stop()
			for i := 0; i < len(head); i++ {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				if _, err := cl.c.Write([]byte{head[i]}); err != nil {
					return
				}
			}
		}()
		cl.expect408()
		close(stop)
		<-sent
		if d := time.Since(t0); d < o.HeadersTimeout {
			t.Fatalf("408 after %v, before the %v limit", d, o.HeadersTimeout)
		}
	})
	t.Run("silent", func(t *testing.T) {
		// Node's rule: a connection that sends nothing is a request due
		// since the accept.
		cl := dial(t, ts.addr)
		cl.expect408()
	})
	if n := ts.hs.Timeouts(); n != 3 {
		t.Fatalf("Timeouts() = %d; want 3", n)
	}
}

// TestRequestTimeoutSlowBody: a complete head whose body never completes
// passes HeadersTimeout and gets the 408 at RequestTimeout.
func TestRequestTimeoutSlowBody(t *testing.T) {
	o := short(httpd.Options{HeadersTimeout: 100 * time.Millisecond, RequestTimeout: 400 * time.Millisecond})
	ts := startServer(t, o)
	for _, tc := range []struct{ name, req string }{
		{"content-length", "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"},
		{"chunked", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := dial(t, ts.addr)
			t0 := time.Now()
			cl.send(tc.req)
			cl.expect408()
			if d := time.Since(t0); d < o.RequestTimeout {
				t.Fatalf("408 after %v, before RequestTimeout %v (HeadersTimeout %v applies to heads only)", d, o.RequestTimeout, o.HeadersTimeout)
			}
		})
	}
}

// TestKeepAliveTimeout: after its response an idle connection is closed,
// with no response, KeepAliveTimeout + KeepAliveTimeoutBuffer later; half
// a next head on it is a request begun (408 at HeadersTimeout, as Node).
func TestKeepAliveTimeout(t *testing.T) {
	o := httpd.Options{HeadersTimeout: 300 * time.Millisecond, KeepAliveTimeout: 100 * time.Millisecond, KeepAliveTimeoutBuffer: 50 * time.Millisecond}
	ts := startServer(t, o)
	t.Run("idle", func(t *testing.T) {
		cl := dial(t, ts.addr)
		// t0 before the request: the server's clock for "idle since" is
		// read after the request arrived, never before t0.
		t0 := time.Now()
		cl.send(get("/plaintext"))
		if _, b := cl.response("GET"); b != "Hello, World!" {
			t.Fatal(b)
		}
		cl.expectEOF()
		if d := time.Since(t0); d < o.KeepAliveTimeout+o.KeepAliveTimeoutBuffer {
			t.Fatalf("closed %v after the request, before %v + %v", d, o.KeepAliveTimeout, o.KeepAliveTimeoutBuffer)
		}
		if n := ts.hs.IdleCloses(); n != 1 {
			t.Fatalf("IdleCloses() = %d; want 1", n)
		}
	})
	t.Run("half next head", func(t *testing.T) {
		cl := dial(t, ts.addr)
		cl.send(get("/plaintext") + "GET /pl")
		if _, b := cl.response("GET"); b != "Hello, World!" {
			t.Fatal(b)
		}
		cl.expect408()
	})
	t.Run("blank lines are not a request", func(t *testing.T) {
		// An extra CRLF after a body (old clients send one) leaves the
		// connection idle: closed by the keep-alive limit without a 408.
		cl := dial(t, ts.addr)
		cl.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi\r\n")
		if _, b := cl.response("POST"); b != "hi" {
			t.Fatal(b)
		}
		cl.expectEOF()
	})
	t.Run("busy is not idle", func(t *testing.T) {
		// Requests back to back for over two keep-alive periods: each
		// answer restarts the countdown. The period is long enough that a
		// client stalled by a loaded machine does not look idle.
		o := httpd.Options{KeepAliveTimeout: 700 * time.Millisecond, KeepAliveTimeoutBuffer: 300 * time.Millisecond}
		ts := startServer(t, o)
		cl := dial(t, ts.addr)
		limit := o.KeepAliveTimeout + o.KeepAliveTimeoutBuffer
		t0 := time.Now()
		for i := 0; i < 1000000 && time.Since(t0) < limit*5/2; i++ {
			cl.send(get("/json"))
			if _, b := cl.response("GET"); b != `{"message":"Hello, World!"}` {
				t.Fatalf("request %d: %q", i, b)
			}
		}
	})
}

// TestClosingLinger: after a Connection: close response the server ends
// its side; a client that never closes its own is destroyed one timer
// period later instead of holding the socket for ever.
func TestClosingLinger(t *testing.T) {
	ts := startServer(t, httpd.Options{HeadersTimeout: 100 * time.Millisecond, KeepAliveTimeout: 20 * time.Second})
	cl := dial(t, ts.addr)
	var srvSock *socket.Socket
	select {
	case srvSock = <-ts.conns:
	case <-time.After(hangGuard):
		t.Fatal("no connection seen")
	}
	closed := make(chan struct{})
	ts.onLoop(t, func() { srvSock.OnClose(func(bool) { close(closed) }) })
	cl.send("GET /plaintext HTTP/1.0\r\n\r\n")
	if _, b := cl.response("GET"); b != "Hello, World!" {
		t.Fatal(b)
	}
	cl.expectEOF() // our FIN; the client keeps its side open
	select {
	case <-closed:
	case <-time.After(hangGuard):
		t.Fatal("the half-closed connection was never destroyed")
	}
}

// TestTimeoutOptions: Node's rules for the options (headersTimeout
// defaults to min(60 s, requestTimeout) and may not exceed it), and Off.
func TestTimeoutOptions(t *testing.T) {
	_, err := httpd.New(httpd.Options{HeadersTimeout: 2 * time.Second, RequestTimeout: time.Second})
	var re *httpd.RangeError
	if !errors.As(err, &re) || re.Code() != "ERR_OUT_OF_RANGE" || re.Name != "HeadersTimeout" {
		t.Fatalf("HeadersTimeout > RequestTimeout: %v; want ERR_OUT_OF_RANGE", err)
	}
	if _, err := httpd.New(httpd.Options{HeadersTimeout: 2 * time.Second, RequestTimeout: httpd.Off}); err != nil {
		t.Fatalf("RequestTimeout off: %v", err)
	}
	// The default headers limit follows a shorter request limit: a silent
	// connection is answered at RequestTimeout, not 60 s.
	ts := startServer(t, httpd.Options{RequestTimeout: 150 * time.Millisecond})
	dial(t, ts.addr).expect408()

	// Every limit off: a connection idle for as long as a short limit
	// would allow is still served.
	ts = startServer(t, httpd.Options{HeadersTimeout: httpd.Off, RequestTimeout: httpd.Off, KeepAliveTimeout: httpd.Off})
	cl := dial(t, ts.addr)
	cl.send("GET /plaintext HTTP/1.1\r\n")
	probe := startServer(t, httpd.Options{RequestTimeout: 150 * time.Millisecond})
	dial(t, probe.addr).expect408() // a limit that short has passed by now
	cl.send("Host: t\r\n\r\n")
	if _, b := cl.response("GET"); b != "Hello, World!" {
		t.Fatal(b)
	}
	if n := ts.hs.Timeouts(); n != 0 {
		t.Fatalf("Timeouts() = %d with every limit off", n)
	}
}
