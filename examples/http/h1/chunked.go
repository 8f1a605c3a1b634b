package h1

// ChunkedDecoder decodes a chunked request body (RFC 9112 §7.1) as it
// arrives, byte-exact across reads: chunk-size in hex, optional extensions
// (ignored), CRLF, data, CRLF, … a zero-size chunk, optional trailer fields
// (ignored), and the final CRLF. It holds only a few integers of state.
type ChunkedDecoder struct {
	// MaxBody bounds the decoded total (ErrBodyTooLarge past it);
	// MaxTrailer the bytes of chunk-size lines and trailers
	// (ErrTrailerTooLarge). Zero: DefaultLimits.MaxBody and 16 KiB.
	MaxBody    int64
	MaxTrailer int

	state   chunkState
	size    int64 // bytes of the current chunk still to come
	digits  int
	total   int64
	lineLen int
}

type chunkState uint8

const (
	csSize       chunkState = iota // reading hex digits
	csExt                          // after the size: extensions until LF
	csSizeLF                       // CR seen after the size line, LF next
	csData                         // chunk data
	csDataCR                       // CR after data
	csDataLF                       // LF after data
	csTrailer                      // at the start of a trailer line (or the final CRLF)
	csTrailerLn                    // inside a trailer line
	csTrailerCR                    // CR at the end of a trailer line
	csTrailerEnd                   // CR of the final empty line seen, LF next
	csDone
)

// Reset prepares the decoder for the next body.
func (d *ChunkedDecoder) Reset() { *d = ChunkedDecoder{MaxBody: d.MaxBody, MaxTrailer: d.MaxTrailer} }

// Done reports whether the final chunk and trailer have been read.
func (d *ChunkedDecoder) Done() bool { return d.state == csDone }

// Decode consumes src, appending decoded data to dst when keep is true
// (else it is counted and dropped). It returns the extended dst, the bytes
// of src consumed (all of them unless the body ended inside src), and
// whether the body is complete. Errors are *Error (400, 413 or 431).
func (d *ChunkedDecoder) Decode(dst, src []byte, keep bool) ([]byte, int, bool, error) {
	maxBody := d.MaxBody
	if maxBody <= 0 {
		maxBody = DefaultLimits.MaxBody
	}
	maxLine := d.MaxTrailer
	if maxLine <= 0 {
		maxLine = 16 << 10
	}
	i := 0
	for i < len(src) {
		c := src[i]
		switch d.state {
		case csSize:
			switch v := hexDigit(c); {
			case v >= 0:
				if d.digits == 15 {
					return dst, i, false, ErrBadChunk // over 2^60: nobody sends that
				}
				d.size = d.size<<4 | int64(v)
				d.digits++
			case d.digits == 0:
				return dst, i, false, ErrBadChunk
			case c == ';' || c == ' ' || c == '\t':
				d.state = csExt
			case c == '\r':
				d.state = csSizeLF
			case c == '\n':
				d.endSize()
			default:
				return dst, i, false, ErrBadChunk
			}
			if d.lineLen++; d.lineLen > maxLine {
				return dst, i, false, ErrTrailerTooLarge
			}
			i++
		case csExt:
			switch {
			case c == '\r':
				d.state = csSizeLF
			case c == '\n':
				d.endSize()
			case c < 0x20 && c != '\t' || c == 0x7f:
				return dst, i, false, ErrBadChunk
			}
			if d.lineLen++; d.lineLen > maxLine {
				return dst, i, false, ErrTrailerTooLarge
			}
			i++
		case csSizeLF:
			if c != '\n' {
				return dst, i, false, ErrBareCR
			}
			d.endSize()
			i++
		case csData:
			if d.total+d.size > maxBody {
				return dst, i, false, ErrBodyTooLarge
			}
			n := int64(len(src) - i)
			if n > d.size {
				n = d.size
			}
			if keep {
				dst = append(dst, src[i:i+int(n)]...)
			}
			d.size -= n
			d.total += n
			i += int(n)
			if d.size == 0 {
				d.state = csDataCR
			}
		case csDataCR:
			switch c {
			case '\r':
				d.state = csDataLF
			case '\n':
				d.nextChunk()
			default:
				return dst, i, false, ErrBadChunk
			}
			i++
		case csDataLF:
			if c != '\n' {
				return dst, i, false, ErrBareCR
			}
			d.nextChunk()
			i++
		case csTrailer:
			switch c {
			case '\r':
				d.state = csTrailerEnd
			case '\n':
				d.state = csDone
				return dst, i + 1, true, nil
			default:
				d.state = csTrailerLn
				continue // count and check it as part of the line
			}
			i++
		case csTrailerLn:
			switch {
			case c == '\r':
				d.state = csTrailerCR
			case c == '\n':
				d.state = csTrailer
			case c < 0x20 && c != '\t' || c == 0x7f:
				return dst, i, false, ErrBadChunk
			}
			if d.lineLen++; d.lineLen > maxLine {
				return dst, i, false, ErrTrailerTooLarge
			}
			i++
		case csTrailerCR:
			if c != '\n' {
				return dst, i, false, ErrBareCR
			}
			d.state = csTrailer
			i++
		case csTrailerEnd:
			if c != '\n' {
				return dst, i, false, ErrBareCR
			}
			d.state = csDone
			return dst, i + 1, true, nil
		case csDone:
			return dst, i, true, nil
		}
	}
	return dst, i, d.state == csDone, nil
}

// endSize: the chunk-size line is complete.
func (d *ChunkedDecoder) endSize() {
	if d.size == 0 {
		d.state = csTrailer // the last chunk; trailers (line lengths keep counting)
		return
	}
	d.state = csData
	d.lineLen = 0
}

func (d *ChunkedDecoder) nextChunk() {
	d.state = csSize
	d.size, d.digits = 0, 0
}

func hexDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
