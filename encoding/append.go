package encoding

// Append appends the bytes that Node's Buffer.from(s, enc) would produce,
// which is what socket.write(s, enc) puts on the wire, and returns the
// extended slice. It allocates only when dst must grow, and panics if enc is
// not one of the Encoding constants.
//
// Buffer and UTF8 copy s unchanged: a Go string already is UTF-8, and bytes
// in it that are not valid UTF-8 go out as they are. For the other encodings
// s is read as JavaScript would hold it, as UTF-16 code units, with any byte
// that is not UTF-8 read as U+FFFD:
//
//   - UTF16LE writes each code unit little-endian.
//   - Latin1 and ASCII write each code unit's low byte, so characters above
//     U+00FF are truncated as Node truncates them.
//   - Hex decodes digit pairs up to the first pair that is not one.
//   - Base64 and Base64URL share Node's lenient parser: either alphabet,
//     whitespace and junk skipped, padding optional, stop at '='.
func Append(dst []byte, s string, enc Encoding) []byte {
	switch enc {
	case Buffer, UTF8:
		return append(dst, s...)
	case UTF16LE:
		return utf16Bytes(dst, s)
	case Latin1, ASCII:
		return latin1Bytes(dst, s)
	case Hex:
		return hexBytes(dst, s)
	case Base64, Base64URL:
		return base64Bytes(dst, s)
	}
	enc.check()
	return dst
}

// ByteLength is Node's Buffer.byteLength(s, enc), which Node also uses to
// count a string write that is still queued in socket.bytesWritten. It
// does not allocate. It equals len(Append(nil, s, enc)) except for Hex, Base64
// and Base64URL, where Node computes it from the length of s alone (half the
// code units for hex; three quarters of them, less up to two trailing '=', for
// base64), so malformed input can make it larger than what Append writes; it is
// never smaller. It panics if enc is not one of the Encoding constants.
func ByteLength(s string, enc Encoding) int {
	switch enc {
	case Buffer, UTF8:
		return len(s)
	case UTF16LE:
		return 2 * utf16Len(s)
	case Latin1, ASCII:
		return utf16Len(s)
	case Hex:
		return utf16Len(s) >> 1
	case Base64, Base64URL:
		n := utf16Len(s)
		// '=' is one byte in UTF-8 and one code unit in UTF-16, so
		// looking at the bytes of s is looking at its code units.
		if n > 0 && s[len(s)-1] == '=' {
			n--
			if n > 1 && s[len(s)-2] == '=' {
				n--
			}
		}
		return n * 3 >> 2
	}
	enc.check()
	return 0
}
