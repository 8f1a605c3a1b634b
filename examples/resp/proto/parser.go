// Package proto parses RESP2 requests (Redis's wire protocol) incrementally
// and appends RESP2 replies, without allocating in steady state.
//
// A request is either multibulk (`*N\r\n` then N bulk strings `$len\r\n…\r\n`,
// what every client library sends) or inline (one line of space-separated
// words, with Redis's quoting rules, what `telnet` and `redis-cli` in some
// modes send). Parse is given the bytes received so far and returns one
// command, "incomplete, need at least this many bytes", or a protocol error
// worded as Redis words it.
package proto

import (
	"bytes"
	"errors"
)

// Limits bounds what one request may hold. Redis's defaults are 1,048,576
// arguments, 512 MiB per bulk string and 64 KiB per inline line or header.
type Limits struct {
	MaxArgs   int // arguments per multibulk request
	MaxBulk   int // bytes per bulk string
	MaxInline int // bytes of an inline request or a `*`/`$` header line
}

// DefaultLimits are the server's defaults: Redis's argument count and
// inline size, and a smaller bulk limit (16 MiB) so that a single client
// cannot make one connection hold half a gigabyte.
var DefaultLimits = Limits{MaxArgs: 1 << 20, MaxBulk: 16 << 20, MaxInline: 64 << 10}

// Protocol errors, as Redis words them (the reply is `-ERR Protocol error: …`
// and the server closes the connection after sending it).
var (
	ErrMultibulkLength = errors.New("invalid multibulk length")
	ErrBulkLength      = errors.New("invalid bulk length")
	ErrExpectedDollar  = errors.New("expected '$'")
	ErrInlineTooBig    = errors.New("too big inline request")
	ErrHeaderTooBig    = errors.New("too big mbulk count string")
	ErrBulkHeaderBig   = errors.New("too big bulk count string")
	ErrUnbalanced      = errors.New("unbalanced quotes in request")
	ErrBulkCRLF        = errors.New("expected CRLF after bulk string")
)

// Parser holds the reusable argument slice and inline scratch space of one
// connection. The zero value uses DefaultLimits.
type Parser struct {
	Limits  Limits
	args    [][]byte
	scratch []byte
	got     byte
}

// Got is the byte found where ErrExpectedDollar wanted '$' (Redis's reply
// names it: "expected '$', got 'x'").
func (p *Parser) Got() byte { return p.got }

func (p *Parser) limits() Limits {
	l := p.Limits
	if l.MaxArgs <= 0 {
		l.MaxArgs = DefaultLimits.MaxArgs
	}
	if l.MaxBulk <= 0 {
		l.MaxBulk = DefaultLimits.MaxBulk
	}
	if l.MaxInline <= 0 {
		l.MaxInline = DefaultLimits.MaxInline
	}
	return l
}

// Parse reads one request from the start of buf.
//
//   - A complete request: args (empty for a blank line or `*0`, which Redis
//     ignores) and n > 0, the bytes it took. args point into buf (or, for
//     an inline request with escapes, into the parser's scratch space) and
//     are valid until the next Parse.
//   - Incomplete: n == 0, err == nil, and need > len(buf) is the length buf
//     must reach before another Parse can make progress (so a large bulk
//     string arriving in many reads is not re-scanned on every read).
//   - A protocol error: err != nil; the connection cannot be resynchronised.
func (p *Parser) Parse(buf []byte) (args [][]byte, n, need int, err error) {
	if len(buf) == 0 {
		return nil, 0, 1, nil
	}
	lim := p.limits()
	if buf[0] != '*' {
		return p.parseInline(buf, lim)
	}
	count, pos, ok, err := readHeader(buf, 1, lim.MaxInline, ErrHeaderTooBig)
	if err != nil {
		return nil, 0, 0, err
	}
	if !ok {
		return nil, 0, len(buf) + 1, nil
	}
	if count > int64(lim.MaxArgs) {
		return nil, 0, 0, ErrMultibulkLength
	}
	if count <= 0 {
		// `*0` and `*-1` are empty requests: skipped, as Redis does.
		return p.args[:0], pos, 0, nil
	}
	p.args = p.args[:0]
	for i := int64(0); i < count; i++ {
		if pos >= len(buf) {
			return nil, 0, pos + 1, nil
		}
		if buf[pos] != '$' {
			p.got = buf[pos]
			return nil, 0, 0, ErrExpectedDollar
		}
		size, next, ok, err := readHeader(buf, pos+1, lim.MaxInline, ErrBulkHeaderBig)
		if err != nil {
			return nil, 0, 0, err
		}
		if !ok {
			return nil, 0, len(buf) + 1, nil
		}
		if size < 0 || size > int64(lim.MaxBulk) {
			return nil, 0, 0, ErrBulkLength
		}
		end := next + int(size)
		if end+2 > len(buf) {
			return nil, 0, end + 2, nil
		}
		if buf[end] != '\r' || buf[end+1] != '\n' {
			return nil, 0, 0, ErrBulkCRLF
		}
		p.args = append(p.args, buf[next:end:end])
		pos = end + 2
	}
	return p.args, pos, 0, nil
}

// readHeader parses the decimal number of a `*` or `$` line that starts at
// buf[from] and ends with \r\n. ok is false while the line is incomplete.
// Anything but an optional '-' and digits is the length error of the kind.
func readHeader(buf []byte, from, max int, tooBig error) (v int64, next int, ok bool, err error) {
	i := bytes.IndexByte(buf[from:], '\r')
	if i < 0 {
		if len(buf)-from > max {
			return 0, 0, false, tooBig
		}
		return 0, 0, false, nil
	}
	if i > max {
		return 0, 0, false, tooBig
	}
	if from+i+1 >= len(buf) {
		return 0, 0, false, nil
	}
	bad := ErrBulkLength
	if tooBig == ErrHeaderTooBig {
		bad = ErrMultibulkLength
	}
	if buf[from+i+1] != '\n' {
		return 0, 0, false, bad
	}
	num := buf[from : from+i]
	neg := false
	if len(num) > 0 && num[0] == '-' {
		neg, num = true, num[1:]
	}
	if len(num) == 0 || len(num) > 18 {
		return 0, 0, false, bad
	}
	for _, c := range num {
		if c < '0' || c > '9' {
			return 0, 0, false, bad
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, from + i + 2, true, nil
}

// parseInline splits one line (ended by \n, an optional \r before it) into
// words as Redis's sdssplitargs does: runs of spaces separate words; "…"
// allows \n \r \t \b \a \\ \" and \xHH escapes; '…' allows \'; a closing
// quote must be followed by a space or the end of the line.
func (p *Parser) parseInline(buf []byte, lim Limits) ([][]byte, int, int, error) {
	nl := bytes.IndexByte(buf, '\n')
	if nl < 0 {
		if len(buf) > lim.MaxInline {
			return nil, 0, 0, ErrInlineTooBig
		}
		return nil, 0, len(buf) + 1, nil
	}
	if nl > lim.MaxInline {
		return nil, 0, 0, ErrInlineTooBig
	}
	line := buf[:nl]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	p.args = p.args[:0]
	// Decoded words are never longer than the line, so scratch never moves
	// while words point into it.
	if cap(p.scratch) < len(line) {
		p.scratch = make([]byte, 0, len(line))
	}
	sc := p.scratch[:0]
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			break
		}
		if len(p.args) >= lim.MaxArgs {
			return nil, 0, 0, ErrMultibulkLength
		}
		start := len(sc)
		inDouble, inSingle := false, false
		for done := false; !done; {
			if i == len(line) {
				if inDouble || inSingle {
					return nil, 0, 0, ErrUnbalanced
				}
				break
			}
			c := line[i]
			switch {
			case inDouble:
				switch {
				case c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					sc = append(sc, hexVal(line[i+2])<<4|hexVal(line[i+3]))
					i += 3
				case c == '\\' && i+1 < len(line):
					i++
					switch line[i] {
					case 'n':
						sc = append(sc, '\n')
					case 'r':
						sc = append(sc, '\r')
					case 't':
						sc = append(sc, '\t')
					case 'b':
						sc = append(sc, '\b')
					case 'a':
						sc = append(sc, '\a')
					default:
						sc = append(sc, line[i])
					}
				case c == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, 0, 0, ErrUnbalanced
					}
					done = true
				default:
					sc = append(sc, c)
				}
			case inSingle:
				switch {
				case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
					i++
					sc = append(sc, '\'')
				case c == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, 0, 0, ErrUnbalanced
					}
					done = true
				default:
					sc = append(sc, c)
				}
			default:
				switch {
				case isSpace(c):
					done = true
				case c == '"':
					inDouble = true
				case c == '\'':
					inSingle = true
				default:
					sc = append(sc, c)
				}
			}
			i++
		}
		p.args = append(p.args, sc[start:len(sc):len(sc)])
	}
	p.scratch = sc
	return p.args, nl + 1, 0, nil
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

func hexVal(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}
