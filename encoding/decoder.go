package encoding

// Decoder is Node's StringDecoder, the object socket.setEncoding installs: it
// turns a stream of byte chunks into text without splitting a character
// between two outputs. The text is UTF-8 whatever the encoding of the bytes,
// except for Buffer, which passes bytes through.
//
// A Decoder is a few bytes of state with no pointers, so a socket can embed one
// by value. Reset must be called to choose an encoding; the zero value decodes
// as Buffer, copying bytes through unchanged. A Decoder is not safe for
// concurrent use.
type Decoder struct {
	enc Encoding
	// n bytes of an unfinished character (or base64 group) are held in held.
	// For utf16le the layout is: held[0:2] is a high surrogate when n >= 2,
	// and held[n-1] is an odd byte when n is odd.
	n    uint8
	held [4]byte
	// need is how many more bytes the held UTF-8 sequence's lead byte asks
	// for; it is Node's kMissingBytes.
	need uint8
}

// Reset discards any held bytes and makes d decode enc, as Node's
// readable.setEncoding does by installing a fresh StringDecoder. It panics if
// enc is not one of the Encoding constants.
func (d *Decoder) Reset(enc Encoding) {
	enc.check()
	*d = Decoder{enc: enc}
}

// Encoding returns the encoding d decodes, Node's decoder.encoding.
func (d *Decoder) Encoding() Encoding { return d.enc }

// Decode appends the text of src to dst and returns the extended slice, as
// Node's decoder.write(buffer) returns a string. Bytes that end src in the
// middle of a character (for utf8 and utf16le) or of a 3-byte group (for
// base64 and base64url) are held back and decoded with the next call, or by
// End; so the concatenated output never depends on where a stream was split,
// and each call's output is whole characters. Each call returns what Node's
// decoder.write returns for the same chunk, as UTF-8; the one exception is a
// utf16le surrogate pair (see the package comment).
//
// src is not retained and must not overlap dst's spare capacity. Decode
// allocates only when dst must grow.
func (d *Decoder) Decode(dst, src []byte) []byte {
	switch d.enc {
	case Buffer:
		return append(dst, src...)
	case UTF8:
		return d.decodeUTF8(dst, src)
	case UTF16LE:
		return d.decodeUTF16LE(dst, src)
	case Latin1:
		return latin1Text(dst, src)
	case ASCII:
		return asciiText(dst, src)
	case Hex:
		return hexText(dst, src)
	case Base64, Base64URL:
		return d.decodeBase64(dst, src)
	}
	d.enc.check()
	return dst
}

// End appends the text of whatever d still holds and leaves d empty and ready
// for a new stream in the same encoding, as Node's decoder.end() does when a
// socket reads EOF. What Node makes of the leftovers:
//
//   - utf8: an incomplete sequence becomes U+FFFD (one per maximal invalid
//     subsequence, as V8 decodes it).
//   - utf16le: an odd final byte is dropped; a high surrogate with no low
//     half becomes U+FFFD (Node returns the lone surrogate, which UTF-8 cannot
//     carry).
//   - base64 and base64url: the last 1 or 2 bytes are encoded, padded with
//     '=' for base64.
func (d *Decoder) End(dst []byte) []byte {
	if d.n == 0 {
		return dst
	}
	switch d.enc {
	case UTF8:
		dst = utf8Text(dst, d.held[:d.n])
	case UTF16LE:
		if d.n >= 2 {
			dst = append(dst, replacement...)
		}
	case Base64, Base64URL:
		dst = base64Text(dst, d.held[:d.n], d.enc)
	}
	d.n, d.need = 0, 0
	return dst
}
