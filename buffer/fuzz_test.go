package buffer

import (
	"bytes"
	"testing"
)

// FuzzQueue drives a Queue with an operation script decoded from the fuzz
// input — writes of varied sizes, partial consumes, resets — and checks it
// against a bytes.Buffer model: no byte lost, duplicated or reordered, and
// Len/Pushed/Flushed always consistent.
func FuzzQueue(f *testing.F) {
	f.Add([]byte{0, 10, 1, 5, 0, 200, 1, 255, 2, 0, 3})
	f.Add(bytes.Repeat([]byte{0, 255, 1, 7}, 50))
	f.Fuzz(func(t *testing.T, script []byte) {
		for _, chunk := range []int{1, 7, 64, 16 << 10} {
			q := NewQueue(NewPool(chunk))
			var model bytes.Buffer
			var pushed, flushed uint64
			fill := byte(0)
			for i := 0; i+1 < len(script); i += 2 {
				op, arg := script[i]%4, int(script[i+1])
				switch op {
				case 0, 3: // write arg*k bytes
					n := arg * (1 + int(script[i])/4%8)
					p := make([]byte, n)
					for k := range p {
						p[k] = fill
						fill++
					}
					if op == 3 {
						q.WriteString(string(p))
					} else {
						q.Write(p)
					}
					model.Write(p)
					pushed += uint64(n)
				case 1: // consume up to arg*k bytes, checking them first
					n := min(arg*(1+int(script[i])/4%8), q.Len())
					segs := q.Peek(nil)
					var got []byte
					for _, s := range segs {
						got = append(got, s...)
					}
					if !bytes.Equal(got, model.Bytes()) {
						t.Fatalf("chunk %d: queue holds %d bytes differing from the model's %d", chunk, len(got), model.Len())
					}
					q.Consume(n)
					model.Next(n)
					flushed += uint64(n)
				case 2:
					if arg%16 == 0 {
						q.Reset()
						model.Reset()
						pushed, flushed = 0, 0
					}
				}
				if q.Len() != model.Len() || q.Pushed() != pushed || q.Flushed() != flushed {
					t.Fatalf("chunk %d: Len %d Pushed %d Flushed %d; model %d %d %d", chunk, q.Len(), q.Pushed(), q.Flushed(), model.Len(), pushed, flushed)
				}
			}
		}
	})
}
