package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/nodenet/nodenet/examples/http/httpd"
	"github.com/nodenet/nodenet/examples/resp/respd"
	"github.com/nodenet/nodenet/reactor"
	"github.com/nodenet/nodenet/server"
	"github.com/nodenet/nodenet/socket"
)

// protoAllocs hosts examples/resp (respd) or examples/http (httpd) in this
// process on one loop — the same handler the examples run — drives it with
// the real redis-benchmark or wrk on CPU 1 after a warm-up run, and counts
// the runtime's mallocs during the measured run: heap allocations per
// protoOp is -op for -proto kind: its default when empty (a kind's ops
// differ: "get" asked examples/http for /get, which answered 404 to every
// request and so failed the run), or a fatal error when kind has no such op.
func protoOp(kind, op string) string {
	ops := map[string][]string{"resp": {"get", "set"}, "http": {"plaintext", "json"}}[kind]
	if len(ops) == 0 {
		fatalf("allocs -proto: resp or http, not %q", kind)
	}
	if op == "" {
		return ops[0]
	}
	for _, o := range ops {
		if o == op {
			return op
		}
	}
	fatalf("allocs -proto %s: -op is one of %v, not %q", kind, ops, op)
	return ""
}

// request in steady state. op is set/get (resp) or plaintext/json (http).
func protoAllocs(kind, op string, conns, depth int) {
	group, err := reactor.NewGroup(1, reactor.RoundRobin)
	if err != nil {
		fatalf("%v", err)
	}
	var serve func(*socket.Socket)
	var served func() int64
	switch kind {
	case "resp":
		rs := respd.New(respd.Options{})
		serve, served = rs.Serve, rs.Commands
	case "http":
		hs, err := httpd.New(httpd.Options{})
		if err != nil {
			fatalf("%v", err)
		}
		serve, served = hs.Serve, hs.Requests
	default:
		fatalf("allocs -proto: resp or http, not %q", kind)
	}
	srv, err := server.New(server.Options{Loop: group.Loops()[0], StreamOptions: socket.StreamOptions{AllowHalfOpen: true}}, serve)
	if err != nil {
		fatalf("%v", err)
	}
	group.Start()
	defer group.Stop()
	listening := make(chan struct{})
	if err := srv.Listen(server.ListenOptions{Host: "127.0.0.1", Port: freePort()}, func() { close(listening) }); err != nil {
		fatalf("listen: %v", err)
	}
	<-listening
	addr := srv.Address().String()
	self, _ := os.Executable()
	cfg := &config{self: self, bin: "bin"}
	c := cell{Mode: kind, Op: op, Conns: conns, Depth: depth}
	var warm, measure []string
	// The tool runs ~3 s; the count is taken over the middle second, after
	// its connections are up and before they close: a connection's own
	// allocations (its Socket and handler state) are not per request.
	n := 3 * respRequests(depth)
	switch kind {
	case "resp":
		warm = redisBenchmarkArgs(addr, c, 200_000, "set", 16)
		measure = redisBenchmarkArgs(addr, c, n, op, depth)
	case "http":
		warm, measure = wrkArgs(cfg, addr, c, 1), wrkArgs(cfg, addr, c, 3)
	}
	if _, err := runTool(warm, 60*time.Second); err != nil {
		fatalf("warm-up: %v", err)
	}
	runtime.GC()
	type toolDone struct {
		tr  toolRun
		err error
	}
	done := make(chan toolDone, 1)
	go func() {
		tr, err := runTool(measure, 60*time.Second)
		done <- toolDone{tr, err}
	}()
	var m0, m1 runtime.MemStats
	time.Sleep(600 * time.Millisecond)
	s0 := served()
	runtime.ReadMemStats(&m0)
	time.Sleep(time.Second)
	runtime.ReadMemStats(&m1)
	units := served() - s0
	d := <-done
	tr, err := d.tr, d.err
	if err == nil {
		if kind == "resp" {
			err = parseRedisBenchmark(&tr, strings.ToUpper(op), n)
		} else {
			err = parseWrk(&tr, 3)
		}
	}
	if err != nil {
		fatalf("%v", err)
	}
	if tr.rate > 0 && float64(units) < 0.5*tr.rate {
		fatalf("the count window was not inside the tool's run: %d requests in it, %.0f/s overall", units, tr.rate)
	}
	tr.units = units
	ar := allocResult{Conns: conns, Size: depth, Msgs: tr.units, Mallocs: m1.Mallocs - m0.Mallocs,
		Bytes: m1.TotalAlloc - m0.TotalAlloc, GCs: m1.NumGC - m0.NumGC, Workload: fmt.Sprintf("%s %s, %d conns, depth %d", kind, op, conns, depth)}
	if tr.units > 0 {
		ar.MallocsPerMsg = float64(ar.Mallocs) / float64(tr.units)
		ar.BytesPerMsg = float64(ar.Bytes) / float64(tr.units)
	}
	json.NewEncoder(os.Stdout).Encode(ar)
}

// runProtoAllocs runs `nnbench allocs -proto …` pinned to CPU 0.
func runProtoAllocs(cfg *config, kind, op string, conns, depth int) (allocResult, error) {
	var ar allocResult
	cmd := exec.Command("taskset", "-c", "0", cfg.self, "allocs", "-proto", kind, "-op", op,
		"-c", strconv.Itoa(conns), "-depth", strconv.Itoa(depth))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return ar, fmt.Errorf("allocs %s %s: %v", kind, op, err)
	}
	err = json.Unmarshal(out, &ar)
	return ar, err
}

// protocolAllocSets: every protocol workload of the cells, nodenet only.
var protocolAllocSets = []struct {
	kind, op     string
	conns, depth int
}{
	{"resp", "set", 50, 1}, {"resp", "get", 50, 1}, {"resp", "set", 50, 16}, {"resp", "get", 50, 16},
	{"http", "plaintext", 50, 1}, {"http", "plaintext", 256, 16}, {"http", "json", 50, 16},
}
