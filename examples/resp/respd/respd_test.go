//go:build linux

package respd_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nodenet/nodenet/examples/internal/tooltest"
	"github.com/nodenet/nodenet/examples/resp/proto"
	"github.com/nodenet/nodenet/examples/resp/respd"
	"github.com/nodenet/nodenet/socket"
)

// cliScript is fed to redis-cli on standard input, once against the real
// redis-server and once against respd; the outputs must be identical. It
// covers every command the issue names, their options and error replies,
// and stays clear of what legitimately differs (timing-dependent PTTLs,
// COMMAND's Redis 7 fields, INFO, more than one database).
const cliScript = `PING
PING "hello world"
ECHO "with\ttab and \"quotes\""
SET k v
GET k
GET missing
SET k v2 NX
SET k2 v2 XX
SET k v3 XX
SET k v4 GET
SET newkey x GET
GET k
SET k
SET k v EX
SET k v EX 0
SET k v EX notanumber
SET k v NX XX
SET ttlkey v EX 100
TTL ttlkey
SET ttlkey v2 KEEPTTL
TTL ttlkey
SET ttlkey v3
TTL ttlkey
TTL missing
EXPIRE k 1000
TTL k
PERSIST k
TTL k
PERSIST k
EXPIRE missing 10
EXPIRE k notanumber
EXPIRE k -1
EXISTS k
DEL k k2 newkey ttlkey missing
EXISTS k k2
SET a 1
EXISTS a a a missing
INCR counter
INCR counter
INCRBY counter 40
DECR counter
DECRBY counter 2
INCRBY counter abc
GET counter
SET big 9223372036854775807
INCR big
SET small -9223372036854775808
DECR small
SET text hello
INCR text
SET spaced " 1"
INCR spaced
SET lead 01
INCR lead
MSET m1 a m2 b m3 c
MGET m1 m2 missing m3
MSET m1
MSET m1 a m2
MGET
DEL
GET a b
FOO bar baz
CONFIG GET save
CONFIG GET appendonly
CONFIG GET nosuchparameter
SELECT 0
SELECT notanumber
DBSIZE
FLUSHDB
DBSIZE
QUIT
`

// TestRedisCLIScript runs the script through the real redis-cli against
// redis-server and against respd and compares every reply.
func TestRedisCLIScript(t *testing.T) {
	cli := tooltest.Need(t, "redis-cli", "redis-tools")
	sock := startRedis(t)
	ts := startServer(t, respd.Options{})
	want, _ := runTool(t, cliScript, cli, "-s", sock)
	got, _ := runTool(t, cliScript, cli, "-p", strconv.Itoa(ts.port))
	if got != want {
		wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
		for i := 0; i < max(len(wl), len(gl)); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				t.Errorf("line %d: redis-server %q, respd %q", i+1, w, g)
			}
		}
		t.Fatalf("redis-cli output differs\nredis-server:\n%s\nrespd:\n%s", want, got)
	}
	// A sanity check on the oracle itself: the script did run.
	if !strings.HasPrefix(got, "PONG\nhello world\n") || !strings.Contains(got, "ERR unknown command 'FOO'") {
		t.Fatalf("unexpected output:\n%s", got)
	}
}

// rawCases are byte-level requests (inline and multibulk, pipelined,
// malformed) whose replies, read byte for byte, must equal redis-server's,
// including the protocol errors and the close that follows them.
var rawCases = []struct {
	name string
	req  string
	// replies to read before the connection must be closed (-1: it stays
	// open and exactly this many replies are read).
	replies int
	closed  bool
}{
	{"inline", "PING\r\nECHO hi\r\nSET a b\r\nGET a\r\n", 4, false},
	{"inline LF only", "PING\nECHO  spaced   words\n", 2, false},
	{"inline quotes", "ECHO \"a\\x41\\n\\\"q\" 'it\\'s'\r\n", 1, false},
	{"inline blank lines ignored", "\r\n\r\nPING\r\n", 1, false},
	{"multibulk", cmd("SET", "x", "1") + cmd("INCR", "x") + cmd("MGET", "x", "y"), 3, false},
	{"binary value", cmd("SET", "bin", "\r\n\x00\xff") + cmd("GET", "bin"), 2, false},
	{"empty multibulk ignored", "*0\r\n*-1\r\n" + cmd("PING"), 1, false},
	{"mixed pipeline", cmd("PING") + "PING\r\n" + cmd("ECHO", "x") + "ECHO y\r\n", 4, false},
	{"unbalanced quotes", "PING\r\nECHO \"abc\r\n", 2, true},
	{"invalid multibulk length", "*x\r\n", 1, true},
	{"invalid bulk length", "*1\r\n$-3\r\n", 1, true},
	{"bulk length not a number", "*1\r\n$abc\r\n", 1, true},
	{"expected dollar", "*2\r\n$4\r\nECHO\r\n:12\r\n", 1, true},
	{"error after good commands", cmd("PING") + cmd("PING") + "*1\r\n+x\r\n", 3, true},
	{"wrong arity keeps the connection", cmd("GET") + cmd("PING"), 2, false},
	{"inline too big", strings.Repeat("a", 70<<10), 1, true},
	{"config set timeout", cmd("CONFIG", "GET", "timeout") + cmd("CONFIG", "SET", "timeout", "abc") +
		cmd("CONFIG", "SET", "timeout", "-1") + cmd("CONFIG", "SET", "timeout", "2147483648") +
		cmd("CONFIG", "SET", "nosuch", "1") + cmd("CONFIG", "SET", "timeout") + cmd("CONFIG", "SET", "TIMEOUT", "7") +
		cmd("CONFIG", "GET", "time*") + cmd("CONFIG", "SET", "timeout", "0") + cmd("CONFIG", "GET", "timeout"), 10, false},
}

func TestRawRepliesMatchRedis(t *testing.T) {
	sock := startRedis(t)
	ts := startServer(t, respd.Options{})
	for _, tc := range rawCases {
		t.Run(tc.name, func(t *testing.T) {
			run := func(network, addr string) []string {
				cl := dial(t, network, addr)
				cl.do(cmd("FLUSHALL"))
				cl.send(tc.req)
				var out []string
				for i := 0; i < tc.replies; i++ {
					out = append(out, cl.reply())
				}
				if tc.closed {
					cl.expectEOF()
				} else if r := cl.do(cmd("PING")); r != "+PONG\r\n" {
					t.Fatalf("%s: connection unusable after the case: %q", network, r)
				}
				return out
			}
			want := run("unix", sock)
			got := run("tcp", ts.addr)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("replies differ\nredis-server: %q\nrespd:        %q", want, got)
			}
		})
	}
}

// TestPipelinedRepliesOneWrite: 200 commands in one segment are answered
// with one write (total_writes_processed moves by one, besides the INFO
// replies themselves).
func TestPipelinedRepliesOneWrite(t *testing.T) {
	ts := startServer(t, respd.Options{})
	cl := dial(t, "tcp", ts.addr)
	writes := func() int {
		m := regexp.MustCompile(`total_writes_processed:(\d+)`).FindStringSubmatch(cl.do(cmd("INFO")))
		if m == nil {
			t.Fatal("no total_writes_processed in INFO")
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	before := writes()
	var req strings.Builder
	for i := 0; i < 100; i++ {
		req.WriteString(cmd("SET", "k"+strconv.Itoa(i), strconv.Itoa(i)))
		req.WriteString("GET k" + strconv.Itoa(i) + "\r\n")
	}
	cl.send(req.String())
	for i := 0; i < 100; i++ {
		if r := cl.reply(); r != "+OK\r\n" {
			t.Fatalf("SET %d: %q", i, r)
		}
		v := strconv.Itoa(i)
		if r := cl.reply(); r != fmt.Sprintf("$%d\r\n%s\r\n", len(v), v) {
			t.Fatalf("GET %d: %q", i, r)
		}
	}
	if after := writes(); after-before != 2 {
		t.Fatalf("%d writes for one read of 200 commands (and one INFO); want 1 + 1", after-before)
	}
}

// TestSplitAcrossReads: a request that arrives a byte at a time is parsed
// once it is whole, and one large value split over many reads arrives intact.
func TestSplitAcrossReads(t *testing.T) {
	ts := startServer(t, respd.Options{})
	cl := dial(t, "tcp", ts.addr)
	req := cmd("SET", "split", "value") + cmd("GET", "split")
	for i := 0; i < len(req); i++ {
		cl.send(req[i : i+1])
	}
	if r := cl.reply(); r != "+OK\r\n" {
		t.Fatal(r)
	}
	if r := cl.reply(); r != "$5\r\nvalue\r\n" {
		t.Fatal(r)
	}
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	cl.send(cmd("SET", "big", big))
	if r := cl.reply(); r != "+OK\r\n" {
		t.Fatal(r)
	}
	if r := cl.do(cmd("GET", "big")); r != fmt.Sprintf("$%d\r\n%s\r\n", len(big), big) {
		t.Fatalf("big value came back wrong (%d bytes)", len(r))
	}
}

// TestLimits: a bulk string or argument count over the limit gets Redis's
// protocol error and the connection is closed; nothing is buffered for it.
func TestLimits(t *testing.T) {
	ts := startServer(t, respd.Options{Limits: proto.Limits{MaxBulk: 1024, MaxArgs: 8}})
	cases := []struct{ req, want string }{
		{"*2\r\n$3\r\nGET\r\n$1025\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*9\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"a b c d e f g h i\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"*1\r\n$" + strings.Repeat("9", 70<<10), "-ERR Protocol error: too big bulk count string\r\n"},
	}
	for _, tc := range cases {
		cl := dial(t, "tcp", ts.addr)
		if r := cl.do(cmd("SET", "ok", strings.Repeat("x", 1024))); r != "+OK\r\n" {
			t.Fatalf("at the limit: %q", r)
		}
		if r := cl.do(tc.req); r != tc.want {
			t.Fatalf("%.40q: got %q, want %q", tc.req, r, tc.want)
		}
		cl.expectEOF()
	}
}

// TestQueryBufferLimit: a client streaming one never-ending request is cut
// off at MaxQuery, not buffered without bound.
func TestQueryBufferLimit(t *testing.T) {
	ts := startServer(t, respd.Options{Limits: proto.Limits{MaxBulk: 8 << 20}, MaxQuery: 256 << 10})
	cl := dial(t, "tcp", ts.addr)
	cl.send("*2\r\n$3\r\nSET\r\n$8000000\r\n")
	chunk := strings.Repeat("z", 64<<10)
	var err error
	for i := 0; i < 64 && err == nil; i++ { // 4 MiB at most: well past the limit
		_, err = cl.c.Write([]byte(chunk))
	}
	if r := cl.reply(); r != "-ERR Protocol error: query buffer limit reached\r\n" {
		t.Fatalf("got %q", r)
	}
}

// TestBackpressure: a client pipelines 64 GETs of a 1 MiB value and reads
// nothing. The server must pause reading with its queue bounded (a reply
// or two, not 64 MiB); once the client reads, every reply arrives intact.
func TestBackpressure(t *testing.T) {
	ts := startServer(t, respd.Options{})
	cl := dial(t, "tcp", ts.addr)
	val := strings.Repeat("v", 1<<20)
	if r := cl.do(cmd("SET", "big", val)); r != "+OK\r\n" {
		t.Fatal(r)
	}
	var srvSock *socket.Socket
	select {
	case srvSock = <-ts.conns:
	case <-time.After(hangGuard):
		t.Fatal("no connection seen")
	}
	const n = 64
	cl.send(strings.Repeat(cmd("GET", "big"), n))
	// Wait (polling the server's state on its loop) until it stopped reading.
	deadline := time.Now().Add(hangGuard)
	var paused bool
	var queued, maxQueued int
	for {
		ts.onLoop(t, func() { paused, queued = srvSock.IsPaused(), srvSock.BufferSize() })
		maxQueued = max(maxQueued, queued)
		if paused {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never paused; queue %d", queued)
		}
		time.Sleep(time.Millisecond)
	}
	if maxQueued > 3<<20 {
		t.Fatalf("server queued %d bytes for a client that reads nothing", maxQueued)
	}
	want := fmt.Sprintf("$%d\r\n%s\r\n", len(val), val)
	for i := 0; i < n; i++ {
		if r := cl.reply(); r != want {
			t.Fatalf("reply %d: %d bytes", i, len(r))
		}
		if i%8 == 0 {
			ts.onLoop(t, func() { maxQueued = max(maxQueued, srvSock.BufferSize()) })
		}
	}
	if maxQueued > 3<<20 {
		t.Fatalf("server queued %d bytes", maxQueued)
	}
	if r := cl.do(cmd("PING")); r != "+PONG\r\n" {
		t.Fatal(r)
	}
}

// TestHalfCloseAnswersEverything: a client that pipelines commands and
// shuts down its write side at once still gets every reply, then EOF,
// even when the replies had to wait for 'drain'.
func TestHalfCloseAnswersEverything(t *testing.T) {
	ts := startServer(t, respd.Options{})
	cl := dial(t, "tcp", ts.addr)
	val := strings.Repeat("h", 256<<10)
	cl.do(cmd("SET", "v", val))
	cl.send(strings.Repeat(cmd("GET", "v"), 40) + cmd("PING"))
	if err := cl.c.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("$%d\r\n%s\r\n", len(val), val)
	for i := 0; i < 40; i++ {
		if r := cl.reply(); r != want {
			t.Fatalf("reply %d wrong", i)
		}
	}
	if r := cl.reply(); r != "+PONG\r\n" {
		t.Fatal(r)
	}
	cl.expectEOF()
}

// TestExpireByTimer: a key with a TTL is deleted by its loop timer, not
// only when read (DBSIZE counts stored keys without touching them).
func TestExpireByTimer(t *testing.T) {
	ts := startServer(t, respd.Options{})
	cl := dial(t, "tcp", ts.addr)
	cl.do(cmd("SET", "gone", "1"))
	cl.do(cmd("SET", "stays", "1"))
	cl.do(cmd("SET", "px", "1", "PX", "30"))
	if r := cl.do(cmd("PEXPIRE", "gone", "30")); r != ":1\r\n" {
		t.Fatal(r)
	}
	if r := cl.do(cmd("DBSIZE")); r != ":3\r\n" {
		t.Fatal(r)
	}
	deadline := time.Now().Add(hangGuard)
	for cl.do(cmd("DBSIZE")) != ":1\r\n" {
		if time.Now().After(deadline) {
			t.Fatal("expired keys were never deleted")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if r := cl.do(cmd("GET", "gone")); r != "$-1\r\n" {
		t.Fatal(r)
	}
	// Overwriting clears the TTL (and its timer): the key survives.
	cl.do(cmd("SET", "re", "1", "PX", "20"))
	cl.do(cmd("SET", "re", "2"))
	if r := cl.do(cmd("TTL", "re")); r != ":-1\r\n" {
		t.Fatal(r)
	}
}

// TestRedisBenchmark drives respd with the real redis-benchmark, plain and
// pipelined 16 deep, and checks that every test completed and that the
// data it wrote is there.
func TestRedisBenchmark(t *testing.T) {
	rb := tooltest.Need(t, "redis-benchmark", "redis-tools")
	ts := startServer(t, respd.Options{})
	for _, pipe := range []string{"1", "16"} {
		out, errOut := runTool(t, "", rb, "-p", strconv.Itoa(ts.port), "-c", "20", "-n", "20000", "-P", pipe,
			"-r", "1000", "-t", "ping,set,get,incr,mset", "--csv")
		if strings.Contains(errOut, "WARNING") || strings.Contains(out, "ERR") {
			t.Fatalf("-P %s: %s%s", pipe, errOut, out)
		}
		for _, test := range []string{"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"} {
			re := regexp.MustCompile(`(?m)^"` + regexp.QuoteMeta(test) + `","([0-9.]+)"`)
			m := re.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("-P %s: no result for %s in:\n%s", pipe, test, out)
			}
			if rps, _ := strconv.ParseFloat(m[1], 64); rps <= 0 {
				t.Fatalf("-P %s: %s at %s requests/s", pipe, test, m[1])
			}
		}
	}
	cl := dial(t, "tcp", ts.addr)
	r := cl.do(cmd("DBSIZE"))
	n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(r, ":")))
	if n < 1000 || n > 3001 {
		t.Fatalf("DBSIZE %q after the benchmark (at most 1,000 each of key:…, counter:… and key:{tag}:… for MSET)", r)
	}
	if r := cl.do(cmd("INCR", "counter:__rand_int__")); !strings.HasPrefix(r, ":") {
		t.Fatalf("INCR counter: %q", r)
	}
}

// TestZeroAllocsPerRequest: in steady state a pipelined batch of the hot
// commands (GET, SET of an existing key, INCR, MGET, MSET, EXISTS, PING,
// ECHO, TTL) is parsed, executed and answered without one heap allocation
// on the server. The client is a raw socket on the test goroutine whose
// buffers are reused, so AllocsPerRun counts the server's work.
func TestZeroAllocsPerRequest(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	t.Run("no timeout", func(t *testing.T) { zeroAllocs(t, respd.Options{}) })
	// The idle timer's refresh on every read and write is O(1) and free.
	t.Run("idle timeout", func(t *testing.T) { zeroAllocs(t, respd.Options{IdleTimeout: time.Minute}) })
}

func zeroAllocs(t *testing.T, o respd.Options) {
	ts := startServer(t, o)
	cl := dial(t, "tcp", ts.addr)
	cl.do(cmd("SET", "n", "1000000")) // INCR replies keep 7 digits
	batch := []byte(cmd("GET", "key:000000000042") + cmd("SET", "key:000000000042", "xxx") + cmd("INCR", "n") +
		cmd("MGET", "key:000000000042", "n", "missing") + cmd("MSET", "a", "1", "b", "2") + cmd("EXISTS", "a", "b") +
		"PING\r\n" + cmd("ECHO", "hello") + cmd("TTL", "a") + cmd("DEL", "missing"))
	// Replies: +OK-sized answers; read exactly the bytes of one batch.
	cl.send(string(batch))
	want := 0
	for i := 0; i < 10; i++ {
		want += len(cl.reply())
	}
	buf := make([]byte, want)
	roundTrip := func() {
		if _, err := cl.c.Write(batch); err != nil {
			t.Fatal(err)
		}
		got := 0
		for got < want {
			n, err := cl.c.Read(buf[got:])
			if err != nil {
				t.Fatal(err)
			}
			got += n
		}
	}
	for i := 0; i < 200; i++ {
		roundTrip()
	}
	if avg := testing.AllocsPerRun(2000, roundTrip); avg != 0 {
		t.Fatalf("%.3f allocations per batch of 10 commands; want 0", avg)
	}
}
