package encoding

import (
	"unicode/utf16"
	"unicode/utf8"
)

// decodeUTF16LE turns little-endian code units into UTF-8, holding back an odd
// final byte and a final high surrogate. Node holds the high surrogate only
// when the chunk has even length; with an odd byte after it, Node emits it
// alone and lets JavaScript string concatenation rejoin the pair. UTF-8 has no
// half characters to rejoin, so here the surrogate is always held, and the
// pair comes out as one character in one call.
func (d *Decoder) decodeUTF16LE(dst, src []byte) []byte {
	if len(src) == 0 {
		return dst
	}
	hi, hasHi := uint16(0), d.n >= 2
	if hasHi {
		hi = uint16(d.held[0]) | uint16(d.held[1])<<8
	}
	if d.n&1 == 1 {
		u := uint16(d.held[d.n-1]) | uint16(src[0])<<8
		src = src[1:]
		dst, hi, hasHi = utf16Unit(dst, hi, hasHi, u)
	}
	for ; len(src) >= 2; src = src[2:] {
		u := uint16(src[0]) | uint16(src[1])<<8
		if u < utf8.RuneSelf && !hasHi {
			dst = append(dst, byte(u))
			continue
		}
		dst, hi, hasHi = utf16Unit(dst, hi, hasHi, u)
	}
	d.n = 0
	if hasHi {
		d.held[0], d.held[1] = byte(hi), byte(hi>>8)
		d.n = 2
	}
	if len(src) == 1 {
		d.held[d.n] = src[0]
		d.n++
	}
	return dst
}

// utf16Unit appends code unit u, given the pending high surrogate hi (if
// hasHi), and returns the new pending state. An unpaired surrogate becomes
// U+FFFD: a JavaScript string would hold it as is, but UTF-8 cannot, and
// Node's own UTF-8 encoder makes the same substitution.
func utf16Unit(dst []byte, hi uint16, hasHi bool, u uint16) ([]byte, uint16, bool) {
	if hasHi {
		if 0xDC00 <= u && u <= 0xDFFF {
			return utf8.AppendRune(dst, utf16.DecodeRune(rune(hi), rune(u))), 0, false
		}
		dst = append(dst, replacement...)
	}
	if 0xD800 <= u && u < 0xDC00 {
		return dst, u, true
	}
	// utf8.AppendRune writes U+FFFD for a lone low surrogate.
	return utf8.AppendRune(dst, rune(u)), 0, false
}

// utf16Bytes appends s as little-endian UTF-16, Node's
// Buffer.from(string, 'utf16le').
func utf16Bytes(dst []byte, s string) []byte {
	for _, r := range s { // a byte that is not UTF-8 yields U+FFFD
		if r < 0x10000 {
			dst = append(dst, byte(r), byte(r>>8))
			continue
		}
		hi, lo := utf16.EncodeRune(r)
		dst = append(dst, byte(hi), byte(hi>>8), byte(lo), byte(lo>>8))
	}
	return dst
}
