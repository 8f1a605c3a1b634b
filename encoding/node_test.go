package encoding_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/nodenet/nodenet/encoding"
)

// nodeScript computes, for the cases on stdin, what Node itself returns: each
// StringDecoder write and end, Buffer.from and Buffer.byteLength, and the
// encoding StringDecoder normalizes a name to. Text goes back as the hex of
// its UTF-8, which is where a lone surrogate becomes U+FFFD.
//
// For utf16le the parts are cut where this package cuts them: after every
// whole code unit except a final high surrogate. Node instead may end a part
// with a high surrogate and start the next with its low half (see the package
// comment); the text is Node's either way.
const nodeScript = `
const { StringDecoder } = require('string_decoder');
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const utf8hex = (s) => Buffer.from(s, 'utf8').toString('hex');
const isHigh = (c) => c >= 0xd800 && c <= 0xdbff;
const out = { decode: [], encode: [], names: [] };
for (const c of input.decode) {
  const chunks = c.chunks.map((h) => Buffer.from(h, 'hex'));
  const d = new StringDecoder(c.enc);
  let parts = chunks.map((b) => d.write(b));
  parts.push(d.end());
  if (d.encoding === 'utf16le') {
    const full = parts.join('');
    parts = [];
    let bytes = 0, prev = 0;
    for (const b of chunks) {
      bytes += b.length;
      let u = bytes >> 1;
      if (u > 0 && isHigh(full.charCodeAt(u - 1))) u--;
      parts.push(full.slice(prev, u));
      prev = u;
    }
    parts.push(full.slice(prev));
  }
  out.decode.push(parts.map(utf8hex));
}
for (const e of input.encode) {
  out.encode.push([Buffer.from(e.s, e.enc).toString('hex'), Buffer.byteLength(e.s, e.enc)]);
}
for (const n of input.names) {
  try {
    out.names.push(new StringDecoder(n).encoding);
  } catch (err) {
    out.names.push(err.code + ': ' + err.message);
  }
}
process.stdout.write(JSON.stringify(out));
`

type nodeDecodeCase struct {
	Enc    string   `json:"enc"`
	Chunks []string `json:"chunks"` // hex
}

type nodeEncodeCase struct {
	Enc string `json:"enc"`
	S   string `json:"s"`
}

type nodeInput struct {
	Decode []nodeDecodeCase `json:"decode"`
	Encode []nodeEncodeCase `json:"encode"`
	Names  []string         `json:"names"`
}

type nodeOutput struct {
	Decode [][]string `json:"decode"`
	Encode [][2]any   `json:"encode"`
	Names  []string   `json:"names"`
}

// TestAgainstNode runs node once over a fixed, seeded set of byte streams,
// chunkings, strings and names, and requires this package to agree with it.
func TestAgainstNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH")
	}
	if testing.Short() {
		t.Skip("runs node")
	}
	in := nodeCases()
	stdin, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "-e", nodeScript)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.Bytes())
	}
	var out nodeOutput
	if err := json.Unmarshal(stdout, &out); err != nil {
		t.Fatalf("node output: %v", err)
	}
	if len(out.Decode) != len(in.Decode) || len(out.Encode) != len(in.Encode) || len(out.Names) != len(in.Names) {
		t.Fatalf("node answered %d/%d/%d cases, want %d/%d/%d", len(out.Decode), len(out.Encode), len(out.Names), len(in.Decode), len(in.Encode), len(in.Names))
	}

	failures := 0
	fail := func(format string, args ...any) {
		t.Helper()
		if failures++; failures <= 30 {
			t.Errorf(format, args...)
		}
	}
	for i, c := range in.Decode {
		enc := mustParse(t, c.Enc)
		var chunks [][]byte
		for _, h := range c.Chunks {
			b, _ := hex.DecodeString(h)
			chunks = append(chunks, b)
		}
		got := decodeParts(enc, chunks...)
		for j := range got {
			got[j] = hex.EncodeToString([]byte(got[j]))
		}
		if !equalStrings(got, out.Decode[i]) {
			fail("%s %q: got %q, node %q", c.Enc, c.Chunks, got, out.Decode[i])
		}
	}
	for i, c := range in.Encode {
		enc := mustParse(t, c.Enc)
		got := hex.EncodeToString(encoding.Append(nil, c.S, enc))
		if want := out.Encode[i][0].(string); got != want {
			fail("Append(%q, %s) = %s, node %s", c.S, c.Enc, got, want)
		}
		if got, want := encoding.ByteLength(c.S, enc), int(out.Encode[i][1].(float64)); got != want {
			fail("ByteLength(%q, %s) = %d, node %d", c.S, c.Enc, got, want)
		}
	}
	for i, name := range in.Names {
		var got string
		if e, err := encoding.Parse(name); err != nil {
			got = "ERR_UNKNOWN_ENCODING: " + err.Error()
		} else {
			got = e.String()
		}
		want := out.Names[i]
		// Documented deviations: "" is Buffer here (utf8 in Node), and
		// 'buffer' names it (Node's StringDecoder rejects it).
		if name == "" || strings.ToLower(name) == "buffer" {
			want = "buffer"
		}
		if got != want {
			fail("Parse(%q) = %s, node %s", name, got, want)
		}
	}
	if failures > 0 {
		t.Fatalf("%d disagreements with node in total", failures)
	}
	t.Logf("%d decode, %d encode and %d name cases agree with %s", len(in.Decode), len(in.Encode), len(in.Names), node)
}

func mustParse(t *testing.T, name string) encoding.Encoding {
	t.Helper()
	e, err := encoding.Parse(name)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func nodeCases() nodeInput {
	rng := rand.New(rand.NewPCG(7, 8))
	var in nodeInput
	encs := []string{"utf8", "utf16le", "latin1", "ascii", "hex", "base64", "base64url"}
	addDecode := func(enc string, chunks [][]byte) {
		c := nodeDecodeCase{Enc: enc, Chunks: []string{}}
		for _, b := range chunks {
			c.Chunks = append(c.Chunks, hex.EncodeToString(b))
		}
		in.Decode = append(in.Decode, c)
	}

	streams := append([][]byte{}, splitStreams...)
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	streams = append(streams, all)
	// Every 1- to 3-byte sequence over the bytes where UTF-8's rules change.
	edges := []byte{0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xfb, 0xfc, 0xff}
	var short [][]byte
	for _, a := range edges {
		short = append(short, []byte{a})
		for _, b := range edges {
			short = append(short, []byte{a, b})
			for _, c := range edges {
				short = append(short, []byte{a, b, c})
			}
		}
	}
	for _, enc := range encs {
		for _, b := range streams {
			addDecode(enc, [][]byte{b})
			for i := 0; i <= len(b); i++ {
				addDecode(enc, splitAt(b, i))
			}
			var bytewise [][]byte
			for i := range b {
				bytewise = append(bytewise, b[i:i+1])
			}
			addDecode(enc, bytewise)
		}
		for range 400 {
			b := make([]byte, rng.IntN(48))
			for i := range b {
				if rng.IntN(4) == 0 {
					b[i] = byte(rng.Uint32())
				} else {
					b[i] = edges[rng.IntN(len(edges))]
				}
			}
			addDecode(enc, splitAt(b, randomCuts(rng, len(b), 8)...))
		}
	}
	// UTF-8 is where V8's replacement rules matter: give it every short
	// sequence, whole, held across a chunk boundary, and after a prefix.
	for _, b := range short {
		addDecode("utf8", [][]byte{b})
		addDecode("utf8", [][]byte{b[:1], b[1:], {'A'}})
		addDecode("utf8", [][]byte{append([]byte{0xe3, 0x81}, b...)})
		addDecode("utf8", [][]byte{{0xf0, 0x9f}, b})
	}
	// UTF-16 code units around the surrogate ranges, in every arrangement.
	units := []uint16{0x0041, 0x00e9, 0x3042, 0xd7ff, 0xd800, 0xd83d, 0xdbff, 0xdc00, 0xde00, 0xdfff, 0xe000, 0xfffd}
	for range 300 {
		var b []byte
		for range rng.IntN(8) {
			u := units[rng.IntN(len(units))]
			b = append(b, byte(u), byte(u>>8))
		}
		if rng.IntN(3) == 0 {
			b = append(b, byte(rng.Uint32()))
		}
		addDecode("utf16le", splitAt(b, randomCuts(rng, len(b), 6)...))
	}

	texts := []string{
		"", "hello", "héllo wörld", "あ", "😀", "😀é\u0141", "\u00ff\u0100",
		"abzz", "abc", "ABcD", "zz", "\u0161\u0162", "ab😀cd",
		"Zm9vYmFy", "Zm9vYmE=", "Zm9vYmE", "QQ==", "QQ=", "Q", "=", "==", "Q Q = =",
		" Zm9v\r\nYmFy\t", "Zm9v!!YmFy", "QQ==QUJD", "-_8", "+/8=", "QUJD\u0141\u0141\u0141\u0141",
		"QUJD😀QQ==", "QUJD\u013dQQ", "a=b=", "\uFFFD",
	}
	chars := []string{
		"A", "z", "0", "9", "f", "F", "g", "+", "/", "-", "_", "=", " ", "\n", "\t", "!",
		"é", "\u00ff", "\u0100", "\u0141", "\u0161", "\u013d", "\u0130", "あ", "😀",
		"\U0010FFFF", "\U00010000", "\uFFFD", "\u2028",
	}
	for range 600 {
		var sb strings.Builder
		for range rng.IntN(20) {
			sb.WriteString(chars[rng.IntN(len(chars))])
		}
		texts = append(texts, sb.String())
	}
	// Hex and base64 text, well formed, so the parsers' main path is covered.
	for n := range 20 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		texts = append(texts, hex.EncodeToString(b), strings.ToUpper(hex.EncodeToString(b)),
			decodeWhole(encoding.Base64, b), decodeWhole(encoding.Base64URL, b))
	}
	for _, enc := range encs {
		for _, s := range texts {
			in.Encode = append(in.Encode, nodeEncodeCase{Enc: enc, S: s})
		}
	}

	in.Names = []string{
		"", "buffer", "utf8", "utf-8", "UTF8", "UTF-8", "uTf-8", "ucs2", "ucs-2",
		"UCS2", "UCS-2", "utf16le", "utf-16le", "UTF16LE", "UTF-16LE", "Utf-16Le",
		"latin1", "Latin1", "LATIN1", "binary", "BINARY", "Binary", "ascii",
		"ASCII", "Ascii", "hex", "HEX", "Hex", "base64", "BASE64", "Base64",
		"base64url", "BASE64URL", "Base64Url", "foo", "FOO", "utf16", "utf-16",
		"utf32", "latin-1", "iso-8859-1", "base-64", "ucs", " utf8", "utf8 ",
		"baſe64", "\u212Aex", "raw", "BUFFER", "utf8\u0000",
	}
	return in
}
