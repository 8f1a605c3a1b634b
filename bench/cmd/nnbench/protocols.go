package main

// The protocol cells (issue 15): examples/resp against redis-server and a Go
// stdlib RESP server, under the real redis-benchmark; examples/http against
// gnet's HTTP server, Go net/http and Node http, under the real wrk. The load
// tools are not ours, so these cells do not use the START/STOP protocol of
// `nnbench load`: each run is one bounded tool run (redis-benchmark -n N,
// wrk -d 1s) pinned to CPU 1, after a warm-up run, and the window is the
// tool's lifetime. The figure is the server's CPU over that window ÷ the
// requests the tool completed (connection setup is inside the window: ~50–256
// connects against ≥ 50,000 requests, under 1% of the CPU).

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	respSystems = []string{"nodenet", "redis", "stdlib"}
	httpSystems = []string{"nodenet", "gnet", "nethttp", "node"}
)

// protoSystems are the servers of the protocol cells, by cell mode and name.
var protoSystems = map[string]map[string]system{
	"resp": {
		"nodenet": {Name: "nodenet", Loops: 1, argv: binArgv("resp")},
		"redis": {Name: "redis", Loops: 1, argv: func(bin, addr string, loops int) []string {
			i := strings.LastIndexByte(addr, ':')
			return []string{"redis-server", "--bind", addr[:i], "--port", addr[i+1:], "--save", "", "--appendonly", "no",
				"--daemonize", "no", "--io-threads", "1", "--loglevel", "warning", "--dir", "/tmp"}
		}},
		"stdlib": {Name: "stdlib", Loops: 1, argv: binArgv("stdresp"), env: []string{"GOMAXPROCS=1"}},
	},
	"http": {
		"nodenet": {Name: "nodenet", Loops: 1, argv: binArgv("http")},
		"gnet":    {Name: "gnet", Loops: 1, argv: binArgv("gnethttp")},
		"nethttp": {Name: "nethttp", Loops: 1, argv: binArgv("nethttp"), env: []string{"GOMAXPROCS=1"}},
		"node": {Name: "node", Loops: 1, argv: func(bin, addr string, loops int) []string {
			return []string{filepath.Join(bin, "node"), filepath.Join(bin, "..", "node", "http.js"), "-addr", addr}
		}},
	},
}

func isProtocol(c cell) bool { return c.Mode == "resp" || c.Mode == "http" }

// lookupSystem resolves a cell's system name.
func lookupSystem(c cell, name string) system {
	if isProxyCell(c) {
		return system{Name: name, Loops: 1} // bound to its upstream per run (proxy.go)
	}
	if m, ok := protoSystems[c.Mode]; ok {
		return m[name]
	}
	return systems[name]
}

// protocolCells: RESP SET and GET at 50 connections, -P 1 and -P 16; HTTP
// plaintext at 50 and 256 connections, pipelined 16 and not.
func protocolCells() []cell {
	var cs []cell
	for _, depth := range []int{1, 16} {
		for _, op := range []string{"set", "get"} {
			cs = append(cs, cell{ID: fmt.Sprintf("resp-%s-p%d", op, depth), Title: fmt.Sprintf("RESP %s, 50 conns, -P %d", strings.ToUpper(op), depth),
				Mode: "resp", Op: op, Depth: depth, Conns: 50, Unit: "req", Systems: respSystems})
		}
	}
	for _, conns := range []int{50, 256} {
		for _, depth := range []int{1, 16} {
			title := fmt.Sprintf("HTTP plaintext, %d conns", conns)
			if depth > 1 {
				title += fmt.Sprintf(", pipelined %d", depth)
			}
			cs = append(cs, cell{ID: fmt.Sprintf("http-c%d-p%d", conns, depth), Title: title,
				Mode: "http", Op: "plaintext", Depth: depth, Conns: conns, Unit: "req", Systems: httpSystems})
		}
	}
	return cs
}

// respRequests sizes a redis-benchmark run to about a second on this
// machine (pipelined runs are ~15× faster).
func respRequests(depth int) int {
	if depth > 1 {
		return 1_000_000
	}
	return 70_000
}

const respKeyspace = "10000" // -r: GETs find the keys the warm-up SET wrote

func redisBenchmarkArgs(addr string, c cell, n int, op string, depth int) []string {
	i := strings.LastIndexByte(addr, ':')
	return []string{"taskset", "-c", "1", "redis-benchmark", "-h", addr[:i], "-p", addr[i+1:],
		"-c", strconv.Itoa(c.Conns), "-n", strconv.Itoa(n), "-P", strconv.Itoa(depth),
		"-r", respKeyspace, "-d", "3", "-t", op, "--csv"}
}

var wrkResultRe = regexp.MustCompile(`RESULT requests=(\d+) errors=(\d+) status_errors=(\d+) bytes=(\d+) p50_us=(\d+) p99_us=(\d+)`)

func wrkArgs(cfg *config, addr string, c cell, seconds int) []string {
	script := filepath.Join(cfg.bin, "..", "..", "examples", "http", "testdata", "pipeline.lua")
	return []string{"taskset", "-c", "1", "wrk", "-t1", "-c", strconv.Itoa(c.Conns), "-d", strconv.Itoa(seconds) + "s",
		"-s", script, "http://" + addr + "/" + c.Op, "--", strconv.Itoa(c.Depth)}
}

// toolRun is one run of a load tool and what it reported.
type toolRun struct {
	out      string
	cpu      float64 // the tool's user+system CPU, seconds
	units    int64
	rate     float64
	p50, p99 float64 // µs
}

func runTool(argv []string, timeout time.Duration) (toolRun, error) {
	var tr toolRun
	cmd := exec.Command(argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return tr, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		tr.out = out.String()
		if cmd.ProcessState != nil {
			tr.cpu = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
		}
		if err != nil {
			return tr, fmt.Errorf("%s: %v: %.300s", argv[3], err, tr.out)
		}
		return tr, nil
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		return tr, fmt.Errorf("%s did not finish within %v", argv[3], timeout)
	}
}

// parseRedisBenchmark reads redis-benchmark's --csv line for the test:
// "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms".
func parseRedisBenchmark(tr *toolRun, test string, n int) error {
	if strings.Contains(tr.out, "ERR") || strings.Contains(tr.out, "WARNING") {
		return fmt.Errorf("redis-benchmark: %.300s", tr.out)
	}
	recs, err := csv.NewReader(strings.NewReader(tr.out)).ReadAll()
	if err != nil {
		return fmt.Errorf("redis-benchmark csv: %v: %.300s", err, tr.out)
	}
	for _, r := range recs {
		if len(r) >= 7 && r[0] == test {
			tr.rate, _ = strconv.ParseFloat(r[1], 64)
			p50, _ := strconv.ParseFloat(r[4], 64)
			p99, _ := strconv.ParseFloat(r[6], 64)
			tr.p50, tr.p99 = p50*1000, p99*1000
			tr.units = int64(n)
			return nil
		}
	}
	return fmt.Errorf("redis-benchmark: no %s line in %.300s", test, tr.out)
}

func parseWrk(tr *toolRun, seconds int) error {
	m := wrkResultRe.FindStringSubmatch(tr.out)
	if m == nil {
		return fmt.Errorf("wrk: no RESULT line: %.300s", tr.out)
	}
	if m[2] != "0" || m[3] != "0" {
		return fmt.Errorf("wrk: %s", m[0])
	}
	tr.units, _ = strconv.ParseInt(m[1], 10, 64)
	tr.rate = float64(tr.units) / float64(seconds)
	tr.p50, _ = strconv.ParseFloat(m[5], 64)
	tr.p99, _ = strconv.ParseFloat(m[6], 64)
	return nil
}

// runProtocolOnce is runOnce for a protocol cell.
func runProtocolOnce(cfg *config, c cell, s system) (res runResult) {
	srv, addr, err := startServer(cfg, s, true)
	if err != nil {
		res.Err = err.Error()
		return
	}
	defer srv.stop()
	time.Sleep(100 * time.Millisecond)
	var warm, measure []string
	var parse func(*toolRun) error
	switch c.Mode {
	case "resp":
		// The warm-up writes the keyspace the GET cell reads, pipelined.
		warm = redisBenchmarkArgs(addr, c, 200_000, "set", 16)
		n := respRequests(c.Depth)
		measure = redisBenchmarkArgs(addr, c, n, c.Op, c.Depth)
		parse = func(tr *toolRun) error { return parseRedisBenchmark(tr, strings.ToUpper(c.Op), n) }
	case "http":
		warm = wrkArgs(cfg, addr, c, 1)
		measure = wrkArgs(cfg, addr, c, 1)
		parse = func(tr *toolRun) error { return parseWrk(tr, 1) }
	}
	if _, err := runTool(warm, 60*time.Second); err != nil {
		res.Err = "warm-up: " + err.Error()
		return
	}
	sc0, _ := procCPU(srv.pid)
	st0, me0 := readCPUStat(), selfCPU()
	t0 := time.Now()
	tr, err := runTool(measure, 60*time.Second)
	wallSec := time.Since(t0).Seconds()
	sc1, _ := procCPU(srv.pid)
	st1, me1 := readCPUStat(), selfCPU()
	if err == nil {
		err = parse(&tr)
	}
	if err != nil {
		res.Err = err.Error()
		return
	}
	wall := (st1.total - st0.total) / clkTck / float64(numCPU())
	res.Window = wallSec
	res.ServerCPU = sc1 - sc0
	res.LoadCPU = tr.cpu
	res.Foreign = ((st1.busy-st0.busy)/clkTck - res.ServerCPU - res.LoadCPU - (me1 - me0)) / wall
	if res.Foreign < 0 {
		res.Foreign = 0
	}
	res.Units = tr.units
	if tr.units > 0 {
		res.PerUnit = res.ServerCPU * 1e6 / float64(tr.units)
	}
	res.Rate = tr.rate
	res.P50, res.P99 = tr.p50, tr.p99
	if res.Units == 0 {
		res.Err = "no work done in the window"
	}
	return
}
