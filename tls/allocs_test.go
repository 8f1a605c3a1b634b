package tls_test

import (
	"runtime"
	"testing"

	"github.com/nodenet/nodenet/internal/looptest"
	"github.com/nodenet/nodenet/socket"
	nntls "github.com/nodenet/nodenet/tls"
)

// What an echoed message costs once the handshake is done, on both ends: a
// nodenet TLS client and a nodenet TLS echo server on one loop, 1 KiB
// messages, every malloc of the process counted. nodenet allocates
// nothing; crypto/tls allocates one 24-byte object per record it reads
// from the wire (readFromUntil's &atLeastReader escapes into
// bytes.Buffer.ReadFrom) and nothing per record it writes: a round trip is
// two records read, so two allocations.
func TestEchoAllocations(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	l := newLoop(t)
	msg := make([]byte, 1024)
	echoed := make(chan struct{}, 1)
	secure := make(chan struct{})
	var client *nntls.TLSSocket
	var srv *nntls.Server
	l.Post(func() {
		srv = listenTLS(t, l, nntls.ServerOptions{}, func(s *nntls.TLSSocket) { s.Pipe(s.Socket, nil) }, func(_ *nntls.Server, port int) {
			c, err := nntls.Connect(nntls.ConnectOptions{ConnectOptions: socket.ConnectOptions{Loop: l, Port: port, Host: "127.0.0.1"},
				Servername: "localhost", SecureContextOptions: nntls.SecureContextOptions{CA: ecCert.CertPEM}}, func() { close(secure) })
			if err != nil {
				t.Error(err)
				return
			}
			got := 0
			c.OnData(func(b []byte) {
				got += len(b)
				if got == len(msg) {
					got = 0
					echoed <- struct{}{}
				}
			})
			client = c
		})
	})
	wait := looptest.GoRun(t, l, hangGuard)
	<-secure
	send := func() { client.Send(msg, nil) }
	roundTrip := func() {
		if err := l.Post(send); err != nil {
			t.Fatal(err)
		}
		<-echoed
	}
	for i := 0; i < 200; i++ { // tickets, buffers and pools settle
		roundTrip()
	}
	avg := mallocsPerRun(2000, roundTrip)
	l.Post(func() { client.End(nil, nil); srv.Close(nil) })
	wait()
	// Under -race sync.Pool drops a quarter of its Puts: crypto/tls's
	// pooled record buffers (two encrypts a round trip, each drop costing
	// the pool entry and its buffer) and the reactor's task node come back
	// as about 1.7 allocations more (measured 3.69-3.78); one allocation
	// of nodenet's own per message would still exceed the bound. Without
	// -race the 0.05 is a rare runtime allocation outside the echo (2.001).
	limit := 2.05
	if raceEnabled {
		limit = 4.5
	}
	if avg > limit {
		t.Fatalf("%.3f allocations per echoed 1 KiB message (client and server); want at most %.2f, crypto/tls's one per record read", avg, limit)
	}
	t.Logf("%.3f allocations per round trip (one record read on each end)", avg)
}

// mallocsPerRun is testing.AllocsPerRun without its rounding down to whole
// allocations: the mean number of mallocs of the process per call of f.
func mallocsPerRun(runs int, f func()) float64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for i := 0; i < runs; i++ {
		f()
	}
	runtime.ReadMemStats(&m1)
	return float64(m1.Mallocs-m0.Mallocs) / float64(runs)
}
