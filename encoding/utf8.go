package encoding

import "unicode/utf8"

// replacement is U+FFFD in UTF-8: what V8 puts in place of bytes that are not
// UTF-8, and what this package puts in place of lone UTF-16 surrogates.
const replacement = "\uFFFD"

// decodeUTF8 is Node's string_decoder.cc for utf8, step for step, so that each
// call returns what Node's decoder.write would, not merely the same text
// overall. Node holds a tail by looking only at its lead byte, so it also holds
// tails that can never become valid (such as "\xe0\x80"); their U+FFFDs then
// come with the next chunk, exactly as here.
func (d *Decoder) decodeUTF8(dst, src []byte) []byte {
	if d.n > 0 {
		// Finish the held character with the continuation bytes it asked
		// for. A byte that cannot continue it ends it early: V8 then
		// replaces the held bytes, and that byte starts the next character.
		k := 0
		for k < len(src) && d.need > 0 && src[k]&0xC0 == 0x80 {
			d.held[d.n] = src[k]
			d.n++
			d.need--
			k++
		}
		if k < len(src) {
			d.need = 0
		}
		if d.need > 0 {
			return dst // src ran out first: keep waiting
		}
		dst = utf8Text(dst, d.held[:d.n])
		d.n = 0
		src = src[k:]
	}
	if len(src) == 0 {
		return dst
	}
	n, need := utf8Tail(src)
	body := src[:len(src)-n]
	copy(d.held[:], src[len(body):])
	d.n, d.need = uint8(n), uint8(need)
	return utf8Text(dst, body)
}

// utf8Tail returns how many bytes at the end of p start a character that p
// does not finish, and how many more bytes that character's lead byte asks
// for. Like Node it trusts the lead byte: C0, C1 and F5–F7 are held as if
// they could start a character, though V8 will replace them anyway, while a
// run of four or more continuation bytes, or F8–FF, is never held.
func utf8Tail(p []byte) (n, need int) {
	if p[len(p)-1] < utf8.RuneSelf {
		return 0, 0
	}
	for i := len(p) - 1; ; i-- {
		n++
		c := p[i]
		if c&0xC0 == 0x80 { // continuation byte
			if n >= 4 || i == 0 {
				// Either too long for one character, or the rest of a
				// character held from the previous chunk, which Node
				// has already given up on.
				return 0, 0
			}
			continue
		}
		var size int
		switch {
		case c&0xE0 == 0xC0:
			size = 2
		case c&0xF0 == 0xE0:
			size = 3
		case c&0xF8 == 0xF0:
			size = 4
		default: // ASCII or F8–FF: nothing can follow it
			return 0, 0
		}
		if n >= size {
			return 0, 0 // complete, or too long to ever be valid
		}
		return n, size - n
	}
}

// utf8Text appends p with every maximal subpart of an ill-formed sequence
// replaced by one U+FFFD, the WHATWG decoding V8's String::NewFromUtf8 does
// and so what Node's buffer.toString('utf8') returns. Go's own decoding
// (utf8.DecodeRune, for range) replaces one byte at a time instead, which
// would turn a truncated "\xe3\x81" into two U+FFFD where Node has one.
func utf8Text(dst, p []byte) []byte {
	if utf8.Valid(p) {
		return append(dst, p...)
	}
	for len(p) > 0 {
		n := validPrefix(p)
		dst = append(dst, p[:n]...)
		if n == len(p) {
			break
		}
		dst = append(dst, replacement...)
		p = p[n+maximalSubpart(p[n:]):]
	}
	return dst
}

// validPrefix returns the length of the longest prefix of p that is UTF-8.
func validPrefix(p []byte) int {
	i := 0
	for i < len(p) {
		if p[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	return i
}

// maximalSubpart returns the length of the ill-formed sequence at the start of
// p that one U+FFFD replaces: the longest prefix that a well-formed character
// could start with (Unicode §3.9, table 3-7), or else 1 byte. p must not start
// with a well-formed character.
func maximalSubpart(p []byte) int {
	var size int
	lo, hi := byte(0x80), byte(0xBF) // range of the second byte
	switch c := p[0]; {
	case 0xC2 <= c && c <= 0xDF:
		size = 2
	case c == 0xE0:
		size, lo = 3, 0xA0 // no overlong forms
	case c == 0xED:
		size, hi = 3, 0x9F // no surrogates
	case 0xE1 <= c && c <= 0xEF:
		size = 3
	case c == 0xF0:
		size, lo = 4, 0x90 // no overlong forms
	case c == 0xF4:
		size, hi = 4, 0x8F // nothing past U+10FFFF
	case 0xF1 <= c && c <= 0xF3:
		size = 4
	default: // a continuation byte, C0, C1 or F5–FF
		return 1
	}
	n := 1
	for n < size && n < len(p) && lo <= p[n] && p[n] <= hi {
		lo, hi = 0x80, 0xBF
		n++
	}
	return n
}
