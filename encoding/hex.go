package encoding

import (
	"encoding/hex"
	"unicode/utf8"
)

// hexText appends two lowercase hex digits per byte, Node's
// buffer.toString('hex').
func hexText(dst, src []byte) []byte { return hex.AppendEncode(dst, src) }

// hexBytes appends the bytes that pairs of hex digits in s spell, Node's
// Buffer.from(string, 'hex'). Like Node it stops at the first pair holding a
// non-digit ('abzz' gives one byte), ignores a final unpaired digit, and
// reads only the low byte of each UTF-16 code unit, so U+0161 counts as 'a'.
//
// ASCII pairs are read straight from the string's bytes (an ASCII byte is
// one code unit, so the pairing is the same); only from the first non-ASCII
// byte on does it walk code units. Walking them all made a 2 MB hex string
// cost 13 ms, and under -race far more: the encoding was 90% of
// TestNC038_BackpressureDrain/write-until-false's CPU, which pushed the
// test past its hang guard on a loaded machine. dst grows once, to the
// most s can spell (ByteLength's len/2), instead of doubling per append.
func hexBytes(dst []byte, s string) []byte {
	if n := len(s) / 2; cap(dst)-len(dst) < n {
		dst = append(make([]byte, 0, len(dst)+n), dst...)
	}
	i := 0
	for ; i+1 < len(s); i += 2 {
		a, b := s[i], s[i+1]
		if a >= utf8.RuneSelf || b >= utf8.RuneSelf {
			return hexUnits(dst, s[i:])
		}
		x, y := unhex[a], unhex[b]
		if x > 0xF || y > 0xF {
			return dst
		}
		dst = append(dst, x<<4|y)
	}
	return dst // an odd digit left, or none
}

// hexUnits is hexBytes over code units, for text holding non-ASCII.
func hexUnits(dst []byte, s string) []byte {
	u := codeUnits{s: s}
	for {
		a, ok := u.next()
		if !ok {
			return dst
		}
		b, ok := u.next()
		if !ok {
			return dst
		}
		x, y := unhex[byte(a)], unhex[byte(b)]
		if x > 0xF || y > 0xF {
			return dst
		}
		dst = append(dst, x<<4|y)
	}
}

// unhex maps a hex digit of either case to its value and anything else to
// 0xFF.
var unhex = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	for i := byte(0); i < 10; i++ {
		t['0'+i] = i
	}
	for i := byte(0); i < 6; i++ {
		t['a'+i] = 10 + i
		t['A'+i] = 10 + i
	}
	return t
}()
