package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A system is one echo server implementation.
type system struct {
	Name  string
	Loops int
	argv  func(bin, addr string, loops int) []string
	env   []string
	// sidecar is the pid of a process the cell runs beside the server
	// (a proxy cell's upstream echo): its CPU is measured apart and not
	// counted as other processes' disturbance.
	sidecar int
}

func binArgv(name string) func(bin, addr string, loops int) []string {
	return func(bin, addr string, loops int) []string {
		return []string{filepath.Join(bin, name), "-addr", addr, "-loops", strconv.Itoa(loops)}
	}
}

var systems = map[string]system{
	"nodenet": {Name: "nodenet", Loops: 1, argv: binArgv("nodenet")},
	"cepoll":  {Name: "cepoll", Loops: 1, argv: binArgv("cepoll")},
	"gnet":    {Name: "gnet", Loops: 1, argv: binArgv("gnet")},
	"node": {Name: "node", Loops: 1, argv: func(bin, addr string, loops int) []string {
		return []string{filepath.Join(bin, "node"), filepath.Join(bin, "..", "node", "echo.js"), "-addr", addr}
	}},
	"stdlib":    {Name: "stdlib", Loops: 1, argv: binArgv("stdlib"), env: []string{"GOMAXPROCS=1"}},
	"nodenet×2": {Name: "nodenet×2", Loops: 2, argv: binArgv("nodenet")},
	"gnet×2":    {Name: "gnet×2", Loops: 2, argv: binArgv("gnet")},
	// The same server with one SO_REUSEPORT listener per loop instead of the
	// default single acceptor, to choose the default by measurement.
	"nodenet×2rp": {Name: "nodenet×2rp", Loops: 2, argv: func(bin, addr string, loops int) []string {
		return append(binArgv("nodenet")(bin, addr, loops), "-balance", "reuseport")
	}},
}

var mainSystems = []string{"nodenet", "cepoll", "gnet", "node", "stdlib"}

// tlsSystems serve the TLS cells: nodenet's echo -tls, Node's tls echo and
// the stdlib's crypto/tls echo (goroutine per connection).
var tlsSystems = []string{"nodenet", "node", "stdlib"}

// nodePath is the pinned Node (bin/node, installed by build.sh).
var nodePath = "bin/node"

// A cell is one workload, run against several systems in every round.
type cell struct {
	ID       string
	Title    string
	Mode     string // pingpong | stream | churn | idle
	Conns    int
	Size     int
	Srcs     int
	Unit     string // what one unit of work is: msg, MB, conn, B/conn
	Systems  []string
	Unpinned bool // the server is not pinned (Group of 2)
	// Repeat measures each system this many times per round, interleaved
	// (A B C … A B C …); the round's figure is total CPU ÷ total work. The
	// streaming cell needs it: on these machines every server's streaming
	// run lands in one of two modes (≈ 600 or ≈ 780 µs/MB for the same
	// binary, seemingly at random), so one run per system per round made
	// the per-round ratio a coin toss.
	Repeat int
	// Op and Depth describe a protocol cell (protocols.go): the command or
	// route, and the pipelining depth.
	Op    string `json:",omitempty"`
	Depth int    `json:",omitempty"`
	// TLS, when set, runs the cell over TLS with that server key: "ecdsa"
	// (P-256) or "rsa" (2048); the churn mode is then a full handshake per
	// connection (tls.go).
	TLS string `json:",omitempty"`
	// Via is "proxy" for a proxy cell (proxy.go): the load goes through
	// the system, a proxy, to an upstream echo server.
	Via string `json:",omitempty"`
}

func (c cell) repeat() int {
	if c.Repeat > 1 {
		return c.Repeat
	}
	return 1
}

func fullCells() []cell {
	return []cell{
		{ID: "pp64-1", Title: "ping-pong 64 B, 1 conn", Mode: "pingpong", Conns: 1, Size: 64, Unit: "msg", Systems: mainSystems},
		{ID: "pp64-50", Title: "ping-pong 64 B, 50 conns", Mode: "pingpong", Conns: 50, Size: 64, Unit: "msg", Systems: mainSystems},
		{ID: "pp64-1000", Title: "ping-pong 64 B, 1,000 conns", Mode: "pingpong", Conns: 1000, Size: 64, Unit: "msg", Systems: mainSystems},
		{ID: "pp4k-50", Title: "ping-pong 4 KiB, 50 conns", Mode: "pingpong", Conns: 50, Size: 4096, Unit: "msg", Systems: mainSystems},
		{ID: "stream-10", Title: "streaming 64 KiB writes, 10 conns", Mode: "stream", Conns: 10, Size: 65536, Unit: "MB", Systems: mainSystems, Repeat: 3},
		{ID: "churn", Title: "connection churn (connect, 64 B echo, close), 16 workers", Mode: "churn", Conns: 16, Size: 64, Srcs: 4, Unit: "conn", Systems: mainSystems},
		{ID: "idle-15k", Title: "idle memory, 15,000 conns", Mode: "idle", Conns: 15000, Size: 1, Srcs: 4, Unit: "B/conn", Systems: mainSystems},
		{ID: "group2", Title: "ping-pong 64 B, 1,000 conns, 2 loops, server unpinned", Mode: "pingpong", Conns: 1000, Size: 64, Unit: "msg", Systems: []string{"nodenet×2", "nodenet×2rp", "gnet×2"}, Unpinned: true},
	}
}

// tlsCells are the TLS echo cells, run in make bench beside the plain ones.
func tlsCells() []cell {
	return []cell{
		{ID: "tls-hs-ecdsa", Title: "TLS 1.3 handshakes, ECDSA P-256 (connect, full handshake, 1 B echo, close), 16 workers", Mode: "churn", Conns: 16, Size: 1, Srcs: 4, Unit: "handshake", TLS: "ecdsa", Systems: tlsSystems},
		{ID: "tls-hs-rsa", Title: "TLS 1.3 handshakes, RSA 2048, 16 workers", Mode: "churn", Conns: 16, Size: 1, Srcs: 4, Unit: "handshake", TLS: "rsa", Systems: tlsSystems},
		{ID: "tls-pp1k-50", Title: "TLS ping-pong 1 KiB, 50 conns", Mode: "pingpong", Conns: 50, Size: 1024, Unit: "msg", TLS: "ecdsa", Systems: tlsSystems},
		{ID: "tls-idle-10k", Title: "TLS idle memory, 10,000 conns", Mode: "idle", Conns: 10000, Size: 1, Srcs: 4, Unit: "B/conn", TLS: "ecdsa", Systems: tlsSystems},
	}
}

func quickCells() []cell {
	all := fullCells()
	stream := all[4]
	stream.Repeat = 1 // one minute: the quick run is a smoke test, not the record
	return []cell{all[1], stream}
}

// runResult is one (round, cell, system) measurement.
type runResult struct {
	Round     int     `json:"round"`
	Cell      string  `json:"cell"`
	System    string  `json:"system"`
	Window    float64 `json:"window"`    // seconds measured (child's clock)
	ServerCPU float64 `json:"serverCpu"` // server utime+stime in the window, seconds
	LoadCPU   float64 `json:"loadCpu"`
	Units     int64   `json:"units"`
	Bytes     int64   `json:"bytes"`
	PerUnit   float64 `json:"perUnit"` // µs of server CPU per msg / MB / conn; bytes per conn for idle
	Rate      float64 `json:"rate"`    // units per second
	P50       float64 `json:"p50"`     // µs
	P99       float64 `json:"p99"`
	P999      float64 `json:"p999"`
	PerMB     float64 `json:"perMB,omitempty"` // proxy ping-pong cells: µs of server CPU per MB of echoed payload
	// SidecarCPU is the CPU seconds of the upstream echo behind a proxy
	// cell's proxy during the window (not the proxy's, not foreign).
	SidecarCPU float64 `json:"sidecarCPU,omitempty"`
	RSSBefore  int64   `json:"rssBefore,omitempty"`
	RSSAfter   int64   `json:"rssAfter,omitempty"`
	// Goroutines in a nodenet server before and after the idle
	// connections (its echo prints them on SIGUSR1); 0: not asked.
	GoroutinesBefore int     `json:"goroutinesBefore,omitempty"`
	GoroutinesAfter  int     `json:"goroutinesAfter,omitempty"`
	QuietBusy        float64 `json:"quietBusy"` // cores busy just before the cell (other processes)
	LoadAvg          string  `json:"loadAvg"`
	Foreign          float64 `json:"foreign"` // cores used by other processes during the window
	Attempts         int     `json:"attempts"`
	Disturbed        bool    `json:"disturbed"`
	Errors           int64   `json:"errors"`
	Err              string  `json:"err,omitempty"`
}

type config struct {
	bin, self      string
	warmup, window time.Duration
	quietMax       float64 // cores
	quietWait      time.Duration
	foreignMax     float64 // cores
	retries        int
	deadline       time.Time
	reserve        time.Duration // kept for the allocation runs and the report

	runsPlanned, runsDone, attempts int
	attemptTime                     time.Duration
}

type report struct {
	Mode       string        `json:"mode"`
	Command    string        `json:"command"`
	Started    time.Time     `json:"started"`
	Elapsed    float64       `json:"elapsed"`
	Rounds     int           `json:"rounds"`
	WindowSec  float64       `json:"windowSec"`
	WarmupSec  float64       `json:"warmupSec"`
	Machine    string        `json:"machine"`
	Cells      []cell        `json:"cells"`
	Results    []runResult   `json:"results"`
	Allocs     []allocResult `json:"allocs,omitempty"`
	LoadBefore string        `json:"loadBefore"`
	LoadAfter  string        `json:"loadAfter"`
	Notes      []string      `json:"notes,omitempty"`
}

func runMain(args []string) {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	quick := fs.Bool("quick", false, "the 1-minute subset (echo cells only)")
	protocols := fs.Bool("protocols", false, "the protocol cells only (RESP and HTTP, protocols.go)")
	proxy := fs.Bool("proxy", false, "the proxy cells only (proxy.go), with the streaming echo cell")
	rounds := fs.Int("rounds", 5, "interleaved rounds")
	budget := fs.Duration("budget", 18*time.Minute, "stop starting new work after this")
	window := fs.Duration("window", 1200*time.Millisecond, "measured window per echo run (a protocol run is one bounded tool run)")
	warmup := fs.Duration("warmup", 300*time.Millisecond, "warm-up before each echo window")
	bin := fs.String("bin", "bin", "directory of built servers")
	out := fs.String("out", "results/full", "results prefix: writes PREFIX.json")
	md := fs.String("md", "", "write the markdown report here")
	svg := fs.String("svg", "", "write the SVG chart here (the echo chart; the protocol chart for a protocols-only run)")
	psvg := fs.String("psvg", "", "write the protocol cells' SVG chart here, when the run has echo cells too")
	xsvg := fs.String("xsvg", "", "write the proxy cells' SVG chart here, when the run has echo cells too")
	svgRef := fs.String("svgref", "", "how the markdown links the chart (default: base name of -svg)")
	only := fs.String("cells", "", "comma-separated cell IDs to run (default: all of the mode)")
	allocs := fs.Bool("allocs", true, "measure nodenet allocations per message / request")
	fs.Parse(args)

	start := time.Now()
	self, _ := os.Executable()
	cfg := &config{bin: *bin, self: self, warmup: *warmup, window: *window,
		quietMax: 0.25, quietWait: 5 * time.Second, foreignMax: 0.2, retries: 2,
		deadline: start.Add(*budget), reserve: 15 * time.Second}
	// The full run: echo (plain, then TLS), protocol and proxy cells
	// alternate within every round, so every kind sees the same stretch of
	// machine state.
	cells := allCells()
	mode := "full"
	if *quick {
		cells, mode = quickCells(), "quick"
		cfg.quietWait = 2 * time.Second
		cfg.retries = 1
		cfg.reserve = 8 * time.Second
	}
	if *protocols {
		cells, mode = protocolCells(), "protocols"
	}
	if *proxy {
		cells, mode = append(proxyCells(), proxyStreamEcho()), "proxy"
	}
	if *only != "" {
		var sel []cell
		for _, c := range append(allCells(), spliceCells()...) {
			if strings.Contains(","+*only+",", ","+c.ID+",") {
				sel = append(sel, c)
			}
		}
		cells, mode = sel, "cells"
	}
	hasEcho, hasProto := kinds(cells)
	if hasProto && !hasEcho && !hasProxy(cells) {
		mode = "protocols"
	}
	need := []string{"nodenet", "cepoll", "gnet", "stdlib"}
	if hasProxy(cells) {
		need = append(need, "proxy", "stdproxy", "gnetproxy")
		if _, err := exec.LookPath("haproxy"); err != nil {
			fatalf("haproxy is not on PATH: the proxy cells need it (make bench installs it)")
		}
	}
	if hasProto {
		need = append(need, "resp", "http", "gnethttp", "stdresp", "nethttp")
		for _, tool := range []string{"redis-server", "redis-benchmark", "wrk"} {
			if _, err := exec.LookPath(tool); err != nil {
				fatalf("%s is not on PATH: the protocol cells need it (make tools installs it)", tool)
			}
		}
	}
	for _, n := range need {
		if _, err := os.Stat(filepath.Join(*bin, n)); err != nil {
			fatalf("missing %s/%s: build with `make bench` (bench/build.sh)", *bin, n)
		}
	}
	nodePath = filepath.Join(*bin, "node")
	if _, err := os.Stat(nodePath); err != nil {
		fatalf("missing %s (the pinned Node): build with `make bench` (bench/build.sh)", nodePath)
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		fatalf("taskset (util-linux) is not on PATH")
	}
	for _, c := range cells {
		if c.TLS != "" {
			if err := writeBenchCerts(*bin); err != nil {
				fatalf("TLS certificates: %v", err)
			}
			break
		}
	}
	if *allocs && hasProto {
		// Each protocol allocation run is a warm-up and a 3 s tool run.
		cfg.reserve += time.Duration(len(protocolAllocSets)) * 6 * time.Second
	}

	for _, c := range cells {
		cfg.runsPlanned += *rounds * len(c.Systems)
	}
	if !*allocs {
		cfg.reserve = 2 * time.Second
	}
	rep := &report{Mode: mode, Command: "nnbench run " + strings.Join(args, " "), Started: start,
		Rounds: *rounds, WindowSec: window.Seconds(), WarmupSec: warmup.Seconds(),
		Machine: machine(), Cells: cells, LoadBefore: loadAvg()}
	fmt.Printf("nnbench %s: %d rounds × %d cells, window %v, budget %v; load average %s\n",
		mode, *rounds, len(cells), *window, *budget, rep.LoadBefore)

	var roundTimes []time.Duration
	for r := 0; r < *rounds; r++ {
		rs := time.Now()
		if r > 0 {
			// A round without redos: its runs × the average run so far.
			perRound := 0
			for _, c := range cells {
				perRound += len(c.Systems) * c.repeat()
			}
			est := time.Duration(perRound) * cfg.avgAttempt()
			// Behind schedule (other processes forced redos): shorten the
			// window so that all the planned rounds still fit.
			avail := time.Until(cfg.deadline) - cfg.reserve
			need := time.Duration(*rounds-r) * est
			if need > avail {
				overhead := cfg.avgAttempt() - cfg.window
				w := avail/time.Duration((*rounds-r)*perRound) - overhead
				if w < 500*time.Millisecond {
					w = 500 * time.Millisecond
				}
				if w < cfg.window {
					note := fmt.Sprintf("behind schedule before round %d: window shortened from %v to %v", r+1, cfg.window.Round(time.Millisecond), w.Round(time.Millisecond))
					fmt.Println(note)
					rep.Notes = append(rep.Notes, note)
					est -= cfg.window - w
					cfg.window = w
				}
			}
			if time.Until(cfg.deadline)-cfg.reserve < est {
				note := fmt.Sprintf("stopped after %d rounds: budget (a round takes ~%v)", r, est.Round(time.Second))
				fmt.Println(note)
				rep.Notes = append(rep.Notes, note)
				break
			}
		}
		for ci, c := range cells {
			for k := 0; k < c.repeat(); k++ {
				order := rotate(c.Systems, r+ci+k)
				for _, sname := range order {
					t := time.Now()
					res := runCell(cfg, r, c, lookupSystem(c, sname))
					rep.Results = append(rep.Results, res)
					fmt.Printf("%5.1fs", time.Since(t).Seconds())
					printRun(res, c)
				}
			}
		}
		roundTimes = append(roundTimes, time.Since(rs))
		rep.Rounds = r + 1
		fmt.Printf("round %d done in %v; load average %s\n", r+1, time.Since(rs).Round(time.Second), loadAvg())
	}

	if *allocs && hasProxy(cells) {
		for _, a := range proxyAllocSets {
			ar, err := runProxyAllocs(cfg, a.c, a.s)
			if err != nil {
				rep.Notes = append(rep.Notes, "allocs: "+err.Error())
				fmt.Println("allocs:", err)
				continue
			}
			fmt.Printf("allocs %s: %.4f mallocs/msg, %.2f B/msg over %d msgs\n", ar.Workload, ar.MallocsPerMsg, ar.BytesPerMsg, ar.Msgs)
			rep.Allocs = append(rep.Allocs, ar)
		}
	}
	if *allocs && hasEcho {
		sets := []struct{ c, s int }{{50, 64}, {1000, 64}, {50, 4096}}
		if *quick {
			sets = sets[:1]
		}
		for _, a := range sets {
			ar, err := runAllocs(cfg, a.c, a.s, "")
			if err != nil {
				rep.Notes = append(rep.Notes, "allocs: "+err.Error())
				fmt.Println("allocs:", err)
				continue
			}
			fmt.Printf("allocs c=%d s=%d: %.4f mallocs/msg, %.2f B/msg over %d msgs\n", a.c, a.s, ar.MallocsPerMsg, ar.BytesPerMsg, ar.Msgs)
			rep.Allocs = append(rep.Allocs, ar)
		}
		if hasTLS(cells) {
			if ar, err := runAllocs(cfg, 50, 1024, "", "-tls"); err != nil {
				rep.Notes = append(rep.Notes, "allocs tls: "+err.Error())
				fmt.Println("allocs tls:", err)
			} else {
				fmt.Printf("allocs %s: %.4f mallocs/msg, %.2f B/msg over %d msgs\n", ar.Workload, ar.MallocsPerMsg, ar.BytesPerMsg, ar.Msgs)
				rep.Allocs = append(rep.Allocs, ar)
			}
		}
	}
	if *allocs && hasProto {
		for _, a := range protocolAllocSets {
			ar, err := runProtoAllocs(cfg, a.kind, a.op, a.conns, a.depth)
			if err != nil {
				rep.Notes = append(rep.Notes, "allocs: "+err.Error())
				fmt.Println("allocs:", err)
				continue
			}
			fmt.Printf("allocs %s: %.4f mallocs/req, %.2f B/req over %d requests\n", ar.Workload, ar.MallocsPerMsg, ar.BytesPerMsg, ar.Msgs)
			rep.Allocs = append(rep.Allocs, ar)
		}
	}
	rep.LoadAfter = loadAvg()
	rep.Elapsed = time.Since(start).Seconds()

	os.MkdirAll(filepath.Dir(*out), 0o755)
	b, _ := json.MarshalIndent(rep, "", " ")
	if err := os.WriteFile(*out+".json", b, 0o644); err != nil {
		fatalf("%v", err)
	}
	ref := *svgRef
	if ref == "" && *svg != "" {
		ref = filepath.Base(*svg)
	}
	pref := ""
	if *psvg != "" {
		pref = filepath.Base(*psvg)
	}
	xref := ""
	if *xsvg != "" {
		xref = filepath.Base(*xsvg)
	}
	writeReport(rep, *md, *svg, *psvg, *xsvg, ref, pref, xref)
	fmt.Printf("wrote %s.json %s %s in %v\n", *out, *md, *svg, time.Since(start).Round(time.Second))
}

func hasTLS(cells []cell) bool {
	for _, c := range cells {
		if c.TLS != "" {
			return true
		}
	}
	return false
}

// interleave alternates the echo and the protocol cells (a1 b1 a2 b2 …).
func interleave(a, b []cell) []cell {
	out := make([]cell, 0, len(a)+len(b))
	for i := 0; i < max(len(a), len(b)); i++ {
		if i < len(a) {
			out = append(out, a[i])
		}
		if i < len(b) {
			out = append(out, b[i])
		}
	}
	return out
}

// kinds reports whether cells has echo cells and protocol cells.
// allCells are the full run's cells: echo (plain, then TLS), protocol and
// proxy cells interleaved.
func allCells() []cell {
	return interleave(interleave(append(fullCells(), tlsCells()...), protocolCells()), proxyCells())
}

// kinds says whether cells hold echo cells and protocol cells (a proxy
// cell is neither: hasProxy).
func kinds(cells []cell) (echo, proto bool) {
	for _, c := range cells {
		if isProxyCell(c) {
			continue
		}
		if isProtocol(c) {
			proto = true
		} else {
			echo = true
		}
	}
	return
}

func maxDur(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		if d > m {
			m = d
		}
	}
	return m
}

func rotate(s []string, k int) []string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = s[(i+k)%len(s)]
	}
	return out
}

func fatalf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "nnbench: "+format+"\n", a...)
	os.Exit(1)
}

func machine() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	model := "?"
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			model = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
			break
		}
	}
	var u syscall.Utsname
	syscall.Uname(&u)
	rel := make([]byte, 0, 65)
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		rel = append(rel, byte(c))
	}
	nodeV, _ := exec.Command(nodePath, "--version").Output()
	return fmt.Sprintf("%s, %d CPUs, Linux %s, node %s", model, numCPU(), rel, strings.TrimSpace(string(nodeV)))
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/stat")
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "cpu") && len(l) > 3 && l[3] != ' ' {
			n++
		}
	}
	return n
}

func printRun(r runResult, c cell) {
	flag := ""
	if r.Disturbed {
		flag = " DISTURBED"
	}
	if r.Err != "" {
		flag += " ERROR: " + r.Err
	}
	switch c.Mode {
	case "idle":
		g := ""
		if r.GoroutinesAfter > 0 {
			g = fmt.Sprintf("  goroutines %d→%d", r.GoroutinesBefore, r.GoroutinesAfter)
		}
		fmt.Printf("  r%d %-10s %-9s %8.0f B/conn  (rss %d→%d KiB)%s  quiet %.2f foreign %.2f%s\n",
			r.Round+1, c.ID, r.System, r.PerUnit, r.RSSBefore>>10, r.RSSAfter>>10, g, r.QuietBusy, r.Foreign, flag)
	default:
		fmt.Printf("  r%d %-10s %-9s %8.3f µs/%s  %10.0f %s/s  p99 %7.0f µs  srvcpu %.2f  quiet %.2f foreign %.2f%s\n",
			r.Round+1, c.ID, r.System, r.PerUnit, c.Unit, r.Rate, c.Unit, r.P99, r.ServerCPU/r.Window, r.QuietBusy, r.Foreign, flag)
	}
}

// waitQuiet waits (up to max) until other processes use less than
// cfg.quietMax cores; it returns the last sample.
func waitQuiet(cfg *config, max time.Duration) float64 {
	end := time.Now().Add(max)
	for {
		b := busyCores(250 * time.Millisecond)
		if b < cfg.quietMax || time.Now().After(end) {
			return b
		}
	}
}

// runCell runs one system on one cell, redoing it when other processes
// disturbed it, as long as the rest of the planned runs still fit the budget.
func runCell(cfg *config, round int, c cell, s system) runResult {
	var res runResult
	for attempt := 1; ; attempt++ {
		wait := min(cfg.quietWait, cfg.slack()/4)
		quiet := waitQuiet(cfg, max(wait, 0))
		la := loadAvg()
		t := time.Now()
		res = runOnce(cfg, c, s)
		cfg.attempts++
		cfg.attemptTime += time.Since(t) + 250*time.Millisecond
		res.Round, res.Cell, res.System = round, c.ID, s.Name
		res.QuietBusy, res.LoadAvg, res.Attempts = quiet, la, attempt
		// Memory (idle) is not disturbed by CPU use elsewhere.
		res.Disturbed = c.Mode != "idle" && (res.Foreign > cfg.foreignMax || quiet >= cfg.quietMax)
		if (res.Err == "" && !res.Disturbed) || attempt > cfg.retries || cfg.slack() < cfg.avgAttempt() {
			cfg.runsDone++
			return res
		}
		why := res.Err
		if why == "" {
			why = fmt.Sprintf("disturbed: other processes used %.2f cores", res.Foreign)
		}
		fmt.Printf("  r%d %s %s %s; redoing\n", round+1, c.ID, s.Name, why)
	}
}

func (cfg *config) avgAttempt() time.Duration {
	if cfg.attempts == 0 {
		return 2500 * time.Millisecond
	}
	return cfg.attemptTime / time.Duration(cfg.attempts)
}

// slack is the time left after the planned runs that are still to come.
func (cfg *config) slack() time.Duration {
	left := time.Duration(cfg.runsPlanned-cfg.runsDone) * cfg.avgAttempt()
	return time.Until(cfg.deadline) - left - cfg.reserve
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 20000 + int(time.Now().UnixNano()%10000)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type serverProc struct {
	cmd *exec.Cmd
	pid int
	log *syncBuffer
}

// syncBuffer is a server's output, read while the process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startServer(cfg *config, s system, pinned bool) (*serverProc, string, error) {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	argv := s.argv(cfg.bin, addr, s.Loops)
	if pinned {
		argv = append([]string{"taskset", "-c", "0"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), s.env...)
	lb := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = lb, lb
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	srv := &serverProc{cmd: cmd, pid: cmd.Process.Pid, log: lb}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return srv, addr, nil
		}
		if time.Now().After(deadline) {
			srv.stop()
			return nil, "", fmt.Errorf("%s did not accept on %s: %v; output: %s", s.Name, addr, err, lb.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *serverProc) stop() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
}

type child struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
}

func startLoad(cfg *config, addr string, c cell) (*child, error) {
	argv := []string{"taskset", "-c", "1", cfg.self, "load", "-addr", addr, "-mode", c.Mode,
		"-c", strconv.Itoa(c.Conns), "-s", strconv.Itoa(c.Size), "-srcs", strconv.Itoa(max(c.Srcs, 1))}
	if c.TLS != "" {
		argv = append(argv, "-tls")
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1", "GOGC=400")
	cmd.Stderr = os.Stderr
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ch := &child{cmd: cmd, in: in, lines: make(chan string, 4)}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			ch.lines <- sc.Text()
		}
		close(ch.lines)
	}()
	return ch, nil
}

func (ch *child) expect(prefix string, timeout time.Duration) (string, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case l, ok := <-ch.lines:
			if !ok {
				return "", errors.New("load generator exited early")
			}
			if strings.HasPrefix(l, prefix) {
				return l, nil
			}
		case <-t.C:
			return "", fmt.Errorf("load generator: no %q within %v", prefix, timeout)
		}
	}
}

func (ch *child) kill() {
	ch.cmd.Process.Signal(syscall.SIGKILL)
	ch.cmd.Wait()
}

func runOnce(cfg *config, c cell, s system) (res runResult) {
	if isProtocol(c) {
		return runProtocolOnce(cfg, c, s)
	}
	if isProxyCell(c) {
		return runProxyOnce(cfg, c, s)
	}
	if c.TLS != "" {
		s = withTLS(cfg, s, c.TLS)
	}
	srv, addr, err := startServer(cfg, s, !c.Unpinned)
	if err != nil {
		res.Err = err.Error()
		return
	}
	defer srv.stop()
	// Let the runtime settle (Go servers' first GC cycles, node's JIT warm-up starts on load).
	time.Sleep(100 * time.Millisecond)
	if c.Mode == "idle" {
		res.RSSBefore, _ = procRSS(srv.pid)
		res.GoroutinesBefore = srv.goroutines(s)
	}
	ch, err := startLoad(cfg, addr, c)
	if err != nil {
		res.Err = err.Error()
		return
	}
	defer ch.kill()
	if _, err := ch.expect("CONNECTED", 60*time.Second); err != nil {
		res.Err = err.Error()
		return
	}
	if c.Mode == "idle" {
		time.Sleep(time.Second)
		res.RSSAfter, _ = procRSS(srv.pid)
		res.GoroutinesAfter = srv.goroutines(s)
	} else {
		time.Sleep(cfg.warmup)
	}
	window := cfg.window
	if c.Mode == "idle" {
		window = 200 * time.Millisecond
	}
	sc0, _ := procCPU(srv.pid)
	lc0, _ := procCPU(ch.cmd.Process.Pid)
	var uc0, uc1 float64
	if s.sidecar != 0 {
		uc0, _ = procCPU(s.sidecar)
	}
	st0, me0 := readCPUStat(), selfCPU()
	fmt.Fprintln(ch.in, "START")
	time.Sleep(window)
	sc1, _ := procCPU(srv.pid)
	lc1, _ := procCPU(ch.cmd.Process.Pid)
	if s.sidecar != 0 {
		uc1, _ = procCPU(s.sidecar)
	}
	st1, me1 := readCPUStat(), selfCPU()
	fmt.Fprintln(ch.in, "STOP")
	line, err := ch.expect("{", 30*time.Second)
	if err != nil {
		res.Err = err.Error()
		return
	}
	var lr loadResult
	if err := json.Unmarshal([]byte(line), &lr); err != nil {
		res.Err = err.Error()
		return
	}
	wall := (st1.total - st0.total) / clkTck / float64(numCPU())
	res.Window = lr.Seconds
	res.ServerCPU = sc1 - sc0
	res.LoadCPU = lc1 - lc0
	res.SidecarCPU = uc1 - uc0
	res.Foreign = ((st1.busy-st0.busy)/clkTck - res.ServerCPU - res.LoadCPU - res.SidecarCPU - (me1 - me0)) / wall
	if res.Foreign < 0 {
		res.Foreign = 0
	}
	res.Units, res.Bytes, res.Errors = lr.Units, lr.Bytes, lr.Errors
	if lr.Errors > 0 {
		res.Err = fmt.Sprintf("%d echo errors: %s", lr.Errors, lr.FirstErr)
	}
	switch c.Mode {
	case "idle":
		if lr.Units > 0 {
			res.PerUnit = float64(res.RSSAfter-res.RSSBefore) / float64(lr.Units)
		}
		res.Units = lr.Units
	case "stream":
		mb := float64(lr.Bytes) / 1e6
		if mb > 0 {
			res.PerUnit = res.ServerCPU * 1e6 / mb
		}
		res.Rate = mb / lr.Seconds
	default:
		if lr.Units > 0 {
			res.PerUnit = res.ServerCPU * 1e6 / float64(lr.Units)
		}
		res.Rate = float64(lr.Units) / lr.Seconds
		p := percentiles(lr.Hist, 0.5, 0.99, 0.999)
		res.P50, res.P99, res.P999 = p[0], p[1], p[2]
	}
	if res.Units == 0 && res.Err == "" {
		res.Err = "no work done in the window"
	}
	return
}
