//go:build linux

package reliability

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// soakMode reports whether the long versions were asked for (make soak).
func soakMode() bool { return os.Getenv("NODENET_SOAK") == "1" }

// raiseFDLimit lifts the soft open-file limit to the hard one (20,000 on
// these machines) so one process can hold thousands of connections.
func raiseFDLimit(t testing.TB) uint64 {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	rl.Cur = rl.Max
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	return rl.Cur
}

// fdCount is the number of open descriptors of this process.
func fdCount(t testing.TB) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// settle waits (bounded) for goroutines and descriptors to return to a
// baseline: helpers such as the resolver pool exit asynchronously.
func settle(t testing.TB, fds, goroutines int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f, g := fdCount(t), runtime.NumGoroutine()
		if f <= fds && g <= goroutines {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			n := runtime.Stack(buf, true)
			t.Fatalf("leak: fds %d (baseline %d), goroutines %d (baseline %d)\n%s", f, fds, g, goroutines, buf[:n])
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond) // polling a process-wide count, not synchronising with our code
	}
}

// child re-runs this test binary as a helper process running test name with
// env set.
func child(t testing.TB, name string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$", "-test.v", "-test.timeout=20m")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	return cmd
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}
