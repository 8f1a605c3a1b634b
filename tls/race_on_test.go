//go:build race

package tls_test

// raceEnabled: under the race detector sync.Pool drops a quarter of what is
// put back (sync/pool.go), so pooled buffers — crypto/tls's record buffer,
// the reactor's task nodes — are reallocated now and then.
const raceEnabled = true
