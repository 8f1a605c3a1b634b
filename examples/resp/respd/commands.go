package respd

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/nodenet/nodenet/examples/resp/proto"
)

// cmdInfo is what COMMAND reports about a command (Redis 2.8's six fields:
// name, arity — negative for "at least" —, flags, first key, last key, step).
type cmdInfo struct {
	name                   string
	arity                  int
	flags                  []string
	firstKey, lastKey, stp int
}

var commandTable = []cmdInfo{
	{"ping", -1, []string{"fast"}, 0, 0, 0},
	{"echo", 2, []string{"fast"}, 0, 0, 0},
	{"set", -3, []string{"write", "denyoom"}, 1, 1, 1},
	{"get", 2, []string{"readonly", "fast"}, 1, 1, 1},
	{"del", -2, []string{"write"}, 1, -1, 1},
	{"exists", -2, []string{"readonly", "fast"}, 1, -1, 1},
	{"incr", 2, []string{"write", "denyoom", "fast"}, 1, 1, 1},
	{"decr", 2, []string{"write", "denyoom", "fast"}, 1, 1, 1},
	{"incrby", 3, []string{"write", "denyoom", "fast"}, 1, 1, 1},
	{"decrby", 3, []string{"write", "denyoom", "fast"}, 1, 1, 1},
	{"mget", -2, []string{"readonly", "fast"}, 1, -1, 1},
	{"mset", -3, []string{"write", "denyoom"}, 1, -1, 2},
	{"expire", 3, []string{"write", "fast"}, 1, 1, 1},
	{"pexpire", 3, []string{"write", "fast"}, 1, 1, 1},
	{"ttl", 2, []string{"readonly", "fast"}, 1, 1, 1},
	{"pttl", 2, []string{"readonly", "fast"}, 1, 1, 1},
	{"persist", 2, []string{"write", "fast"}, 1, 1, 1},
	{"dbsize", 1, []string{"readonly", "fast"}, 0, 0, 0},
	{"flushdb", -1, []string{"write"}, 0, 0, 0},
	{"flushall", -1, []string{"write"}, 0, 0, 0},
	{"select", 2, []string{"loading", "stale", "fast"}, 0, 0, 0},
	{"command", -1, []string{"loading", "stale"}, 0, 0, 0},
	{"config", -2, []string{"admin", "loading", "stale"}, 0, 0, 0},
	{"info", -1, []string{"loading", "stale"}, 0, 0, 0},
	{"quit", -1, []string{"loading", "stale", "fast"}, 0, 0, 0},
}

// configValues are the CONFIG GET answers clients ask for: redis-benchmark
// reads save and appendonly to print the server's persistence settings
// (it warns when CONFIG GET fails). Nothing is persisted.
var configValues = [][2]string{
	{"save", ""},
	{"appendonly", "no"},
	{"databases", "1"},
	{"maxmemory", "0"},
}

// exec runs one command and appends its reply to cn.out. The name is
// matched case-insensitively without allocating: it is lower-cased into a
// small array and switched on (Go compiles the string(bytes) conversion in
// a switch without a copy).
func (cn *conn) exec(args [][]byte) {
	var lower [16]byte
	name := args[0]
	if len(name) > len(lower) {
		cn.unknown(args)
		return
	}
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	st := cn.srv.store
	switch string(lower[:len(name)]) {
	case "get":
		if cn.arity(args, 2) {
			cn.get(args[1])
		}
	case "set":
		if len(args) < 3 {
			cn.wrongArgs(args)
			return
		}
		cn.set(args)
	case "ping":
		switch len(args) {
		case 1:
			cn.out = append(cn.out, "+PONG\r\n"...)
		case 2:
			cn.out = proto.AppendBulk(cn.out, args[1])
		default:
			cn.wrongArgs(args)
		}
	case "echo":
		if cn.arity(args, 2) {
			cn.out = proto.AppendBulk(cn.out, args[1])
		}
	case "del", "exists":
		if len(args) < 2 {
			cn.wrongArgs(args)
			return
		}
		del := lower[0] == 'd'
		t := now()
		n := int64(0)
		for _, k := range args[1:] {
			sh := st.shardOf(k)
			sh.mu.Lock()
			if e := sh.live(k, t); e != nil {
				n++
				if del {
					sh.drop(string(k), e)
				}
			}
			sh.mu.Unlock()
		}
		cn.out = proto.AppendInt(cn.out, n)
	case "incr":
		if cn.arity(args, 2) {
			cn.incrBy(args[1], 1)
		}
	case "decr":
		if cn.arity(args, 2) {
			cn.incrBy(args[1], -1)
		}
	case "incrby", "decrby":
		if !cn.arity(args, 3) {
			return
		}
		d, ok := parseInt(args[2])
		if !ok || (lower[0] == 'd' && d == math.MinInt64) {
			cn.out = proto.AppendError(cn.out, "ERR value is not an integer or out of range")
			return
		}
		if lower[0] == 'd' {
			d = -d
		}
		cn.incrBy(args[1], d)
	case "mget":
		if len(args) < 2 {
			cn.wrongArgs(args)
			return
		}
		cn.out = proto.AppendArray(cn.out, len(args)-1)
		for _, k := range args[1:] {
			cn.get(k)
		}
	case "mset":
		if len(args) < 3 || len(args)%2 == 0 {
			cn.wrongArgs(args)
			return
		}
		t := now()
		for i := 1; i < len(args); i += 2 {
			sh := st.shardOf(args[i])
			sh.mu.Lock()
			sh.set(args[i], args[i+1], t, false)
			sh.mu.Unlock()
		}
		cn.out = append(cn.out, "+OK\r\n"...)
	case "expire", "pexpire":
		if !cn.arity(args, 3) {
			return
		}
		v, ok := parseInt(args[2])
		unit := time.Second
		if lower[0] == 'p' {
			unit = time.Millisecond
		}
		if !ok || v > math.MaxInt64/int64(unit) || v < math.MinInt64/int64(unit) {
			cn.out = proto.AppendError(cn.out, "ERR value is not an integer or out of range")
			return
		}
		cn.expire(args[1], time.Duration(v)*unit)
	case "ttl", "pttl":
		if cn.arity(args, 2) {
			cn.ttl(args[1], lower[0] == 'p')
		}
	case "persist":
		if !cn.arity(args, 2) {
			return
		}
		sh := st.shardOf(args[1])
		sh.mu.Lock()
		e := sh.live(args[1], now())
		n := int64(0)
		if e != nil && e.expireAt != 0 {
			e.clearTTL()
			n = 1
		}
		sh.mu.Unlock()
		cn.out = proto.AppendInt(cn.out, n)
	case "dbsize":
		if cn.arity(args, 1) {
			cn.out = proto.AppendInt(cn.out, int64(st.Len()))
		}
	case "flushdb", "flushall":
		st.Flush()
		cn.out = append(cn.out, "+OK\r\n"...)
	case "select":
		if !cn.arity(args, 2) {
			return
		}
		if v, ok := parseInt(args[1]); !ok {
			cn.out = proto.AppendError(cn.out, "ERR value is not an integer or out of range")
		} else if v != 0 {
			cn.out = proto.AppendError(cn.out, "ERR DB index is out of range")
		} else {
			cn.out = append(cn.out, "+OK\r\n"...)
		}
	case "command":
		cn.command(args)
	case "config":
		cn.config(args)
	case "info":
		cn.info()
	case "quit":
		cn.out = append(cn.out, "+OK\r\n"...)
		cn.flush()
		cn.closing = true
		cn.c.End(nil, nil)
	default:
		cn.unknown(args)
	}
}

// arity checks an exact argument count (the command name included).
func (cn *conn) arity(args [][]byte, n int) bool {
	if len(args) != n {
		cn.wrongArgs(args)
		return false
	}
	return true
}

func (cn *conn) wrongArgs(args [][]byte) {
	cn.out = proto.AppendError(cn.out, "ERR wrong number of arguments for '"+strings.ToLower(string(args[0]))+"' command")
}

// unknown is Redis 7's reply to a command it does not have.
func (cn *conn) unknown(args [][]byte) {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.WriteString(sanitize(args[0], 128))
	b.WriteString("', with args beginning with: ")
	for _, a := range args[1:] {
		if b.Len() > 256 {
			break
		}
		b.WriteString("'")
		b.WriteString(sanitize(a, 128))
		b.WriteString("' ")
	}
	cn.out = proto.AppendError(cn.out, b.String())
}

// sanitize keeps an error line one line: control characters become spaces.
func sanitize(b []byte, max int) string {
	if len(b) > max {
		b = b[:max]
	}
	s := []byte(string(b))
	for i, c := range s {
		if c < ' ' || c == 0x7f {
			s[i] = ' '
		}
	}
	return string(s)
}

func (cn *conn) get(key []byte) {
	sh := cn.srv.store.shardOf(key)
	sh.mu.Lock()
	if e := sh.live(key, now()); e != nil {
		cn.out = proto.AppendBulk(cn.out, e.val)
	} else {
		cn.out = proto.AppendNull(cn.out)
	}
	sh.mu.Unlock()
}

// set is SET key value [NX|XX] [EX s|PX ms|KEEPTTL] [GET].
func (cn *conn) set(args [][]byte) {
	var nx, xx, keep, get bool
	var ttl time.Duration
	for i := 3; i < len(args); i++ {
		opt := strings.ToUpper(string(args[i]))
		switch {
		case opt == "NX" && !xx:
			nx = true
		case opt == "XX" && !nx:
			xx = true
		case opt == "KEEPTTL" && ttl == 0:
			keep = true
		case opt == "GET":
			get = true
		case (opt == "EX" || opt == "PX") && !keep && ttl == 0 && i+1 < len(args):
			v, ok := parseInt(args[i+1])
			unit := time.Second
			if opt == "PX" {
				unit = time.Millisecond
			}
			if !ok || v > math.MaxInt64/int64(unit) {
				cn.out = proto.AppendError(cn.out, "ERR value is not an integer or out of range")
				return
			}
			if v <= 0 {
				cn.out = proto.AppendError(cn.out, "ERR invalid expire time in 'set' command")
				return
			}
			ttl = time.Duration(v) * unit
			i++
		default:
			cn.out = proto.AppendError(cn.out, "ERR syntax error")
			return
		}
	}
	key := args[1]
	sh := cn.srv.store.shardOf(key)
	t := now()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old := sh.live(key, t)
	if get {
		if old != nil {
			cn.out = proto.AppendBulk(cn.out, old.val)
		} else {
			cn.out = proto.AppendNull(cn.out)
		}
	}
	if (nx && old != nil) || (xx && old == nil) {
		if !get {
			cn.out = proto.AppendNull(cn.out)
		}
		return
	}
	e := sh.put(key, args[2], old, keep)
	if ttl > 0 {
		cn.srv.store.expire(sh, cn.loop, key, e, ttl, t)
	}
	if !get {
		cn.out = append(cn.out, "+OK\r\n"...)
	}
}

func (cn *conn) incrBy(key []byte, d int64) {
	sh := cn.srv.store.shardOf(key)
	t := now()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.live(key, t)
	var v int64
	if e != nil {
		var ok bool
		if v, ok = parseInt(e.val); !ok {
			cn.out = proto.AppendError(cn.out, "ERR value is not an integer or out of range")
			return
		}
	}
	if (d > 0 && v > math.MaxInt64-d) || (d < 0 && v < math.MinInt64-d) {
		cn.out = proto.AppendError(cn.out, "ERR increment or decrement would overflow")
		return
	}
	v += d
	if e == nil {
		var tmp [20]byte
		sh.put(key, strconv.AppendInt(tmp[:0], v, 10), nil, false)
	} else {
		e.val = strconv.AppendInt(e.val[:0], v, 10)
	}
	cn.out = proto.AppendInt(cn.out, v)
}

func (cn *conn) expire(key []byte, d time.Duration) {
	st := cn.srv.store
	sh := st.shardOf(key)
	t := now()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.live(key, t)
	if e == nil {
		cn.out = proto.AppendInt(cn.out, 0)
		return
	}
	if d <= 0 {
		sh.drop(string(key), e) // a deadline in the past deletes, as in Redis
	} else {
		st.expire(sh, cn.loop, key, e, d, t)
	}
	cn.out = proto.AppendInt(cn.out, 1)
}

func (cn *conn) ttl(key []byte, ms bool) {
	sh := cn.srv.store.shardOf(key)
	t := now()
	sh.mu.Lock()
	e := sh.live(key, t)
	var v int64
	switch {
	case e == nil:
		v = -2
	case e.expireAt == 0:
		v = -1
	default:
		left := (e.expireAt - t) / int64(time.Millisecond)
		if ms {
			v = left
		} else {
			v = (left + 500) / 1000 // Redis rounds to the nearest second
		}
	}
	sh.mu.Unlock()
	cn.out = proto.AppendInt(cn.out, v)
}

// command answers COMMAND, COMMAND COUNT, COMMAND INFO name… and COMMAND
// DOCS (empty: no documentation is served; redis-cli asks for it only for
// interactive hints).
func (cn *conn) command(args [][]byte) {
	if len(args) == 1 {
		cn.out = proto.AppendArray(cn.out, len(commandTable))
		for i := range commandTable {
			cn.out = appendCmdInfo(cn.out, &commandTable[i])
		}
		return
	}
	switch strings.ToUpper(string(args[1])) {
	case "COUNT":
		cn.out = proto.AppendInt(cn.out, int64(len(commandTable)))
	case "INFO":
		cn.out = proto.AppendArray(cn.out, len(args)-2)
		for _, a := range args[2:] {
			ci := lookupCommand(a)
			if ci == nil {
				cn.out = append(cn.out, "*-1\r\n"...)
			} else {
				cn.out = appendCmdInfo(cn.out, ci)
			}
		}
	case "DOCS":
		cn.out = proto.AppendArray(cn.out, 0)
	default:
		cn.out = proto.AppendError(cn.out, "ERR unknown subcommand '"+sanitize(args[1], 64)+"'. Try COMMAND HELP.")
	}
}

func lookupCommand(name []byte) *cmdInfo {
	for i := range commandTable {
		if strings.EqualFold(commandTable[i].name, string(name)) {
			return &commandTable[i]
		}
	}
	return nil
}

func appendCmdInfo(b []byte, ci *cmdInfo) []byte {
	b = proto.AppendArray(b, 6)
	b = proto.AppendBulkString(b, ci.name)
	b = proto.AppendInt(b, int64(ci.arity))
	b = proto.AppendArray(b, len(ci.flags))
	for _, f := range ci.flags {
		b = proto.AppendSimple(b, f)
	}
	b = proto.AppendInt(b, int64(ci.firstKey))
	b = proto.AppendInt(b, int64(ci.lastKey))
	return proto.AppendInt(b, int64(ci.stp))
}

// config answers CONFIG GET pattern… (glob patterns, as Redis), CONFIG
// SET timeout (the only setting that changes anything here: idle.go) and
// CONFIG RESETSTAT.
func (cn *conn) config(args [][]byte) {
	if len(args) < 2 {
		cn.wrongArgs(args)
		return
	}
	switch strings.ToUpper(string(args[1])) {
	case "GET":
		if len(args) < 3 {
			cn.out = proto.AppendError(cn.out, "ERR wrong number of arguments for 'config|get' command")
			return
		}
		values := append(configValues[:len(configValues):len(configValues)],
			[2]string{"timeout", strconv.FormatInt(int64(cn.srv.IdleTimeout()/time.Second), 10)})
		var hits [][2]string
		for _, kv := range values {
			for _, pat := range args[2:] {
				if globMatch(strings.ToLower(string(pat)), kv[0]) {
					hits = append(hits, kv)
					break
				}
			}
		}
		cn.out = proto.AppendArray(cn.out, 2*len(hits))
		for _, kv := range hits {
			cn.out = proto.AppendBulkString(cn.out, kv[0])
			cn.out = proto.AppendBulkString(cn.out, kv[1])
		}
	case "RESETSTAT":
		cn.out = append(cn.out, "+OK\r\n"...)
	case "SET":
		cn.configSet(args)
	default:
		cn.out = proto.AppendError(cn.out, "ERR unknown subcommand '"+sanitize(args[1], 64)+"'. Try CONFIG HELP.")
	}
}

// configKnown: a setting CONFIG GET reports (and SET refuses to change).
func configKnown(name string) bool {
	for _, kv := range configValues {
		if kv[0] == name {
			return true
		}
	}
	return false
}

// globMatch is Redis's stringmatch for the patterns CONFIG GET takes: *, ?
// and literal characters (no character classes).
func globMatch(pat, s string) bool {
	for len(pat) > 0 {
		switch pat[0] {
		case '*':
			for len(pat) > 0 && pat[0] == '*' {
				pat = pat[1:]
			}
			if pat == "" {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if globMatch(pat, s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != pat[0] {
				return false
			}
		}
		pat, s = pat[1:], s[1:]
	}
	return s == ""
}

// parseInt is Redis's string2ll: an optional '-', digits, no leading zeros
// (except "0"), no spaces, within int64.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	neg := b[0] == '-'
	d := b
	if neg {
		d = b[1:]
	}
	if len(d) == 0 || (d[0] == '0' && len(d) > 1) {
		return 0, false
	}
	var u uint64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// info answers INFO with the fields clients read: the version this server
// speaks the protocol of, and Redis's counters of commands, reads and
// writes (the reply is built in a fresh string; INFO is not a hot command).
func (cn *conn) info() {
	s := cn.srv
	keys, expires := s.store.counts()
	text := fmt.Sprintf("# Server\r\nredis_version:7.0.0\r\nredis_mode:standalone\r\nnodenet_resp:1\r\n\r\n"+
		"# Stats\r\ntotal_commands_processed:%d\r\ntotal_reads_processed:%d\r\ntotal_writes_processed:%d\r\n\r\n"+
		"# Keyspace\r\ndb0:keys=%d,expires=%d,avg_ttl=0\r\n",
		s.commands.Load(), s.reads.Load(), s.writes.Load(), keys, expires)
	cn.out = proto.AppendBulkString(cn.out, text)
}

// Len is the number of keys (expired ones not yet collected included).
func (st *Store) Len() int {
	n := 0
	for i := range st.shards {
		sh := &st.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// counts is the number of keys and of keys with a deadline.
func (st *Store) counts() (keys, expires int) {
	for i := range st.shards {
		sh := &st.shards[i]
		sh.mu.Lock()
		keys += len(sh.m)
		for _, e := range sh.m {
			if e.expireAt != 0 {
				expires++
			}
		}
		sh.mu.Unlock()
	}
	return keys, expires
}

// Flush deletes every key.
func (st *Store) Flush() {
	for i := range st.shards {
		sh := &st.shards[i]
		sh.mu.Lock()
		for k, e := range sh.m {
			sh.drop(k, e)
		}
		sh.mu.Unlock()
	}
}
