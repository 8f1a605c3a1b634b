//go:build linux

package reliability

import (
	"testing"

	"go.uber.org/goleak"
)

// Every scenario stops its loops and closes its clients, and the resolver
// pool's workers exit with an empty queue, so nothing may be left running
// when the package's tests are done (descriptors are counted per test:
// checkLeaks).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
