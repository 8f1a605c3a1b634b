// Package jsfmt formats values the way Node's error messages show them, for
// messages that quote what the caller passed.
package jsfmt

import (
	"strconv"
	"strings"
)

// Quote quotes s the way Node's util.inspect shows a string in an
// error message: single quotes (double quotes when s holds a single quote
// and no double one), control characters as \n, \t, ... or \xHH.
func Quote(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\v':
			b.WriteString(`\v`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte("0123456789ABCDEF"[r>>4])
			b.WriteByte("0123456789ABCDEF"[r&15])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// OutOfRangeInt is how Node's ERR_OUT_OF_RANGE prints an integer it
// received: beyond 2^32 in magnitude with '_' between groups of three
// digits (addNumericalSeparator), "1_099_511_627_776".
func OutOfRangeInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n <= 1<<32 && n >= -(1<<32) {
		return s
	}
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('_')
		}
		b.WriteByte(s[i])
	}
	return sign + b.String()
}
