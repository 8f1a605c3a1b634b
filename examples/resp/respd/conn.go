// Package respd is a Redis-protocol (RESP2) key-value server on nodenet: a
// connection listener for server.New that parses every pipelined command of
// a read, answers them into one buffer, and sends that buffer with one
// write. See examples/resp for the command and its flags.
package respd

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nodenet/nodenet/examples/resp/proto"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/socket"
)

// Options configures a Server.
type Options struct {
	// Limits bounds one request (proto.DefaultLimits when zero).
	Limits proto.Limits
	// MaxQuery bounds the unparsed input one connection may hold (a request
	// still arriving, or input read while the client was not reading our
	// replies); past it the client gets an error and is closed, like
	// Redis's client-query-buffer-limit. Default: MaxBulk + 64 KiB... at
	// least 1 MiB.
	MaxQuery int
	// FlushAt is how many reply bytes are gathered before they are sent in
	// the middle of a read (default 64 KiB), so that one read of many
	// large GETs does not build one huge buffer.
	FlushAt int
	// IdleTimeout closes a client idle (no reads, no writes) that long:
	// Redis's "timeout" (whole seconds in CONFIG GET/SET), 0 — Redis's
	// default — for none. CONFIG SET timeout changes it at run time.
	IdleTimeout time.Duration
}

// Server is the RESP2 server: a keyspace and the connection handler.
type Server struct {
	store *Store
	opts  Options
	// Counters for INFO stats (Redis's names): reads handled, reply writes
	// (one per read unless backpressure or FlushAt split it), commands.
	reads, writes, commands atomic.Int64
	// idle is the idle timeout in ns (CONFIG SET timeout); loops maps each
	// *reactor.Loop serving connections to its *loopConns (idle.go).
	idle       atomic.Int64
	idleCloses atomic.Int64
	loops      sync.Map
}

// New returns a server with an empty keyspace.
func New(o Options) *Server {
	if o.Limits.MaxArgs <= 0 {
		o.Limits.MaxArgs = proto.DefaultLimits.MaxArgs
	}
	if o.Limits.MaxBulk <= 0 {
		o.Limits.MaxBulk = proto.DefaultLimits.MaxBulk
	}
	if o.Limits.MaxInline <= 0 {
		o.Limits.MaxInline = proto.DefaultLimits.MaxInline
	}
	if o.MaxQuery <= 0 {
		o.MaxQuery = max(o.Limits.MaxBulk+o.Limits.MaxInline+(64<<10), 1<<20)
	}
	if o.FlushAt <= 0 {
		o.FlushAt = 64 << 10
	}
	s := &Server{store: NewStore(), opts: o}
	s.idle.Store(int64(max(o.IdleTimeout, 0)))
	return s
}

// Commands is the number of commands executed so far (INFO's
// total_commands_processed).
func (s *Server) Commands() int64 { return s.commands.Load() }

// Store is the server's keyspace.
func (s *Server) Store() *Store { return s.store }

// conn is one client connection.
type conn struct {
	srv  *Server
	c    *socket.Socket
	loop *reactor.Loop
	p    proto.Parser
	// in holds input not yet executed: a request still arriving, or
	// requests read while the connection waited for 'drain'.
	in []byte
	// need: the parser needs len(in) to reach this before trying again.
	need int
	// out gathers the replies of one read.
	out []byte
	// blocked: the last Send returned false; reading is paused until
	// 'drain'.
	blocked bool
	// eof: the client sent its FIN; end our side once in is answered.
	eof bool
	// closing: QUIT or a protocol error; nothing more is executed.
	closing bool
}

// Serve is the connection listener: server.New(opts, srv.Serve). The
// server's sockets must be half-open (server.Options.AllowHalfOpen), so
// that requests a client pipelined before its FIN are still answered while
// the connection waits for 'drain'; Serve ends the connection itself.
func (s *Server) Serve(c *socket.Socket) {
	cn := &conn{srv: s, c: c, loop: c.Loop()}
	cn.p.Limits = s.opts.Limits
	c.OnData(cn.onData)
	c.OnDrain(cn.onDrain)
	c.OnEnd(cn.onEnd)
	// A reset or write error just closes the connection.
	c.OnError(func(error) {})
	cn.register()
}

func (cn *conn) onData(b []byte) {
	if cn.closing {
		return
	}
	cn.srv.reads.Add(1)
	if len(cn.in) == 0 && !cn.blocked {
		// The common case: whole requests in this read, parsed in place.
		rest := cn.process(b)
		if len(rest) > 0 && !cn.closing {
			if len(rest) > cn.srv.opts.MaxQuery {
				cn.fail("ERR Protocol error: query buffer limit reached")
				return
			}
			cn.in = append(cn.in[:0], rest...)
		}
		return
	}
	if len(cn.in)+len(b) > cn.srv.opts.MaxQuery {
		cn.fail("ERR Protocol error: query buffer limit reached")
		return
	}
	cn.in = append(cn.in, b...)
	if cn.blocked || len(cn.in) < cn.need {
		return
	}
	cn.processHeld()
}

// processHeld runs what in holds and keeps the unparsed rest at its start.
func (cn *conn) processHeld() {
	rest := cn.process(cn.in)
	if cn.closing {
		cn.in = nil
		return
	}
	n := copy(cn.in, rest)
	cn.in = cn.in[:n]
	if n == 0 && cap(cn.in) > 256<<10 {
		cn.in = nil // a large request is done: give its memory back
	}
	cn.maybeEnd()
}

// process executes every complete request at the start of buf, gathering
// the replies, and returns the part not executed: an incomplete request,
// or everything after the point where backpressure stopped it.
func (cn *conn) process(buf []byte) (rest []byte) {
	cmds := int64(0)
	defer func() { cn.srv.commands.Add(cmds) }()
	for !cn.closing {
		if len(cn.out) >= cn.srv.opts.FlushAt && !cn.flush() {
			cn.need = 0
			return buf
		}
		args, n, need, err := cn.p.Parse(buf)
		if err != nil {
			msg := err.Error()
			if err == proto.ErrExpectedDollar {
				msg = fmt.Sprintf("expected '$', got '%c'", cn.p.Got())
			}
			cn.fail("ERR Protocol error: " + msg)
			return nil
		}
		if n == 0 {
			cn.need = need
			break
		}
		buf = buf[n:]
		if len(args) > 0 {
			cmds++
			cn.exec(args)
		}
	}
	cn.flush()
	return buf
}

// flush sends the gathered replies in one write. When Send says the queue
// is full, reading pauses until 'drain': a client that stops reading
// stops being read, and its replies never pile up past the high-water mark
// plus one read's worth.
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
}

func (cn *conn) onEnd() {
	cn.eof = true
	cn.maybeEnd()
}

// maybeEnd ends our side after the client's FIN once every complete
// request it sent has been answered (a partial one is dropped, as Redis
// drops it).
func (cn *conn) maybeEnd() {
	if cn.eof && !cn.blocked && !cn.closing {
		cn.closing = true
		cn.c.End(nil, nil)
	}
}

// fail answers a protocol error and closes after it, as Redis does.
func (cn *conn) fail(msg string) {
	cn.out = proto.AppendError(cn.out, msg)
	cn.c.Send(cn.out, nil)
	cn.out = nil
	cn.in = nil
	cn.closing = true
	cn.c.End(nil, nil)
}
