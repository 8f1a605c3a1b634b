package encoding

import "encoding/hex"

// hexText appends two lowercase hex digits per byte, Node's
// buffer.toString('hex').
func hexText(dst, src []byte) []byte { return hex.AppendEncode(dst, src) }

// hexBytes appends the bytes that pairs of hex digits in s spell, Node's
// Buffer.from(string, 'hex'). Like Node it stops at the first pair holding a
// non-digit ('abzz' gives one byte), ignores a final unpaired digit, and
// reads only the low byte of each UTF-16 code unit, so U+0161 counts as 'a'.
func hexBytes(dst []byte, s string) []byte {
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
