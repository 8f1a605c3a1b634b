//go:build linux || windows

package server_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every loop a test starts returns or is stopped, resolver workers exit
// when idle and client goroutines finish: nothing may be left running.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
