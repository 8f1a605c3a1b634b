//go:build linux

package server_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nodenet/nodenet"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"golang.org/x/sys/unix"
)

const emfileChildEnv = "NODENET_TEST_EMFILE_CHILD"

// childFDLimit is the child's RLIMIT_NOFILE: a few descriptors for the
// runtime, the loop and the listener, about 50 for connections.
const childFDLimit = 64

// TestHelperEMFILEServer is the child process of TestEMFILEServerSurvives:
// an echo server with only childFDLimit descriptors. It prints "PORT n",
// then answers "stats" on stdin with "STATS <cpu ns> <error events>
// <first error code> <connections>" — from a plain goroutine, so it answers
// even if the loop were spinning — and exits on EOF.
func TestHelperEMFILEServer(t *testing.T) {
	if os.Getenv(emfileChildEnv) != "1" {
		t.Skip("helper process for TestEMFILEServerSurvives")
	}
	// Make the Go runtime create its own poller now: it does so lazily (on
	// the first timer or pollable file), and would crash if that happened
	// while the descriptor table is full.
	if r, w, err := os.Pipe(); err == nil {
		r.SetReadDeadline(time.Now().Add(time.Hour))
		r.Close()
		w.Close()
	}
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		fmt.Println("FATAL", err)
		os.Exit(2)
	}
	rl.Cur = childFDLimit
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		fmt.Println("FATAL", err)
		os.Exit(2)
	}
	l, err := reactor.New()
	if err != nil {
		fmt.Println("FATAL", err)
		os.Exit(2)
	}
	var errCount atomic.Int32
	var firstCode atomic.Value
	firstCode.Store("-")
	srv, err := server.New(server.Options{Loop: l}, echo)
	if err != nil {
		fmt.Println("FATAL", err)
		os.Exit(2)
	}
	srv.OnError(func(err error) {
		if errCount.Add(1) == 1 {
			firstCode.Store(nodenet.ErrnoCode(err))
		}
	})
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1"}, func() {
		fmt.Printf("PORT %d\n", srv.Address().(*net.TCPAddr).Port)
	}); err != nil {
		fmt.Println("FATAL", err)
		os.Exit(2)
	}
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			if sc.Text() == "stats" {
				var ru unix.Rusage
				_ = unix.Getrusage(unix.RUSAGE_SELF, &ru)
				cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
				fmt.Printf("STATS %d %d %s %d\n", cpu.Nanoseconds(), errCount.Load(), firstCode.Load(), srv.Connections())
			}
		}
		os.Exit(0) // the parent closed stdin
	}()
	_ = l.Run()
	fmt.Println("FATAL loop returned")
	os.Exit(2)
}

type childStats struct {
	cpu       time.Duration
	errors    int
	firstCode string
	conns     int
}

// TestEMFILEServerSurvives floods a server that has few descriptors: it
// must not spin (its CPU time stays low: checked under `make soak`), report the exhaustion once, keep
// serving the connections it has, and accept again once some close.
func TestEMFILEServerSurvives(t *testing.T) {
	if os.Getenv(emfileChildEnv) == "1" {
		t.Skip("in the child")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperEMFILEServer$", "-test.count=1")
	cmd.Env = append(os.Environ(), emfileChildEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(hangGuard):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("child stderr:\n%s", stderr.String())
		}
	})
	next := func(prefix string) []string {
		t.Helper()
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("child exited while waiting for %s", prefix)
				}
				if strings.HasPrefix(line, "FATAL") {
					t.Fatalf("child: %s", line)
				}
				if f := strings.Fields(line); len(f) > 0 && f[0] == prefix {
					return f[1:]
				}
			case <-time.After(hangGuard):
				t.Fatalf("timed out waiting for the child's %s line (a spinning child answers late)", prefix)
			}
		}
	}
	stats := func() childStats {
		t.Helper()
		if _, err := io.WriteString(stdin, "stats\n"); err != nil {
			t.Fatalf("child gone: %v", err)
		}
		f := next("STATS")
		cpu, _ := strconv.ParseInt(f[0], 10, 64)
		n, _ := strconv.Atoi(f[1])
		c, _ := strconv.Atoi(f[3])
		return childStats{time.Duration(cpu), n, f[2], c}
	}
	p, _ := strconv.Atoi(next("PORT")[0])
	addr := loopback(p)

	// 20 long-lived connections, each proven to echo.
	var old []net.Conn
	for i := 0; i < 20; i++ {
		c := dial(t, "tcp", addr)
		old = append(old, c)
		echoOn(t, c, fmt.Sprintf("old %d", i))
	}
	defer func() {
		for _, c := range old {
			c.Close()
		}
	}()

	// Flood for a second from 4 goroutines: the first connections
	// use up the child's descriptors and stay open; after that every dial
	// meets EMFILE in the child. Each later connection is closed at once,
	// so the parent does not pile up descriptors.
	before := stats()
	start := time.Now()
	var kept []net.Conn
	var mu sync.Mutex
	var dials atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The deadline ends the flood window (a dial into a full
			// backlog waits for it); it synchronises nothing.
			// The ticker paces the flood (~2,000 connections/s in all) so
			// the child's legitimate work stays far below a spinning
			// loop's full core whatever the machine's speed.
			d := net.Dialer{Deadline: start.Add(time.Second)}
			tick := time.NewTicker(2 * time.Millisecond)
			defer tick.Stop()
			for time.Since(start) < time.Second {
				<-tick.C
				c, err := d.Dial("tcp", addr)
				if err != nil {
					continue // the backlog may overflow: that is the point
				}
				dials.Add(1)
				mu.Lock()
				if len(kept) < 100 {
					kept = append(kept, c)
					c = nil
				}
				mu.Unlock()
				if c != nil {
					c.Close()
				}
			}
		}()
	}
	wg.Wait()
	during := stats()
	wall := time.Since(start)
	cpuShare := float64(during.cpu-before.cpu) / float64(wall)
	t.Logf("flood: %d connections in %v; child CPU %v = %.1f%% of one core; %d error event(s), first %s; %d live connections",
		dials.Load(), wall.Round(time.Millisecond), (during.cpu - before.cpu).Round(time.Millisecond), 100*cpuShare, during.errors, during.firstCode, during.conns)
	// A spinning loop burns a whole core (measured here, under gVisor and
	// -race: 57-66%); handling the paced flood costs a few percent. That is
	// a timing assertion, so it is made only in `make soak`
	// (NODENET_SOAK=1), never in `make test`, where a loaded machine could
	// fail it; there the share is only logged.
	if os.Getenv("NODENET_SOAK") == "1" && cpuShare > 0.3 {
		t.Errorf("child used %.0f%% of a core while flooded: the loop spins on EMFILE", 100*cpuShare)
	}
	if during.errors != 1 || during.firstCode != "EMFILE" {
		t.Errorf("error events %d (first %s); want exactly one EMFILE for the whole episode", during.errors, during.firstCode)
	}
	if during.conns < 20 || during.conns >= childFDLimit {
		t.Errorf("child holds %d connections", during.conns)
	}

	// The connections it had are still served.
	for i, c := range old {
		echoOn(t, c, fmt.Sprintf("still %d", i))
	}

	// Free descriptors: close what the flood left open and half of the old
	// connections; then a new client is served again. A client that still
	// met the exhausted table is closed by the child (EOF): try again.
	for _, c := range kept {
		c.Close()
	}
	for _, c := range old[:10] {
		c.Close()
	}
	old = old[10:]
	deadline := time.Now().Add(hangGuard)
	for attempt := 1; ; attempt++ {
		if time.Now().After(deadline) {
			t.Fatal("no new connection was served after descriptors were freed")
		}
		c := dial(t, "tcp", addr)
		ok := tryEcho(c, "new")
		c.Close()
		if ok {
			t.Logf("new client served on attempt %d", attempt)
			break
		}
	}
	after := stats()
	if after.conns > childFDLimit {
		t.Errorf("child holds %d connections", after.conns)
	}
}

func echoOn(t testing.TB, c net.Conn, msg string) {
	t.Helper()
	if !tryEcho(c, msg) {
		t.Fatalf("no echo of %q", msg)
	}
}

func tryEcho(c net.Conn, msg string) bool {
	_ = c.SetDeadline(time.Now().Add(hangGuard))
	if _, err := c.Write([]byte(msg)); err != nil {
		return false
	}
	buf := make([]byte, len(msg))
	_, err := io.ReadFull(c, buf)
	return err == nil && string(buf) == msg
}
