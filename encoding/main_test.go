package encoding_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Encoding is pure computation: no test may leave a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
