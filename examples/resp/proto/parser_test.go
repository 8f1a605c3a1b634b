package proto

import (
	"bytes"
	"strings"
	"testing"
)

func words(args [][]byte) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	return out
}

func TestParseComplete(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"multibulk", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n", []string{"SET", "k", "hello"}},
		{"empty bulk", "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", []string{"ECHO", ""}},
		{"binary bulk", "*2\r\n$4\r\nECHO\r\n$4\r\n\r\n\x00\xff\r\n", []string{"ECHO", "\r\n\x00\xff"}},
		{"empty multibulk", "*0\r\n", []string{}},
		{"null multibulk", "*-1\r\n", []string{}},
		{"inline", "PING\r\n", []string{"PING"}},
		{"inline LF only", "SET a b\n", []string{"SET", "a", "b"}},
		{"inline spaces", "  SET   a\t b  \r\n", []string{"SET", "a", "b"}},
		{"inline blank", "\r\n", []string{}},
		{"inline double quotes", `SET "a b" "x\ny\x41\"z"` + "\r\n", []string{"SET", "a b", "x\nyA\"z"}},
		{"inline single quotes", `SET 'a b' 'it\'s'` + "\r\n", []string{"SET", "a b", "it's"}},
		{"inline empty quoted", `ECHO ""` + "\r\n", []string{"ECHO", ""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p Parser
			args, n, _, err := p.Parse([]byte(tc.in))
			if err != nil || n != len(tc.in) {
				t.Fatalf("Parse = n %d err %v, want n %d", n, err, len(tc.in))
			}
			if got := words(args); strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Fatalf("args %q, want %q", got, tc.want)
			}
			// Every strict prefix is incomplete, never an error, and its
			// need is beyond it.
			for i := 0; i < len(tc.in); i++ {
				_, n, need, err := p.Parse([]byte(tc.in[:i]))
				if err != nil || n != 0 || need <= i {
					t.Fatalf("prefix %d: n %d need %d err %v", i, n, need, err)
				}
			}
		})
	}
}

func TestParsePipelined(t *testing.T) {
	in := []byte("*1\r\n$4\r\nPING\r\nECHO hi\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPI")
	var p Parser
	var got []string
	for {
		args, n, need, err := p.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			if need <= len(in) {
				t.Fatalf("need %d with %d bytes", need, len(in))
			}
			break
		}
		got = append(got, strings.Join(words(args), " "))
		in = in[n:]
	}
	if strings.Join(got, ",") != "PING,ECHO hi,GET k" || string(in) != "*1\r\n$4\r\nPI" {
		t.Fatalf("got %q, rest %q", got, in)
	}
}

func TestParseNeedSkipsBulk(t *testing.T) {
	var p Parser
	in := "*2\r\n$3\r\nSET\r\n$100\r\nabc"
	_, n, need, err := p.Parse([]byte(in))
	if err != nil || n != 0 {
		t.Fatal(n, err)
	}
	if want := len("*2\r\n$3\r\nSET\r\n$100\r\n") + 102; need != want {
		t.Fatalf("need %d, want %d", need, want)
	}
}

func TestParseErrors(t *testing.T) {
	lim := Limits{MaxArgs: 4, MaxBulk: 10, MaxInline: 32}
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"too many args", "*5\r\n", ErrMultibulkLength},
		{"bad count", "*x\r\n", ErrMultibulkLength},
		{"count no digits", "*\r\n", ErrMultibulkLength},
		{"count CR without LF", "*1\rx", ErrMultibulkLength},
		{"expected dollar", "*1\r\n+PING\r\n", ErrExpectedDollar},
		{"bulk too long", "*1\r\n$11\r\n", ErrBulkLength},
		{"bulk negative", "*1\r\n$-1\r\n", ErrBulkLength},
		{"bulk not a number", "*1\r\n$1a\r\n", ErrBulkLength},
		{"bulk no CRLF", "*1\r\n$2\r\nabXY", ErrBulkCRLF},
		{"inline too long", strings.Repeat("a", 33), ErrInlineTooBig},
		{"inline too long with LF", strings.Repeat("a", 40) + "\n", ErrInlineTooBig},
		{"count header too long", "*" + strings.Repeat("1", 40), ErrHeaderTooBig},
		{"bulk header too long", "*1\r\n$" + strings.Repeat("1", 40), ErrBulkHeaderBig},
		{"unbalanced double", `SET "a` + "\r\n", ErrUnbalanced},
		{"unbalanced single", `SET 'a` + "\r\n", ErrUnbalanced},
		{"quote then letter", `SET "a"b` + "\r\n", ErrUnbalanced},
		{"inline too many args", "a b c d e\r\n", ErrMultibulkLength},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := Parser{Limits: lim}
			_, _, _, err := p.Parse([]byte(tc.in))
			if err != tc.want {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseNoAllocs(t *testing.T) {
	var p Parser
	mb := AppendCommand(nil, "SET", "key:000000000042", "xxx")
	inl := []byte("SET \"a\\nb\" c\r\n")
	p.Parse(inl) // grow scratch once
	allocs := testing.AllocsPerRun(1000, func() {
		if _, n, _, err := p.Parse(mb); n != len(mb) || err != nil {
			t.Fatal(n, err)
		}
		if _, n, _, err := p.Parse(inl); n != len(inl) || err != nil {
			t.Fatal(n, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per parse", allocs)
	}
}

func TestReplies(t *testing.T) {
	var b []byte
	b = AppendSimple(b, "OK")
	b = AppendError(b, "ERR x")
	b = AppendInt(b, -7)
	b = AppendBulk(b, []byte("hi"))
	b = AppendNull(b)
	b = AppendArray(b, 2)
	b = AppendBulkString(b, "")
	if want := "+OK\r\n-ERR x\r\n:-7\r\n$2\r\nhi\r\n$-1\r\n*2\r\n$0\r\n\r\n"; !bytes.Equal(b, []byte(want)) {
		t.Fatalf("%q", b)
	}
}
