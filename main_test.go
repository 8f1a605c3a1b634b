package nodenet

import (
	"testing"

	"go.uber.org/goleak"
)

// The poller tests close every poller they open, and a poller owns no
// goroutine, so nothing may be left running when the tests are done.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
