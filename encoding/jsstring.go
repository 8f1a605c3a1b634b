package encoding

import (
	"unicode/utf16"
	"unicode/utf8"
)

// Node's string-to-bytes conversions other than utf8 work on a JavaScript
// string's UTF-16 code units, not on characters: Buffer.byteLength counts
// them, latin1 keeps each one's low byte, and the hex and base64 parsers look
// only at each one's low byte (so 'Ł', U+0141, reads as 'A'). A Go string is
// UTF-8, so these helpers present it as the code units the same text would
// have in JavaScript.

// codeUnits iterates over the UTF-16 code units of a Go string. A byte that is
// not part of valid UTF-8 is one unit, U+FFFD, as a utf8 decoder would have
// made it before the text reached JavaScript.
type codeUnits struct {
	s   string
	lo  uint16 // low surrogate still to return
	has bool   // whether lo is pending
}

// next returns the next code unit, or ok == false at the end of the string.
func (u *codeUnits) next() (unit uint16, ok bool) {
	if u.has {
		u.has = false
		return u.lo, true
	}
	if len(u.s) == 0 {
		return 0, false
	}
	if c := u.s[0]; c < utf8.RuneSelf {
		u.s = u.s[1:]
		return uint16(c), true
	}
	r, size := utf8.DecodeRuneInString(u.s)
	u.s = u.s[size:]
	if r < 0x10000 {
		return uint16(r), true
	}
	hi, lo := utf16.EncodeRune(r)
	u.lo, u.has = uint16(lo), true
	return uint16(hi), true
}

// utf16Len is JavaScript's string.length for s.
func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
		if r >= 0x10000 {
			n++ // a surrogate pair
		}
	}
	return n
}
