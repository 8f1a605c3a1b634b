package h1

import "testing"

// BenchmarkParseHead parses the heads the bench's HTTP cells send: wrk's
// plaintext GET and a POST with a body length.
func BenchmarkParseHead(b *testing.B) {
	heads := []struct{ name, head string }{
		{"wrk", "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"},
		{"browser", "GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n" +
			"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.5\r\n" +
			"Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n"},
		{"post", "POST /echo HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"},
	}
	for _, h := range heads {
		b.Run(h.name, func(b *testing.B) {
			buf := []byte(h.head)
			var p Parser
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				if _, n, err := p.ParseHead(buf); n == 0 || err != nil {
					b.Fatal(n, err)
				}
			}
		})
	}
}
