// Package tooltest finds the real clients and servers the protocol examples
// are tested against (redis-cli, redis-benchmark, redis-server, curl, wrk).
// A missing tool fails the test, never skips it: `make test` installs them
// (scripts/install-tools.sh), so a missing one is a broken setup to report.
package tooltest

import (
	"os/exec"
	"testing"
)

// Need returns the path of the named executable, or fails the test saying
// which Debian package provides it.
func Need(tb testing.TB, name, debianPackage string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		tb.Fatalf("%s is not installed: run `make tools` (or apt-get update && apt-get install -y %s); these tests need the real client", name, debianPackage)
	}
	return p
}
