package encoding

import "encoding/base64"

// decodeBase64 is Node's StringDecoder for base64 and base64url: only whole
// 3-byte groups are encoded as they arrive, and the 1 or 2 bytes after the last
// group wait for the next chunk or End. Each call's output is then whole 4-
// character quanta, and the concatenated output equals the encoding of the
// whole stream, padding included.
func (d *Decoder) decodeBase64(dst, src []byte) []byte {
	if d.n > 0 {
		k := copy(d.held[d.n:3], src)
		d.n += uint8(k)
		src = src[k:]
		if d.n < 3 {
			return dst
		}
		dst = base64Text(dst, d.held[:3], d.enc)
		d.n = 0
	}
	whole := len(src) - len(src)%3
	dst = base64Text(dst, src[:whole], d.enc)
	d.n = uint8(copy(d.held[:], src[whole:]))
	return dst
}

// base64Text appends src in base64, as Node's buffer.toString does: the
// standard alphabet with '=' padding for Base64, the URL-safe alphabet without
// padding for Base64URL.
func base64Text(dst, src []byte, enc Encoding) []byte {
	if enc == Base64URL {
		return base64.RawURLEncoding.AppendEncode(dst, src)
	}
	return base64.StdEncoding.AppendEncode(dst, src)
}

// base64Bytes appends what Node's lenient base64 parser makes of s, for both
// 'base64' and 'base64url' (Buffer.from(string, enc)). It accepts both
// alphabets mixed, skips whitespace and any other character that is not a
// digit, stops at the first '=', needs no padding, and drops the bits of an
// incomplete final byte. Like Node it reads only the low byte of each UTF-16
// code unit, so 'Ł' (U+0141) counts as 'A' and the emoji U+1F600, whose high
// surrogate's low byte is 0x3D, ends the input as '=' would.
func base64Bytes(dst []byte, s string) []byte {
	u := codeUnits{s: s}
	var acc uint // only the low 14 bits matter
	bits := 0
	for c, ok := u.next(); ok; c, ok = u.next() {
		v := unbase64[byte(c)]
		if v > 63 {
			if byte(c) == '=' {
				break
			}
			continue
		}
		acc = acc<<6 | uint(v)
		bits += 6
		if bits >= 8 {
			bits -= 8
			dst = append(dst, byte(acc>>bits))
		}
	}
	return dst
}

// unbase64 maps a character of either base64 alphabet to its value and
// anything else to 0xFF.
var unbase64 = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(std); i++ {
		t[std[i]] = byte(i)
	}
	t['-'], t['_'] = 62, 63
	return t
}()
