package sysnet

import (
	"testing"

	"go.uber.org/goleak"
)

// System calls start no goroutine: none may be left when the tests are done.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
