package httpd

import (
	"time"

	"github.com/nodenet/nodenet/examples/http/h1"
)

// Node's http.Server defaults (Node v26: http.createServer() reports
// headersTimeout 60000, requestTimeout 300000, keepAliveTimeout 5000 and
// keepAliveTimeoutBuffer 1000).
const (
	DefaultHeadersTimeout         = 60 * time.Second
	DefaultRequestTimeout         = 300 * time.Second
	DefaultKeepAliveTimeout       = 5 * time.Second
	DefaultKeepAliveTimeoutBuffer = 1 * time.Second
)

// Off disables a timeout in Options (Node's 0: Options' zero value means
// "Node's default" instead).
const Off time.Duration = -1

// errRequestTimeout is Node's ERR_HTTP_REQUEST_TIMEOUT answer.
var errRequestTimeout = &h1.Error{Status: 408, Reason: "request timeout"}

// timeouts are the resolved limits; 0 is off.
type timeouts struct {
	headers, request, keepAlive time.Duration
	// tick is the connection timer's period: the shortest limit that is
	// on. A deadline is seen at most one tick late.
	tick time.Duration
}

// resolveTimeouts applies Node's defaults and rules: headersTimeout
// defaults to min(60 s, requestTimeout), and may not exceed requestTimeout
// when both are on (Node throws ERR_OUT_OF_RANGE).
func resolveTimeouts(o *Options) (timeouts, error) {
	var t timeouts
	pick := func(d, def time.Duration) time.Duration {
		switch {
		case d == 0:
			return def
		case d < 0:
			return 0
		}
		return d
	}
	t.request = pick(o.RequestTimeout, DefaultRequestTimeout)
	defHeaders := DefaultHeadersTimeout
	if t.request > 0 {
		defHeaders = min(defHeaders, t.request)
	}
	t.headers = pick(o.HeadersTimeout, defHeaders)
	if t.headers > 0 && t.request > 0 && t.headers > t.request {
		return t, &RangeError{Name: "HeadersTimeout", Value: t.headers, Limit: "<= RequestTimeout (" + t.request.String() + ")"}
	}
	if ka := pick(o.KeepAliveTimeout, DefaultKeepAliveTimeout); ka > 0 {
		t.keepAlive = ka + max(pick(o.KeepAliveTimeoutBuffer, DefaultKeepAliveTimeoutBuffer), 0)
	}
	for _, d := range []time.Duration{t.headers, t.request, t.keepAlive} {
		if d > 0 && (t.tick == 0 || d < t.tick) {
			t.tick = d
		}
	}
	return t, nil
}

// RangeError is an option out of range (Node's ERR_OUT_OF_RANGE).
type RangeError struct {
	Name  string
	Value time.Duration
	Limit string
}

func (e *RangeError) Error() string {
	return "ERR_OUT_OF_RANGE: the value of " + e.Name + " is out of range. It must be " + e.Limit + ". Received " + e.Value.String()
}

// Code is Node's error code.
func (e *RangeError) Code() string { return "ERR_OUT_OF_RANGE" }

// startTimer arms the connection's one timer. It runs every tick while a
// limit could expire and checks the connection's phase against the
// clock: no allocation and no heap work per request or per read (a read
// that leaves the connection idle refreshes the timer, which is O(1)).
func (cn *conn) startTimer() {
	t := cn.srv.limits
	if t.tick == 0 {
		return
	}
	cn.timer = cn.loop.SetTimeout(t.tick, cn.onTimer)
	cn.timer.Unref() // as Node's socket timers: a deadline never keeps a loop alive
	cn.c.OnClose(cn.onClose)
}

func (cn *conn) onClose(bool) { cn.timer.Stop() }

// idle notes that every request received has been answered: the
// keep-alive countdown (re)starts now.
func (cn *conn) idle() {
	if cn.timer != nil && !cn.reqActive && !cn.blocked && !cn.closing {
		cn.idleSince = cn.loop.Now()
		cn.timer.Refresh()
	}
}

// onTimer is Node's three limits, by phase:
//   - a request has begun (or the connection is new and silent): 408 once
//     headersTimeout passed without a complete head, or requestTimeout
//     without the whole request, counted from its first byte (Node counts
//     from the message start, and from the accept for a silent one);
//   - idle after a response: closed once keepAliveTimeout plus
//     keepAliveTimeoutBuffer passed (no response, as Node);
//   - a response is still being flushed to a client that does not read:
//     no limit, as Node (its server.timeout is 0 by default), the memory
//     being bounded by backpressure;
//   - we have ended our side (Connection: close, an error, or the client's
//     FIN): the client gets one tick without write progress to close its
//     side, then the socket is destroyed (Node destroys as soon as its FIN
//     is flushed).
func (cn *conn) onTimer() {
	if cn.c.Destroyed() {
		return
	}
	now := cn.loop.Now()
	t := cn.srv.limits
	switch {
	case cn.closing:
		if flushed := cn.c.BytesWritten() - int64(cn.c.BufferSize()); flushed != cn.flushedSeen {
			cn.flushedSeen, cn.closingSince = flushed, now
		} else if now-cn.closingSince >= t.tick {
			cn.c.Destroy(nil)
			return
		}
	case cn.blocked:
	case cn.reqActive:
		age := now - cn.reqStart
		if (!cn.inBody && t.headers > 0 && age >= t.headers) || (t.request > 0 && age >= t.request) {
			cn.srv.timeouts.Add(1)
			cn.reject(errRequestTimeout) // now closing: the linger rule above follows
		}
	default:
		if t.keepAlive > 0 && now-cn.idleSince >= t.keepAlive {
			cn.srv.idleCloses.Add(1)
			cn.c.Destroy(nil)
			return
		}
	}
	if !cn.c.Destroyed() {
		cn.timer.Refresh()
	}
}

// blankOnly: b holds nothing but the empty lines a parser skips before a
// request line. They do not begin a request (llhttp ignores them too), so
// a client that ends a body with an extra CRLF and then idles is closed by
// the keep-alive limit, not answered 408. O(1) for a real request.
func blankOnly(b []byte) bool {
	for _, c := range b {
		if c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}
