package encoding_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nodenet/nodenet/encoding"
)

var allEncodings = []encoding.Encoding{
	encoding.Buffer, encoding.UTF8, encoding.UTF16LE, encoding.Latin1,
	encoding.ASCII, encoding.Hex, encoding.Base64, encoding.Base64URL,
}

// decodeParts decodes chunks with one Decoder and returns each call's output,
// End's last: the strings a socket's 'data' events would carry.
func decodeParts(enc encoding.Encoding, chunks ...[]byte) []string {
	var d encoding.Decoder
	d.Reset(enc)
	parts := make([]string, 0, len(chunks)+1)
	for _, c := range chunks {
		parts = append(parts, string(d.Decode(nil, c)))
	}
	return append(parts, string(d.End(nil)))
}

// decodeWhole is buffer.toString(enc): one chunk, then End.
func decodeWhole(enc encoding.Encoding, b []byte) string {
	return strings.Join(decodeParts(enc, b), "")
}

// splitAt cuts b at the given ascending offsets.
func splitAt(b []byte, cuts ...int) [][]byte {
	var chunks [][]byte
	prev := 0
	for _, c := range cuts {
		chunks = append(chunks, b[prev:c])
		prev = c
	}
	return append(chunks, b[prev:])
}

// checkSplit checks the string_decoder invariant for one chunking: the
// concatenated output equals the whole decode, and no call's output splits a
// character (each is valid UTF-8 on its own).
func checkSplit(t *testing.T, enc encoding.Encoding, whole string, chunks [][]byte) {
	t.Helper()
	parts := decodeParts(enc, chunks...)
	if enc != encoding.Buffer {
		for i, p := range parts {
			if !utf8.ValidString(p) {
				t.Fatalf("%v: chunks %q: part %d %q is not valid UTF-8", enc, chunks, i, p)
			}
		}
	}
	if got := strings.Join(parts, ""); got != whole {
		t.Fatalf("%v: chunks %q: got %q, want %q (parts %q)", enc, chunks, got, whole, parts)
	}
}

// splitStreams are byte streams chosen to put character and group boundaries
// everywhere a split can fall.
var splitStreams = [][]byte{
	nil,
	[]byte("a"),
	[]byte("hello, world"),
	[]byte("aあ😀é\u00ff\U0010FFFFz"),
	[]byte("ああああ"),
	[]byte("😀😀"),
	[]byte("\xff\xfe\xfd"),
	[]byte("\xe3\x81A\xe3\x81"),
	[]byte("\xed\xa0\x80\xed\xbf\xbf"),
	[]byte("\xf0\x9f\x98\xf0\x9f\x98\x80"),
	[]byte("\xe0\x80\x80\xe0\xa0\x80"),
	[]byte("\xc0\xaf\xc1\xbf\xc2"),
	[]byte("\xf4\x90\x80\x80\xf4\x8f\xbf\xbf"),
	[]byte("\xf5\x80\x80\x80\xf8\x88\x80\x80\x80"),
	[]byte("\x80\x80\x80\x80\x80\xbf"),
	[]byte("a\xc3\xa9\xa9\xe3\x81\x82\x83"),
	[]byte("\xf0\x90\x80A\xf1\x80\x80\x80\xf3"),
	// UTF-16LE: 'A', a surrogate pair, a lone high, a lone low, a pair,
	// and an odd byte.
	{0x41, 0x00, 0x3d, 0xd8, 0x00, 0xde, 0x00, 0xd8, 0x41, 0x00, 0x00, 0xdc, 0xff, 0xdb, 0xff, 0xdf, 0x42},
	{0x00, 0xd8, 0x00, 0xd8, 0x00, 0xdc, 0x00, 0xdc},
	{0x3d, 0xd8, 0x3d, 0xd8, 0x3d},
}

func TestDecodeSplitEverywhere(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, enc := range allEncodings {
		for _, b := range splitStreams {
			whole := decodeWhole(enc, b)
			// One cut at every offset, and every pair of cuts.
			for i := 0; i <= len(b); i++ {
				checkSplit(t, enc, whole, splitAt(b, i))
				for j := i; j <= len(b); j++ {
					checkSplit(t, enc, whole, splitAt(b, i, j))
				}
			}
			// One byte at a time, with empty chunks between.
			var bytewise [][]byte
			for i := range b {
				bytewise = append(bytewise, b[i:i+1], nil)
			}
			checkSplit(t, enc, whole, bytewise)
			// Random multi-way cuts.
			for range 200 {
				checkSplit(t, enc, whole, splitAt(b, randomCuts(rng, len(b), 64)...))
			}
		}
	}
}

// randomCuts returns up to min(n, limit) ascending offsets in [0, n], repeats
// allowed.
func randomCuts(rng *rand.Rand, n, limit int) []int {
	cuts := make([]int, rng.IntN(min(n, limit)+1))
	for i := range cuts {
		cuts[i] = rng.IntN(n + 1)
	}
	slices.Sort(cuts)
	return cuts
}

func TestDecodeSplitRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte{0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xd8, 0xdc, 0xe0, 0xe3, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff}
	for _, enc := range allEncodings {
		for range 2000 {
			b := make([]byte, rng.IntN(40))
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
			checkSplit(t, enc, decodeWhole(enc, b), splitAt(b, randomCuts(rng, len(b), 64)...))
		}
	}
}

func TestDecodeVectors(t *testing.T) {
	type vec struct {
		enc    encoding.Encoding
		chunks []string // each Decode call's input
		parts  []string // each call's output, End's last
	}
	const fffd = "\uFFFD"
	for _, tt := range []vec{
		// utf8, valid.
		{encoding.UTF8, []string{"héllo"}, []string{"héllo", ""}},
		{encoding.UTF8, []string{"\xe3", "\x81", "\x82"}, []string{"", "", "あ", ""}},
		{encoding.UTF8, []string{"\xf0\x9f\x98", "\x80"}, []string{"", "😀", ""}},
		{encoding.UTF8, []string{"\xf0", "\x9f\x98\x80!"}, []string{"", "😀!", ""}},
		{encoding.UTF8, []string{"a\xc3", "\xa9b\xe3\x81"}, []string{"a", "éb", fffd}},
		// utf8, replacement: one U+FFFD per maximal subpart, as V8.
		{encoding.UTF8, []string{"\xff"}, []string{fffd, ""}},
		{encoding.UTF8, []string{"\xe3\x81"}, []string{"", fffd}},
		{encoding.UTF8, []string{"\xe3\x81A"}, []string{fffd + "A", ""}},
		{encoding.UTF8, []string{"\xe3\x81", "A"}, []string{"", fffd + "A", ""}},
		{encoding.UTF8, []string{"\xed\xa0\x80"}, []string{fffd + fffd + fffd, ""}},
		{encoding.UTF8, []string{"\xe0\x80\x80"}, []string{fffd + fffd + fffd, ""}},
		{encoding.UTF8, []string{"\xc0\xaf"}, []string{fffd + fffd, ""}},
		{encoding.UTF8, []string{"\xf4\x90\x80\x80"}, []string{fffd + fffd + fffd + fffd, ""}},
		{encoding.UTF8, []string{"\xf0\x9f\x98A"}, []string{fffd + "A", ""}},
		{encoding.UTF8, []string{"\xf0\x9f\x98"}, []string{"", fffd}},
		{encoding.UTF8, []string{"\x80\x80\x80\x80"}, []string{fffd + fffd + fffd + fffd, ""}},
		{encoding.UTF8, []string{"\xf8\x88\x80\x80\x80"}, []string{strings.Repeat(fffd, 5), ""}},
		// Node holds a tail by its lead byte alone, so even tails that can
		// never be valid wait for the next chunk.
		{encoding.UTF8, []string{"\xe0\x80", "A"}, []string{"", fffd + fffd + "A", ""}},
		{encoding.UTF8, []string{"\xc0", "\xaf"}, []string{"", fffd + fffd, ""}},
		{encoding.UTF8, []string{"\xf5", "\x80"}, []string{"", "", fffd + fffd}},
		// ...but not F8–FF, nor a run of 4 continuation bytes.
		{encoding.UTF8, []string{"\xf8"}, []string{fffd, ""}},
		{encoding.UTF8, []string{"\xf0\x9f\x98\x80\x80"}, []string{"😀" + fffd, ""}},
		// A continuation byte at the start of a chunk with nothing held.
		{encoding.UTF8, []string{"\x80"}, []string{fffd, ""}},
		// End makes the Decoder reusable.
		{encoding.UTF8, []string{"\xe3"}, []string{"", fffd}},

		// utf16le.
		{encoding.UTF16LE, []string{"A\x00B\x00"}, []string{"AB", ""}},
		{encoding.UTF16LE, []string{"A\x00B"}, []string{"A", ""}},
		{encoding.UTF16LE, []string{"A", "\x00"}, []string{"", "A", ""}},
		{encoding.UTF16LE, []string{"\x42\x30"}, []string{"あ", ""}},
		{encoding.UTF16LE, []string{"\x3d\xd8\x00\xde"}, []string{"😀", ""}},
		{encoding.UTF16LE, []string{"\x3d\xd8", "\x00\xde"}, []string{"", "😀", ""}},
		// Node would emit "\ud83d" then "\ude00"; UTF-8 cannot split them.
		{encoding.UTF16LE, []string{"\x3d\xd8\x00", "\xde"}, []string{"", "😀", ""}},
		{encoding.UTF16LE, []string{"\x3d", "\xd8", "\x00", "\xde"}, []string{"", "", "", "😀", ""}},
		{encoding.UTF16LE, []string{"\x3d\xd8"}, []string{"", fffd}},
		{encoding.UTF16LE, []string{"\x3d\xd8\x41"}, []string{"", fffd}},
		{encoding.UTF16LE, []string{"\x3d\xd8A\x00"}, []string{fffd + "A", ""}},
		{encoding.UTF16LE, []string{"\x00\xdc"}, []string{fffd, ""}},
		{encoding.UTF16LE, []string{"\x00\xd8\x00\xd8\x00\xdc"}, []string{fffd + "\U00010000", ""}},

		// latin1 / ascii.
		{encoding.Latin1, []string{"\x41\xe9\xff\x00"}, []string{"Aéÿ\x00", ""}},
		{encoding.ASCII, []string{"\xff\x41\xe3\x80"}, []string{"\x7fAc\x00", ""}},

		// hex.
		{encoding.Hex, []string{"\x00\xab\xff", "\x10"}, []string{"00abff", "10", ""}},

		// base64: only whole 3-byte groups until End.
		{encoding.Base64, []string{"foobar"}, []string{"Zm9vYmFy", ""}},
		{encoding.Base64, []string{"fooba"}, []string{"Zm9v", "YmE="}},
		{encoding.Base64, []string{"f", "o", "o", "b"}, []string{"", "", "Zm9v", "", "Yg=="}},
		{encoding.Base64, []string{"fo", "ob", "ar"}, []string{"", "Zm9v", "YmFy", ""}},
		{encoding.Base64, []string{"\xfb\xff"}, []string{"", "+/8="}},
		{encoding.Base64URL, []string{"\xfb\xff"}, []string{"", "-_8"}},
		{encoding.Base64URL, []string{"fooba", "r"}, []string{"Zm9v", "YmFy", ""}},
		{encoding.Base64URL, []string{"f"}, []string{"", "Zg"}},

		// Buffer passes bytes through, valid or not.
		{encoding.Buffer, []string{"\xff\xe3", "\x81"}, []string{"\xff\xe3", "\x81", ""}},
	} {
		var chunks [][]byte
		for _, c := range tt.chunks {
			chunks = append(chunks, []byte(c))
		}
		if got := decodeParts(tt.enc, chunks...); !equalStrings(got, tt.parts) {
			t.Errorf("%v %q: got %q, want %q", tt.enc, tt.chunks, got, tt.parts)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// NC-034: 'あ' × 40960 sent as UTF-8 arrives as exactly 40960 characters,
// whatever the chunking.
func TestDecodeJapaneseNC034(t *testing.T) {
	const n = 40960
	b := []byte(strings.Repeat("あ", n))
	rng := rand.New(rand.NewPCG(5, 6))
	sizes := []int{1, 2, 3, 4, 5, 7, 1000, 1024, 4096, 16384, 65536, len(b)}
	for _, size := range sizes {
		var d encoding.Decoder
		d.Reset(encoding.UTF8)
		var count int
		var out []byte
		for off := 0; off < len(b); off += size {
			out = d.Decode(out[:0], b[off:min(off+size, len(b))])
			if !utf8.Valid(out) {
				t.Fatalf("chunk size %d: event at %d is not valid UTF-8", size, off)
			}
			count += utf8.RuneCount(out)
			if strings.Trim(string(out), "あ") != "" {
				t.Fatalf("chunk size %d: event at %d holds %q", size, off, out)
			}
		}
		count += utf8.RuneCount(d.End(out[:0]))
		if count != n {
			t.Errorf("chunk size %d: %d characters, want %d", size, count, n)
		}
	}
	for range 20 {
		got := strings.Join(decodeParts(encoding.UTF8, splitAt(b, randomCuts(rng, len(b), 200)...)...), "")
		if got != string(b) {
			t.Fatal("random chunking changed the text")
		}
	}
}

func TestDecoderZeroValueIsBuffer(t *testing.T) {
	var d encoding.Decoder
	if d.Encoding() != encoding.Buffer {
		t.Fatalf("zero Decoder encoding = %v", d.Encoding())
	}
	if got := d.End(d.Decode(nil, []byte("\xff\x00"))); !bytes.Equal(got, []byte("\xff\x00")) {
		t.Errorf("zero Decoder = %q", got)
	}
}

func TestDecoderResetDiscardsHeldBytes(t *testing.T) {
	var d encoding.Decoder
	d.Reset(encoding.UTF8)
	d.Decode(nil, []byte("\xe3\x81"))
	d.Reset(encoding.UTF8)
	if got := string(d.End(d.Decode(nil, []byte("A")))); got != "A" {
		t.Errorf("after Reset: %q, want %q", got, "A")
	}
	d.Reset(encoding.Base64)
	if d.Encoding() != encoding.Base64 {
		t.Errorf("Encoding() = %v", d.Encoding())
	}
}

func TestDecodeAppendsToDst(t *testing.T) {
	var d encoding.Decoder
	d.Reset(encoding.Hex)
	if got := string(d.Decode([]byte("x:"), []byte{1})); got != "x:01" {
		t.Errorf("Decode kept %q", got)
	}
}

func TestDecodeDoesNotAllocate(t *testing.T) {
	src := []byte("héllo wörld あ😀 \xff\xe3\x81 A\x00\x3d\xd8\x00\xde")
	for _, enc := range allEncodings {
		var d encoding.Decoder
		d.Reset(enc)
		dst := make([]byte, 0, 1024)
		n := testing.AllocsPerRun(100, func() {
			// Split so that every call also holds and finishes bytes.
			dst = d.Decode(dst[:0], src[:7])
			dst = d.Decode(dst, src[7:])
			dst = d.End(dst)
		})
		if n != 0 {
			t.Errorf("%v: %v allocations per run", enc, n)
		}
	}
}
