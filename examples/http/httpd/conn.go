// Package httpd is an HTTP/1.1 server on nodenet: a connection listener for
// server.New that parses requests incrementally (package h1), keeps
// connections alive, answers pipelined requests in order with every
// response of one read gathered into one write, reads Content-Length and
// chunked bodies, honours "Connection: close" and HTTP/1.0, and refuses bad
// input with 400, 413, 431, 501 or 505 — never a panic — and slow input
// with 408, on Node's time limits (Options.HeadersTimeout and the rest).
// Routes: TechEmpower's /plaintext and /json, / and POST /echo (the body
// back). See examples/http.
package httpd

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nodenet/nodenet/examples/http/h1"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
)

// Options configures a Server.
type Options struct {
	// Limits bounds one request (h1.DefaultLimits when zero).
	Limits h1.Limits
	// FlushAt is how many response bytes are gathered before they are
	// sent in the middle of a read (default 64 KiB).
	FlushAt int
	// Name is the Server header (default "nodenet").
	Name string

	// The time limits of Node's http.Server, with its defaults when zero;
	// Off (any negative value) disables one, as 0 does in Node. A request
	// whose head is not complete HeadersTimeout after its first byte (or
	// after the accept, for a connection that sends nothing), or that is
	// not complete RequestTimeout after it, is answered 408 and the
	// connection closed; an idle keep-alive connection is closed
	// KeepAliveTimeout + KeepAliveTimeoutBuffer after its last response.
	// HeadersTimeout defaults to min(60 s, RequestTimeout) and may not
	// exceed it (New's error). Checked by one loop timer per connection
	// whose period is the shortest limit on: a limit is enforced at most
	// that period late (Node checks every 30 s).
	HeadersTimeout         time.Duration // Node's server.headersTimeout: 60 s
	RequestTimeout         time.Duration // server.requestTimeout: 300 s
	KeepAliveTimeout       time.Duration // server.keepAliveTimeout: 5 s
	KeepAliveTimeoutBuffer time.Duration // server.keepAliveTimeoutBuffer: 1 s
}

// Server is the HTTP server: options, per-loop Date caches and counters.
type Server struct {
	opts   Options
	limits timeouts
	dates  sync.Map // *reactor.Loop -> *dateCache
	// Requests answered and response writes (one per read unless
	// backpressure or FlushAt split it); requests answered 408 and idle
	// keep-alive connections closed.
	requests, writes, timeouts, idleCloses atomic.Int64
}

// New returns a server, or a *RangeError when HeadersTimeout exceeds
// RequestTimeout.
func New(o Options) (*Server, error) {
	if o.Limits.MaxHead <= 0 {
		o.Limits.MaxHead = h1.DefaultLimits.MaxHead
	}
	if o.Limits.MaxHeaders <= 0 {
		o.Limits.MaxHeaders = h1.DefaultLimits.MaxHeaders
	}
	if o.Limits.MaxBody <= 0 {
		o.Limits.MaxBody = h1.DefaultLimits.MaxBody
	}
	if o.FlushAt <= 0 {
		o.FlushAt = 64 << 10
	}
	if o.Name == "" {
		o.Name = "nodenet"
	}
	limits, err := resolveTimeouts(&o)
	if err != nil {
		return nil, err
	}
	return &Server{opts: o, limits: limits}, nil
}

// Requests is the number of requests answered so far.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Writes is the number of response writes so far.
func (s *Server) Writes() int64 { return s.writes.Load() }

// Timeouts is the number of requests answered 408 (headers or request
// timeout) so far.
func (s *Server) Timeouts() int64 { return s.timeouts.Load() }

// IdleCloses is the number of keep-alive connections closed for being idle
// past KeepAliveTimeout + KeepAliveTimeoutBuffer so far.
func (s *Server) IdleCloses() int64 { return s.idleCloses.Load() }

type conn struct {
	srv   *Server
	c     *socket.Socket
	loop  *reactor.Loop
	date  *dateCache
	p     h1.Parser
	chunk h1.ChunkedDecoder
	// in holds input not yet handled: a head still arriving, or input read
	// while the connection waited for 'drain'.
	in  []byte
	out []byte
	// The request whose body is being read (inBody), captured from its
	// head: the head's bytes may be gone by the time the body ends.
	inBody    bool
	rt        route
	isHead    bool
	keepAlive bool
	minor     int
	chunked   bool
	remaining int64
	body      []byte // kept for /echo only
	scratch   []byte

	blocked, eof, closing bool

	// The time limits (timeout.go): one timer, and the phase it checks.
	// reqActive: a request is due, since reqStart on the loop's clock:
	// begun (its first byte has arrived), or the connection is new.
	timer        *reactor.Timer
	reqActive    bool
	begun        bool
	reqStart     time.Duration
	idleSince    time.Duration
	closingSince time.Duration
	flushedSeen  int64
}

// Serve is the connection listener: server.New(opts, srv.Serve). Use
// server.Options.AllowHalfOpen: a client's FIN after pipelined requests
// still gets every response (Serve ends the connection itself).
func (s *Server) Serve(c *socket.Socket) {
	l := c.Loop()
	// Silent from the start counts as a request begun (Node: the parser is
	// in the expiry list from its creation).
	cn := &conn{srv: s, c: c, loop: l, date: s.dateFor(l), reqActive: true, reqStart: l.Now()}
	cn.p.Limits = s.opts.Limits
	cn.chunk.MaxBody = s.opts.Limits.MaxBody
	cn.chunk.MaxTrailer = s.opts.Limits.MaxHead
	c.OnData(cn.onData)
	c.OnDrain(cn.onDrain)
	c.OnEnd(cn.onEnd)
	c.OnError(func(error) {}) // a reset just closes the connection
	cn.startTimer()
}

func (s *Server) dateFor(l *reactor.Loop) *dateCache {
	if v, ok := s.dates.Load(l); ok {
		return v.(*dateCache)
	}
	d := newDateCache(l)
	s.dates.Store(l, d)
	return d
}

func (cn *conn) onData(b []byte) {
	if cn.closing {
		return
	}
	if len(cn.in) == 0 && !cn.blocked {
		if rest := cn.process(b); len(rest) > 0 && !cn.closing {
			cn.in = append(cn.in[:0], rest...)
		}
		cn.idle()
		return
	}
	cn.in = append(cn.in, b...)
	if !cn.blocked {
		cn.processHeld()
		cn.idle()
	}
}

func (cn *conn) processHeld() {
	rest := cn.process(cn.in)
	if cn.closing {
		cn.in = nil
		return
	}
	n := copy(cn.in, rest)
	cn.in = cn.in[:n]
	if n == 0 && cap(cn.in) > 64<<10 {
		cn.in = nil
	}
	cn.maybeEnd()
}

// process handles every complete request at the start of buf and returns
// what it did not consume: an incomplete head, or everything after the
// point where backpressure stopped it. Body bytes are always consumed.
func (cn *conn) process(buf []byte) []byte {
	for !cn.closing {
		if len(cn.out) >= cn.srv.opts.FlushAt && !cn.flush() {
			return buf
		}
		if !cn.inBody {
			if len(buf) == 0 {
				break
			}
			if !cn.begun && !blankOnly(buf) {
				cn.begun, cn.reqActive, cn.reqStart = true, true, cn.loop.Now()
			}
			req, n, err := cn.p.ParseHead(buf)
			if err != nil {
				cn.reject(err.(*h1.Error))
				return nil
			}
			if n == 0 {
				break
			}
			cn.begin(req)
			buf = buf[n:]
		}
		if cn.chunked {
			body, m, done, err := cn.chunk.Decode(cn.body, buf, cn.rt == routeEcho)
			cn.body = body
			buf = buf[m:]
			if err != nil {
				cn.reject(err.(*h1.Error))
				return nil
			}
			if !done {
				break
			}
		} else if cn.remaining > 0 {
			m := int(min(cn.remaining, int64(len(buf))))
			if cn.rt == routeEcho {
				cn.body = append(cn.body, buf[:m]...)
			}
			cn.remaining -= int64(m)
			buf = buf[m:]
			if cn.remaining > 0 {
				break
			}
		}
		cn.inBody = false
		cn.begun, cn.reqActive = false, false
		cn.respond()
		if !cn.keepAlive {
			cn.flush()
			cn.end()
			return nil
		}
	}
	cn.flush()
	return buf
}

// begin captures what the response needs from a parsed head.
func (cn *conn) begin(r *h1.Request) {
	cn.inBody = true
	cn.rt = routeOf(r.Method, r.Target)
	cn.isHead = string(r.Method) == "HEAD"
	cn.keepAlive = r.KeepAlive
	cn.minor = r.Minor
	cn.chunked = r.Chunked
	cn.remaining = max(r.ContentLength, 0)
	cn.body = cn.body[:0]
	if cap(cn.body) > 64<<10 {
		cn.body = nil
	}
	if r.Chunked {
		cn.chunk.Reset()
	}
	if r.Expect100 && (r.Chunked || r.ContentLength > 0) {
		cn.out = append(cn.out, "HTTP/1.1 100 Continue\r\n\r\n"...)
	}
}

// flush sends the gathered responses in one write; when Send says the
// queue is full, reading pauses until 'drain'.
func (cn *conn) flush() bool {
	if len(cn.out) == 0 {
		return !cn.blocked
	}
	cn.srv.writes.Add(1)
	ok := cn.c.Send(cn.out, nil)
	cn.out = cn.out[:0]
	if cap(cn.out) > 1<<20 {
		cn.out = nil
	}
	if !ok && !cn.blocked {
		cn.blocked = true
		cn.c.Pause()
	}
	return ok
}

func (cn *conn) onDrain() {
	if !cn.blocked {
		return
	}
	cn.blocked = false
	if len(cn.in) > 0 {
		cn.processHeld()
	} else {
		cn.maybeEnd()
	}
	if !cn.blocked && !cn.closing {
		cn.c.Resume()
	}
	cn.idle()
}

func (cn *conn) onEnd() {
	cn.eof = true
	cn.maybeEnd()
}

// maybeEnd ends our side after the client's FIN once every complete
// request has been answered; a request cut short by the FIN gets nothing.
func (cn *conn) maybeEnd() {
	if cn.eof && !cn.blocked && !cn.closing {
		cn.end()
	}
}

// end ends our side; the connection timer then gives the client one tick
// without write progress to close its own.
func (cn *conn) end() {
	cn.closing = true
	cn.closingSince = cn.loop.Now()
	cn.flushedSeen = cn.c.BytesWritten() - int64(cn.c.BufferSize())
	cn.c.End(nil, nil)
}

// reject answers a request the parser refused, and closes: after bad
// framing the next request's start is unknown.
func (cn *conn) reject(e *h1.Error) {
	cn.out = cn.appendStatus(cn.out, e.Status)
	cn.out = append(cn.out, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: "...)
	cn.out = strconv.AppendInt(cn.out, int64(len(e.Reason)+1), 10)
	cn.out = append(cn.out, "\r\nConnection: close\r\n\r\n"...)
	cn.out = append(cn.out, e.Reason...)
	cn.out = append(cn.out, '\n')
	cn.flush()
	cn.in = nil
	cn.end()
}
