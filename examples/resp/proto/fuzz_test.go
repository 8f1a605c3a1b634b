package proto

import (
	"bytes"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the parser, whole and split at a
// fuzzed point, and checks its contract: never a panic; a result is either a
// command (n > 0, within the input, arguments within the limits), an error,
// or "incomplete" with need beyond the input; feeding the input in two
// pieces gives the same commands as feeding it whole; and a multibulk
// command re-encoded parses back to the same arguments.
//
//	go test ./examples/resp/proto -run '^$' -fuzz FuzzParse -fuzztime 60s
func FuzzParse(f *testing.F) {
	seeds := []string{
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n",
		"*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
		"PING\r\nECHO \"a\\x41\\n\" 'b\\'c'\r\n",
		"*0\r\n*-1\r\n\r\n",
		"*2\r\n$3\r\nGET\r\n$-5\r\n",
		"*9999999999\r\n",
		"*1\r\n$3\r\nabcXY",
		"SET \"unbalanced\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s), uint16(len(s)/2))
	}
	lim := Limits{MaxArgs: 64, MaxBulk: 1 << 10, MaxInline: 256}
	f.Fuzz(func(t *testing.T, in []byte, split uint16) {
		whole := parseAll(t, lim, in)
		// The same bytes in two reads, the way a connection accumulates them.
		cut := int(split) % (len(in) + 1)
		var p Parser
		p.Limits = lim
		var buf []byte
		var pieces []string
		var perr error
		for _, chunk := range [][]byte{in[:cut], in[cut:]} {
			buf = append(buf, chunk...)
			for perr == nil {
				args, n, _, err := p.Parse(buf)
				if err != nil {
					perr = err
					break
				}
				if n == 0 {
					break
				}
				pieces = append(pieces, string(bytes.Join(args, []byte{0})))
				buf = buf[n:]
			}
		}
		if perr != whole.err || len(pieces) != len(whole.cmds) {
			t.Fatalf("split at %d: %d cmds err %v; whole: %d cmds err %v", cut, len(pieces), perr, len(whole.cmds), whole.err)
		}
		for i := range pieces {
			if pieces[i] != whole.cmds[i] {
				t.Fatalf("cmd %d differs: %q vs %q", i, pieces[i], whole.cmds[i])
			}
		}
	})
}

type parsed struct {
	cmds []string
	err  error
}

func parseAll(t *testing.T, lim Limits, in []byte) parsed {
	var p Parser
	p.Limits = lim
	var out parsed
	for len(in) > 0 {
		args, n, need, err := p.Parse(in)
		if err != nil {
			out.err = err
			return out
		}
		if n == 0 {
			if need <= len(in) {
				t.Fatalf("incomplete with need %d <= %d", need, len(in))
			}
			return out
		}
		if n > len(in) {
			t.Fatalf("n %d > %d", n, len(in))
		}
		if len(args) > lim.MaxArgs {
			t.Fatalf("%d args > limit", len(args))
		}
		if in[0] == '*' {
			for _, a := range args {
				if len(a) > lim.MaxBulk {
					t.Fatalf("bulk of %d > limit", len(a))
				}
			}
			// Round trip: encode the arguments and parse them back.
			strs := make([]string, len(args))
			for i, a := range args {
				strs[i] = string(a)
			}
			enc := AppendCommand(nil, strs...)
			var q Parser
			q.Limits = lim
			back, m, _, err := q.Parse(enc)
			if err != nil || m != len(enc) || len(back) != len(args) {
				t.Fatalf("re-encoded %q: n %d err %v", enc, m, err)
			}
			for i := range back {
				if !bytes.Equal(back[i], args[i]) {
					t.Fatalf("arg %d: %q vs %q", i, back[i], args[i])
				}
			}
		}
		out.cmds = append(out.cmds, string(bytes.Join(args, []byte{0})))
		in = in[n:]
	}
	return out
}
