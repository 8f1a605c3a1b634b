package tls

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"testing"
)

// The two parsers of the package read bytes a peer chose: helloReady (is
// the ClientHello all there?) and the wire's record framing (where does the
// next record end?). Their fuzz targets check the properties the engine
// relies on, not only the absence of panics.

// firstFlight is a real ClientHello, as crypto/tls sends it.
func firstFlight(t testing.TB) []byte {
	t.Helper()
	a, b := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- tls.Client(a, &tls.Config{ServerName: "localhost"}).Handshake() }()
	var hdr [5]byte
	if _, err := io.ReadFull(b, hdr[:]); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	if _, err := io.ReadFull(b, body); err != nil {
		t.Fatal(err)
	}
	b.Close()
	<-done
	a.Close()
	return append(hdr[:], body...)
}

// helloReady is monotonic (once the bytes are enough, more bytes are
// enough too: the server starts its handshake once and never takes it
// back) and decides from what it has (never needs more than 128 KiB).
// For a real ClientHello split over records at any point, it says "not
// yet" for every proper prefix and "ready" for the whole.
func FuzzHelloReady(f *testing.F) {
	hello := firstFlight(f)
	f.Add(hello, uint16(0))
	f.Add(hello, uint16(7))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"), uint16(0))
	f.Add([]byte{0x16, 3, 1, 0, 0}, uint16(0))
	f.Fuzz(func(t *testing.T, b []byte, split uint16) {
		ready := false
		for i := 0; i <= len(b); i++ {
			r := helloReady(b[:i])
			if ready && !r {
				t.Fatalf("ready at a prefix, not at %d bytes", i)
			}
			ready = r
		}
		if len(b) > 1<<17+1 && !ready {
			t.Fatalf("%d bytes and still waiting", len(b))
		}
		// The real hello, its handshake message split into two records at
		// split (the record layer may fragment handshake messages).
		msg := hello[5:]
		at := int(split) % (len(msg) + 1)
		var rec []byte
		for _, part := range [][]byte{msg[:at], msg[at:]} {
			if len(part) == 0 {
				continue
			}
			rec = append(rec, 0x16, 3, 1, byte(len(part)>>8), byte(len(part)))
			rec = append(rec, part...)
		}
		for i := 0; i < len(rec); i++ {
			if helloReady(rec[:i]) {
				t.Fatalf("a ClientHello split at %d: ready after %d of %d bytes", at, i, len(rec))
			}
		}
		if !helloReady(rec) {
			t.Fatalf("a ClientHello split at %d: not ready when whole", at)
		}
	})
}

// The wire in loop mode, fed the stream in chunks of the sizes the fuzzer
// picks and read with buffers of its picking, hands out exactly the bytes
// fed, in order; a read never crosses the end of a well-formed record and
// hands out nothing of one that is not all there; once the FIN is in,
// everything left comes out, then io.EOF.
func FuzzWireFraming(f *testing.F) {
	hello := firstFlight(f)
	f.Add(hello, []byte{1, 5, 200}, []byte{3, 255})
	f.Add(append(append([]byte{}, hello...), 0x17, 3, 3, 0, 2, 'h'), []byte{0}, []byte{1})
	f.Add([]byte{0x17, 3, 3, 0x48, 1, 0, 0}, []byte{2}, []byte{9})
	f.Add([]byte("\x00garbage"), []byte{4}, []byte{16})
	f.Fuzz(checkWireFraming)
}

func checkWireFraming(t *testing.T, stream, chunks, reads []byte) {
	{
		if len(chunks) == 0 {
			chunks = []byte{0}
		}
		if len(reads) == 0 {
			reads = []byte{0}
		}
		// bounds[i] is true where a well-formed record ends; incomplete is
		// where a well-formed record starts that the stream does not hold
		// whole (reads must wait there until the FIN).
		bounds := map[int]bool{}
		incomplete := -1
		for off := 0; off+recordHeaderLen <= len(stream); {
			typ, n := stream[off], int(stream[off+3])<<8|int(stream[off+4])
			if typ < 20 || typ > 24 || n > maxCiphertext {
				break
			}
			end := off + recordHeaderLen + n
			if end > len(stream) {
				incomplete = off
				break
			}
			bounds[end] = true
			off = end
		}
		w := &wire{onLoop: true, e: &engine{hs: &handshake{}}} // feed wakes hs's waiter
		w.e.hs.cond.L = &w.mu
		var got []byte
		fed, ri := 0, 0
		buf := make([]byte, 1<<16)
		drain := func(eof bool) {
			for {
				size := int(reads[ri%len(reads)])*67 + 1
				ri++
				n, err := w.Read(buf[:size])
				if n > 0 {
					start := len(got)
					for i := start + 1; i < start+n; i++ {
						if bounds[i] {
							t.Fatalf("a read of %d bytes from %d crosses the record that ends at %d", n, start, i)
						}
					}
					if !eof && incomplete >= 0 && start+n > incomplete {
						t.Fatalf("bytes %d..%d handed out of the record at %d before it was whole", start, start+n, incomplete)
					}
					got = append(got, buf[:n]...)
				}
				switch {
				case err == nil:
					if n == 0 {
						t.Fatal("a read with neither bytes nor an error")
					}
				case errors.Is(err, errWouldBlock):
					if eof {
						t.Fatal("would block after the FIN")
					}
					return
				case err == io.EOF:
					if !eof {
						t.Fatal("io.EOF before the FIN")
					}
					return
				default:
					t.Fatalf("read: %v", err)
				}
			}
		}
		for ci := 0; fed < len(stream); ci++ {
			n := min(int(chunks[ci%len(chunks)])+1, len(stream)-fed)
			if ci%2 == 0 {
				w.feed(stream[fed : fed+n]) // bytes the wire owns
			} else {
				w.lent = stream[fed : fed+n] // the loop's read buffer, lent
			}
			fed += n
			drain(false)
			w.keep()
		}
		w.setEOF()
		drain(true)
		if !bytes.Equal(got, stream) {
			t.Fatalf("handed out %d bytes, not the %d fed (or not in order)", len(got), len(stream))
		}
	}
}
