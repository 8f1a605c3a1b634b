package respd

import (
	"strconv"
	"time"

	"github.com/nodenet/nodenet/examples/resp/proto"
	"github.com/nodenet/nodenet/reactor"
)

// The idle timeout is Redis's "timeout" setting: a client that neither
// sends nor receives anything for that long is closed, silently (Redis
// logs "Closing idle client"). 0, Redis's default, is none. It is each
// socket's own idle timer (socket.SetTimeout, Node's socket.setTimeout),
// refreshed in O(1) by every read and write; CONFIG SET timeout changes it
// for every connection, as in Redis (whose check is against the time since
// the client's last interaction; here the new countdown starts at the SET).

// loopConns is one loop's connections, touched only on that loop: CONFIG
// SET timeout reaches each through its loop, with no lock on the path of a
// request.
type loopConns struct {
	m map[*conn]struct{}
}

// register notes a new connection (on its loop) and arms its idle timer.
func (cn *conn) register() {
	s := cn.srv
	lc := s.connsOn(cn.loop)
	lc.m[cn] = struct{}{}
	cn.c.OnClose(func(bool) { delete(lc.m, cn) })
	cn.c.OnTimeout(cn.onIdle)
	if d := time.Duration(s.idle.Load()); d > 0 {
		cn.c.SetTimeout(d, nil)
	}
}

func (cn *conn) onIdle() {
	cn.srv.idleCloses.Add(1)
	cn.c.Destroy(nil)
}

func (s *Server) connsOn(l *reactor.Loop) *loopConns {
	if v, ok := s.loops.Load(l); ok {
		return v.(*loopConns)
	}
	v, _ := s.loops.LoadOrStore(l, &loopConns{m: make(map[*conn]struct{})})
	return v.(*loopConns)
}

// SetIdleTimeout is CONFIG SET timeout: every connection, open or to come,
// is closed after d without activity; 0 disables it. From any goroutine.
func (s *Server) SetIdleTimeout(d time.Duration) {
	d = max(d, 0)
	s.idle.Store(int64(d))
	s.loops.Range(func(k, v any) bool {
		l, lc := k.(*reactor.Loop), v.(*loopConns)
		_ = l.Exec(func() {
			for cn := range lc.m {
				cn.c.SetTimeout(d, nil)
			}
		})
		return true
	})
}

// IdleTimeout is the current idle timeout (CONFIG GET timeout).
func (s *Server) IdleTimeout() time.Duration { return time.Duration(s.idle.Load()) }

// IdleCloses is the number of connections closed for being idle.
func (s *Server) IdleCloses() int64 { return s.idleCloses.Load() }

// configSet is CONFIG SET name value [name value …], all or nothing as in
// Redis; only "timeout" is settable here.
func (cn *conn) configSet(args [][]byte) {
	if len(args) < 4 || len(args)%2 != 0 {
		cn.out = proto.AppendError(cn.out, "ERR wrong number of arguments for 'config|set' command")
		return
	}
	timeout := int64(-1)
	for i := 2; i < len(args); i += 2 {
		name := lowerASCII(args[i])
		switch {
		case name == "timeout":
			v, err := strconv.ParseInt(string(args[i+1]), 10, 64)
			switch {
			case err != nil:
				cn.out = proto.AppendError(cn.out, "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer")
				return
			case v < 0 || v > 2147483647:
				cn.out = proto.AppendError(cn.out, "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive")
				return
			}
			timeout = v
		case configKnown(name):
			cn.out = proto.AppendError(cn.out, "ERR CONFIG SET failed (possibly related to argument '"+name+"') - not settable on this server")
			return
		default:
			cn.out = proto.AppendError(cn.out, "ERR Unknown option or number of arguments for CONFIG SET - '"+sanitize(args[i], 64)+"'")
			return
		}
	}
	if timeout >= 0 {
		cn.srv.SetIdleTimeout(time.Duration(timeout) * time.Second)
	}
	cn.out = append(cn.out, "+OK\r\n"...)
}

func lowerASCII(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return string(out)
}
