package encoding

import "strconv"

// Encoding is one of Node's Buffer encodings, the values a socket's
// setEncoding and write(string, encoding) accept once normalized. The zero
// value, Buffer, is Node's "no encoding": bytes stay bytes.
type Encoding uint8

const (
	// Buffer is a socket with no encoding set, Node's default: 'data' carries
	// the bytes as read, and a written string goes out as its UTF-8 bytes.
	Buffer Encoding = iota
	// UTF8 is Node's 'utf8' (alias 'utf-8'). Malformed input decodes to
	// U+FFFD the way V8 replaces it.
	UTF8
	// UTF16LE is Node's 'utf16le' (aliases 'utf-16le', 'ucs2', 'ucs-2'):
	// little-endian UTF-16 code units.
	UTF16LE
	// Latin1 is Node's 'latin1' (alias 'binary'): one byte per code point
	// U+0000–U+00FF.
	Latin1
	// ASCII is Node's 'ascii': decoding clears each byte's high bit; encoding
	// is the same as Latin1.
	ASCII
	// Hex is Node's 'hex': two lowercase hex digits per byte.
	Hex
	// Base64 is Node's 'base64': the standard alphabet, padded with '='.
	Base64
	// Base64URL is Node's 'base64url': the URL-safe alphabet, unpadded.
	Base64URL

	numEncodings
)

// names are Node's canonical spellings, the ones normalizeEncoding returns and
// readable.readableEncoding reports.
var names = [numEncodings]string{
	Buffer:    "buffer",
	UTF8:      "utf8",
	UTF16LE:   "utf16le",
	Latin1:    "latin1",
	ASCII:     "ascii",
	Hex:       "hex",
	Base64:    "base64",
	Base64URL: "base64url",
}

// String returns the name Node normalizes e to, e.g. "utf16le" for an
// encoding given as 'ucs2', as socket.readableEncoding would report it.
// Buffer is "buffer"; a value that is not one of the constants is
// "Encoding(n)".
func (e Encoding) String() string {
	if e < numEncodings {
		return names[e]
	}
	return "Encoding(" + strconv.Itoa(int(e)) + ")"
}

// check panics on a value that is not one of the constants. Such a value can
// only come from a conversion in the caller's code, never from Parse, so it is
// a bug to report rather than data to decode somehow.
func (e Encoding) check() {
	if e >= numEncodings {
		panic("encoding: invalid " + e.String())
	}
}
