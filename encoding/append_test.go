package encoding_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nodenet/nodenet/encoding"
)

func TestAppendVectors(t *testing.T) {
	for _, tt := range []struct {
		enc  encoding.Encoding
		s    string
		want string
	}{
		{encoding.Buffer, "h\xffé", "h\xffé"},
		{encoding.UTF8, "héllo 😀", "héllo 😀"},
		{encoding.UTF8, "\xff\xed\xa0\x80", "\xff\xed\xa0\x80"}, // as is

		{encoding.UTF16LE, "A", "A\x00"},
		{encoding.UTF16LE, "Aあ😀", "A\x00\x42\x30\x3d\xd8\x00\xde"},
		{encoding.UTF16LE, "\xff", "\xfd\xff"}, // not UTF-8: U+FFFD

		{encoding.Latin1, "Aé\u00ff", "A\xe9\xff"},
		{encoding.Latin1, "\u0141", "\x41"},               // low byte kept
		{encoding.Latin1, "😀é\u0141", "\x3d\x00\xe9\x41"}, // two code units
		{encoding.Latin1, "\xff", "\xfd"},
		{encoding.ASCII, "Aé\u0141", "A\xe9\x41"}, // same as latin1

		{encoding.Hex, "", ""},
		{encoding.Hex, "00abff", "\x00\xab\xff"},
		{encoding.Hex, "ABcD", "\xab\xcd"},
		{encoding.Hex, "abzz", "\xab"},
		{encoding.Hex, "abzzcd", "\xab"},
		{encoding.Hex, "abc", "\xab"},
		{encoding.Hex, "zz", ""},
		{encoding.Hex, "a", ""},
		{encoding.Hex, " ab", ""},
		{encoding.Hex, "\u0161\u0162", "\xab"}, // low bytes 'a', 'b'
		{encoding.Hex, "ab😀", "\xab"},
		// ASCII pairs, then code units from the first non-ASCII byte on:
		// the pairing carries across the switch.
		{encoding.Hex, "ab\u0161\u0162cd", "\xab\xab\xcd"},
		{encoding.Hex, "abc\u0161", "\xab\xca"},
		{encoding.Hex, "a\u0161", "\xaa"},
		{encoding.Hex, "ab\u0161", "\xab"},
		{encoding.Hex, "abcd\xff", "\xab\xcd"},

		{encoding.Base64, "", ""},
		{encoding.Base64, "Zm9vYmFy", "foobar"},
		{encoding.Base64, "Zm9vYmE=", "fooba"},
		{encoding.Base64, "Zm9vYmE", "fooba"},
		{encoding.Base64, "Zm9vYg==", "foob"},
		{encoding.Base64, "Zm9vYg", "foob"},
		{encoding.Base64, "QQ==", "A"},
		{encoding.Base64, "Q", ""},
		{encoding.Base64, "Q Q = =", "A"},
		{encoding.Base64, " Zm9v\r\nYmFy\t", "foobar"},
		{encoding.Base64, "Zm9v!!YmFy", "foobar"},
		{encoding.Base64, "QQ==QUJD", "A"},
		{encoding.Base64, "-_8", "\xfb\xff"},
		{encoding.Base64, "+/8=", "\xfb\xff"},
		{encoding.Base64, "QUJD\u0141\u0141\u0141\u0141", "ABC\x00\x00\x00"},
		{encoding.Base64, "QUJD😀QQ==", "ABC"},
		{encoding.Base64URL, "-_8", "\xfb\xff"},
		{encoding.Base64URL, "+/8=", "\xfb\xff"},
		{encoding.Base64URL, "Zm9vYmE", "fooba"},
	} {
		if got := string(encoding.Append(nil, tt.s, tt.enc)); got != tt.want {
			t.Errorf("Append(%q, %v) = %q, want %q", tt.s, tt.enc, got, tt.want)
		}
		// Append appends.
		if got := string(encoding.Append([]byte("pre"), tt.s, tt.enc)); got != "pre"+tt.want {
			t.Errorf("Append(\"pre\", %q, %v) = %q", tt.s, tt.enc, got)
		}
	}
}

func TestByteLengthVectors(t *testing.T) {
	for _, tt := range []struct {
		enc  encoding.Encoding
		s    string
		want int
	}{
		{encoding.UTF8, "héllo", 6},
		{encoding.UTF8, "😀", 4},
		{encoding.Buffer, "\xff", 1},
		{encoding.UTF16LE, "Aé", 4},
		{encoding.UTF16LE, "😀", 4},
		{encoding.UTF16LE, "\xff", 2},
		{encoding.Latin1, "Aé", 2},
		{encoding.Latin1, "😀", 2},
		{encoding.ASCII, "あ", 1},
		{encoding.Hex, "abzz", 2}, // Node counts length, not digits
		{encoding.Hex, "abc", 1},
		{encoding.Hex, "", 0},
		{encoding.Base64, "", 0},
		{encoding.Base64, "=", 0},
		{encoding.Base64, "==", 0},
		{encoding.Base64, "QQ==", 1},
		{encoding.Base64, "QQ=", 1},
		{encoding.Base64, "QQ", 1},
		{encoding.Base64, "Q Q = ", 4},
		{encoding.Base64, "Zm9vYmFy", 6},
		{encoding.Base64URL, "Zm9vYmE", 5},
	} {
		if got := encoding.ByteLength(tt.s, tt.enc); got != tt.want {
			t.Errorf("ByteLength(%q, %v) = %d, want %d", tt.s, tt.enc, got, tt.want)
		}
	}
}

// ByteLength is exact where Node's is, and an upper bound everywhere.
func TestByteLengthBoundsAppend(t *testing.T) {
	inputs := []string{
		"", "a", "héllo", "😀é\u0141", "\xff\xfe", "abzz", "abc", "QQ==",
		"Q Q = =", "QQ==QUJD", "Zm9v!!YmFy", "==", "=a=", strings.Repeat("😀", 9),
	}
	for _, enc := range allEncodings {
		for _, s := range inputs {
			n, got := encoding.ByteLength(s, enc), len(encoding.Append(nil, s, enc))
			exact := enc != encoding.Hex && enc != encoding.Base64 && enc != encoding.Base64URL
			if (exact && n != got) || n < got {
				t.Errorf("ByteLength(%q, %v) = %d; Append wrote %d", s, enc, n, got)
			}
		}
	}
}

// NC-033 (Node's test-net-binary): every byte value survives a latin1
// round trip, in both directions.
func TestLatin1RoundTripNC033(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	text := decodeWhole(encoding.Latin1, all)
	if got := encoding.Append(nil, text, encoding.Latin1); !bytes.Equal(got, all) {
		t.Errorf("Append(Decode(x)) = %x", got)
	}
	if n := encoding.ByteLength(text, encoding.Latin1); n != 256 {
		t.Errorf("ByteLength = %d", n)
	}
	var runes []rune
	for r := range rune(256) {
		runes = append(runes, r)
	}
	if text != string(runes) {
		t.Errorf("Decode(x) = %q", text)
	}
	if got := encoding.Append(nil, string(runes), encoding.Latin1); !bytes.Equal(got, all) {
		t.Errorf("Append(U+0000..U+00FF) = %x", got)
	}
	// ascii keeps the low half only.
	if got := encoding.Append(nil, decodeWhole(encoding.ASCII, all), encoding.ASCII); !bytes.Equal(got[:128], all[:128]) || !bytes.Equal(got[128:], all[:128]) {
		t.Errorf("ascii: Append(Decode(x)) = %x", got)
	}
}

// Decoding then encoding is the identity for the encodings that can
// represent any bytes.
func TestDecodeAppendRoundTrip(t *testing.T) {
	for _, b := range splitStreams {
		for _, enc := range []encoding.Encoding{encoding.Buffer, encoding.Latin1, encoding.Hex, encoding.Base64, encoding.Base64URL} {
			if got := encoding.Append(nil, decodeWhole(enc, b), enc); !bytes.Equal(got, b) {
				t.Errorf("%v: %x round-tripped to %x", enc, b, got)
			}
		}
	}
}

func TestAppendDoesNotAllocate(t *testing.T) {
	inputs := map[encoding.Encoding]string{
		encoding.Buffer:    "héllo 😀",
		encoding.UTF8:      "héllo 😀",
		encoding.UTF16LE:   "héllo 😀",
		encoding.Latin1:    "héllo 😀",
		encoding.ASCII:     "hello",
		encoding.Hex:       "00abcdef",
		encoding.Base64:    "Zm9v YmFy==",
		encoding.Base64URL: "-_8",
	}
	dst := make([]byte, 0, 256)
	for enc, s := range inputs {
		if n := testing.AllocsPerRun(100, func() { dst = encoding.Append(dst[:0], s, enc) }); n != 0 {
			t.Errorf("Append(%v): %v allocations per run", enc, n)
		}
		if n := testing.AllocsPerRun(100, func() { _ = encoding.ByteLength(s, enc) }); n != 0 {
			t.Errorf("ByteLength(%v): %v allocations per run", enc, n)
		}
	}
}

// A long hex string into a nil buffer is one allocation, not a doubling
// per append: SendString(…, "hex") of 2 MB of text did 20 growths of its
// buffer, copying 2 MiB along the way, on the loop.
func TestHexAppendGrowsOnce(t *testing.T) {
	s := strings.Repeat("ab", 1<<20)
	var out []byte
	if n := testing.AllocsPerRun(50, func() { out = encoding.Append(nil, s, encoding.Hex) }); n != 1 {
		t.Errorf("Append(nil, 2 MB of hex): %v allocations, want 1", n)
	}
	if len(out) != 1<<20 || out[0] != 0xab || out[len(out)-1] != 0xab {
		t.Errorf("Append(nil, 2 MB of hex) gave %d bytes", len(out))
	}
}

func BenchmarkAppendHex(b *testing.B) {
	for _, tc := range []struct{ name, s string }{
		{"ascii-2MB", strings.Repeat("ab", 1<<20)},
		{"latin-tail", strings.Repeat("ab", 1<<10) + strings.Repeat("\u0161\u0162", 1<<10)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			dst := make([]byte, 0, len(tc.s)/2)
			b.SetBytes(int64(len(tc.s)))
			for b.Loop() {
				dst = encoding.Append(dst[:0], tc.s, encoding.Hex)
			}
		})
	}
}
