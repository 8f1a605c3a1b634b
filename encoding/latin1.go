package encoding

import "unicode/utf8"

// latin1Text appends each byte as the code point of the same value, Node's
// buffer.toString('latin1'). Bytes 0x80–0xFF take two bytes in UTF-8.
func latin1Text(dst, src []byte) []byte {
	for _, b := range src {
		if b < utf8.RuneSelf {
			dst = append(dst, b)
		} else {
			dst = append(dst, 0xC0|b>>6, 0x80|b&0x3F)
		}
	}
	return dst
}

// asciiText appends each byte with its high bit cleared, Node's
// buffer.toString('ascii'): Node decodes 'ascii' as latin1 after masking, so
// 0xE3 reads as 'c', not as U+FFFD.
func asciiText(dst, src []byte) []byte {
	n := len(dst)
	dst = append(dst, src...)
	for i := n; i < len(dst); i++ {
		dst[i] &= 0x7F
	}
	return dst
}

// latin1Bytes appends the low byte of each UTF-16 code unit of s, which is
// what Node writes for both 'latin1' and 'ascii' (V8's WriteOneByte). A
// character above U+00FF loses its high bits, and one above U+FFFF, being two
// code units in JavaScript, becomes two bytes.
func latin1Bytes(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			dst = append(dst, s[:i]...)
			u := codeUnits{s: s[i:]}
			for c, ok := u.next(); ok; c, ok = u.next() {
				dst = append(dst, byte(c))
			}
			return dst
		}
	}
	return append(dst, s...) // all ASCII: the common case, copied at once
}
