package encoding_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/nodenet/nodenet/encoding"
)

// FuzzDecoderSplit checks, for any bytes, encoding and two cut points, that a
// Decoder never panics, never splits a character between calls, produces the
// same text however the stream is cut, and produces the text an independent
// reference decoder does.
func FuzzDecoderSplit(f *testing.F) {
	for i, b := range splitStreams {
		f.Add(b, uint16(i), uint16(i*7), uint8(i))
	}
	f.Add([]byte("\xf0\x9f\x98\x80"), uint16(3), uint16(3), uint8(1))
	f.Add([]byte{0x3d, 0xd8, 0x00, 0xde}, uint16(3), uint16(1), uint8(2))
	f.Add([]byte("fooba"), uint16(1), uint16(4), uint8(6))
	f.Fuzz(func(t *testing.T, data []byte, cut1, cut2 uint16, encIdx uint8) {
		enc := allEncodings[int(encIdx)%len(allEncodings)]
		whole := decodeWhole(enc, data)
		if want := referenceDecode(enc, data); whole != want {
			t.Fatalf("%v %q: decoded %q, reference %q", enc, data, whole, want)
		}
		a, b := int(cut1)%(len(data)+1), int(cut2)%(len(data)+1)
		if a > b {
			a, b = b, a
		}
		checkSplit(t, enc, whole, splitAt(data, a, b))
		if len(data) <= 64 {
			var bytewise [][]byte
			for i := range data {
				bytewise = append(bytewise, data[i:i+1])
			}
			checkSplit(t, enc, whole, bytewise)
		}
	})
}

// FuzzAppend checks, for any string and encoding, that Append never panics,
// that ByteLength bounds it (exactly where Node's is exact), that the bytes
// decode back to what was written, and, for the encodings whose text is made
// of ASCII digits, that Append parses like a simple reference parser.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{
		"", "hello", "héllo 😀", "\xff\xed\xa0\x80", "abzz", "abc", "\u0161\u0162",
		"Zm9vYmE=", "Q Q = =", "QQ==QUJD", "-_8", "+/8=", "QUJD😀QQ==", "Zm9v!!YmFy",
	} {
		for i := range allEncodings {
			f.Add(s, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, s string, encIdx uint8) {
		enc := allEncodings[int(encIdx)%len(allEncodings)]
		out := encoding.Append(nil, s, enc)
		n := encoding.ByteLength(s, enc)
		exact := enc != encoding.Hex && enc != encoding.Base64 && enc != encoding.Base64URL
		if (exact && n != len(out)) || n < len(out) {
			t.Fatalf("ByteLength(%q, %v) = %d, Append wrote %d", s, enc, n, len(out))
		}
		text := decodeWhole(enc, out)
		switch enc {
		case encoding.Buffer, encoding.UTF8:
			if string(out) != s {
				t.Fatalf("Append(%q, %v) = %q", s, enc, out)
			}
		case encoding.UTF16LE:
			if want := string([]rune(s)); text != want {
				t.Fatalf("utf16le %q: decoded back to %q, want %q", s, text, want)
			}
		case encoding.Latin1, encoding.Hex, encoding.Base64, encoding.Base64URL:
			// Text this package produced reads back to the same bytes.
			if back := encoding.Append(nil, text, enc); !bytes.Equal(back, out) {
				t.Fatalf("%v %q: %x decoded to %q, which appends as %x", enc, s, out, text, back)
			}
			data := []byte(s)
			if back := encoding.Append(nil, decodeWhole(enc, data), enc); !bytes.Equal(back, data) {
				t.Fatalf("%v: %x did not round-trip: %x", enc, data, back)
			}
		}
		if !isASCII(s) {
			return
		}
		switch enc {
		case encoding.Hex:
			if want := referenceHex(s); !bytes.Equal(out, want) {
				t.Fatalf("hex %q: %x, reference %x", s, out, want)
			}
		case encoding.Base64, encoding.Base64URL:
			if want := referenceBase64(s); !bytes.Equal(out, want) {
				t.Fatalf("%v %q: %x, reference %x", enc, s, out, want)
			}
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// referenceDecode decodes a whole buffer with the standard library or a
// literal transcription of a spec, independently of the package's code.
func referenceDecode(enc encoding.Encoding, b []byte) string {
	switch enc {
	case encoding.Buffer:
		return string(b)
	case encoding.UTF8:
		return whatwgUTF8(b)
	case encoding.UTF16LE:
		units := make([]uint16, len(b)/2)
		for i := range units {
			units[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		return string(utf16.Decode(units)) // lone surrogates become U+FFFD
	case encoding.Latin1, encoding.ASCII:
		var sb strings.Builder
		for _, c := range b {
			if enc == encoding.ASCII {
				c &= 0x7F
			}
			sb.WriteRune(rune(c))
		}
		return sb.String()
	case encoding.Hex:
		return hex.EncodeToString(b)
	case encoding.Base64:
		return base64.StdEncoding.EncodeToString(b)
	case encoding.Base64URL:
		return base64.RawURLEncoding.EncodeToString(b)
	}
	panic("unreachable")
}

// whatwgUTF8 is the WHATWG Encoding Standard's UTF-8 decoder (§4.1, "UTF-8
// decoder"), step for step, with replacement error mode: the algorithm V8
// implements.
func whatwgUTF8(b []byte) string {
	var sb strings.Builder
	var cp rune
	seen, needed := 0, 0
	lower, upper := byte(0x80), byte(0xBF)
	for i := 0; i < len(b); i++ {
		c := b[i]
		if needed == 0 {
			switch {
			case c <= 0x7F:
				sb.WriteByte(c)
			case 0xC2 <= c && c <= 0xDF:
				needed, cp = 1, rune(c&0x1F)
			case 0xE0 <= c && c <= 0xEF:
				if c == 0xE0 {
					lower = 0xA0
				}
				if c == 0xED {
					upper = 0x9F
				}
				needed, cp = 2, rune(c&0xF)
			case 0xF0 <= c && c <= 0xF4:
				if c == 0xF0 {
					lower = 0x90
				}
				if c == 0xF4 {
					upper = 0x8F
				}
				needed, cp = 3, rune(c&0x7)
			default:
				sb.WriteRune(utf8.RuneError)
			}
			continue
		}
		if c < lower || c > upper {
			cp, needed, seen = 0, 0, 0
			lower, upper = 0x80, 0xBF
			i-- // prepend the byte to the stream
			sb.WriteRune(utf8.RuneError)
			continue
		}
		lower, upper = 0x80, 0xBF
		cp = cp<<6 | rune(c&0x3F)
		if seen++; seen == needed {
			sb.WriteRune(cp)
			cp, needed, seen = 0, 0, 0
		}
	}
	if needed != 0 {
		sb.WriteRune(utf8.RuneError)
	}
	return sb.String()
}

// referenceHex is Node's hex parser for ASCII input, restated: the longest
// prefix of whole digit pairs.
func referenceHex(s string) []byte {
	n := 0
	for n+1 < len(s) && isHexDigit(s[n]) && isHexDigit(s[n+1]) {
		n += 2
	}
	b, err := hex.DecodeString(s[:n])
	if err != nil {
		panic(err)
	}
	return b
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// referenceBase64 is Node's base64 parser for ASCII input, restated with the
// standard library: keep the digits of either alphabet before the first '=',
// drop a final lone digit, and decode the rest unpadded.
func referenceBase64(s string) []byte {
	if i := strings.IndexByte(s, '='); i >= 0 {
		s = s[:i]
	}
	var digits []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/':
			digits = append(digits, c)
		case c == '-':
			digits = append(digits, '+')
		case c == '_':
			digits = append(digits, '/')
		}
	}
	if len(digits)%4 == 1 {
		digits = digits[:len(digits)-1]
	}
	b, err := base64.RawStdEncoding.DecodeString(string(digits))
	if err != nil {
		panic(err)
	}
	return b
}
