// Package encoding implements the string encodings of Node's Buffer as a
// net.Socket uses them: setEncoding decodes incoming bytes to text, and
// write(string, encoding) turns text into the bytes that go on the wire.
//
// Node hands a 'data' listener a JavaScript string; this package hands it the
// same text as UTF-8 bytes, because that is what a Go string holds. Everything
// else follows Node v20 byte for byte: the encoding names Parse accepts, the
// U+FFFD substitutions V8 makes for malformed UTF-8, the lenient hex and
// base64 parsers behind Buffer.from, and Buffer.byteLength's arithmetic.
//
// # Streaming
//
// A Decoder is Node's StringDecoder. A read can end in the middle of a
// character, so a Decoder holds the incomplete tail back and finishes it with
// the next read; a character is never split between two 'data' events, and the
// text of a stream does not depend on how the network chunked it.
//
// # Deviations from Node
//
// Two follow from UTF-8 being unable to carry what a JavaScript string can, a
// lone UTF-16 surrogate:
//
//   - A lone surrogate decoded from utf16le becomes U+FFFD. The bytes on a
//     wire still match Node's, since Node's UTF-8 encoder makes the same
//     substitution when such a string is written.
//   - Node's utf16le decoder emits the high half of a surrogate pair on its
//     own when an odd byte follows it, and relies on JavaScript string
//     concatenation to rejoin the pair. A Decoder holds the high half back
//     instead, so the pair becomes one character in one event. The text of
//     the stream is the same; only where one event ends differs.
//
// And one follows from how a socket names "no encoding": Parse maps "" and
// 'buffer' (any case) to Buffer. Node's normalizeEncoding maps "" to utf8,
// and its StringDecoder rejects 'buffer'.
//
// A Go string may hold bytes that are not UTF-8, which a JavaScript string
// cannot. Append copies them unchanged for utf8, since a Go string already is
// the wire bytes, and for every other encoding reads each such byte as U+FFFD,
// as a Go range loop does.
//
// # Allocation
//
// Decode, End and Append append to the caller's slice and allocate only when
// it must grow; ByteLength and Parse never allocate (except Parse's error).
// A Decoder is a few bytes of plain state meant to be embedded in a socket.
package encoding
