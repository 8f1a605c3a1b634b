package encoding

// Parse is Node's normalizeEncoding: it maps an encoding name, in any ASCII
// letter case, to its Encoding. It accepts 'utf8', 'utf-8', 'utf16le',
// 'utf-16le', 'ucs2', 'ucs-2', 'latin1', 'binary', 'ascii', 'hex', 'base64'
// and 'base64url', and, for a socket that decodes nothing, "" and 'buffer'
// (Buffer). Any other name fails with an *UnknownError, which the socket layer
// reports as ERR_UNKNOWN_ENCODING.
//
// Unlike Node, "" means Buffer rather than utf8, because here it is how a
// caller says "no encoding"; an omitted encoding that should default to utf8
// must be mapped to UTF8 by the caller.
func Parse(name string) (Encoding, error) {
	// Node lowercases with String.prototype.toLowerCase. The only non-ASCII
	// characters that lowercase into ASCII letters are U+212A KELVIN SIGN (to
	// 'k', in no encoding name) and U+0130 (to two characters), so folding
	// ASCII alone accepts exactly what Node accepts.
	switch {
	case name == "":
		return Buffer, nil
	case foldEqual(name, "utf8"), foldEqual(name, "utf-8"):
		return UTF8, nil
	case foldEqual(name, "utf16le"), foldEqual(name, "utf-16le"),
		foldEqual(name, "ucs2"), foldEqual(name, "ucs-2"):
		return UTF16LE, nil
	case foldEqual(name, "latin1"), foldEqual(name, "binary"):
		return Latin1, nil
	case foldEqual(name, "ascii"):
		return ASCII, nil
	case foldEqual(name, "hex"):
		return Hex, nil
	case foldEqual(name, "base64"):
		return Base64, nil
	case foldEqual(name, "base64url"):
		return Base64URL, nil
	case foldEqual(name, "buffer"):
		return Buffer, nil
	}
	return Buffer, &UnknownError{Name: name}
}

// foldEqual reports whether s equals the lowercase ASCII string lower when
// ASCII letters in s are lowercased. It does not allocate, unlike
// strings.ToLower, and unlike strings.EqualFold it does not fold U+017F LATIN
// SMALL LETTER LONG S onto 's', which Node would not accept.
func foldEqual(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// UnknownError is Node's ERR_UNKNOWN_ENCODING: the name given to setEncoding
// or write was not an encoding Node knows. Name is the name as given, so the
// message matches Node's exactly.
type UnknownError struct {
	Name string
}

// Error returns Node's message, "Unknown encoding: <name>".
func (e *UnknownError) Error() string { return "Unknown encoding: " + e.Name }
