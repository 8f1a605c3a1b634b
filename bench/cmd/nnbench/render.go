package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func renderMain(args []string) {
	fs := flag.NewFlagSet("render", flag.ExitOnError)
	in := fs.String("in", "results/full.json", "results JSON from `nnbench run`")
	md := fs.String("md", "", "markdown output")
	svg := fs.String("svg", "", "SVG output")
	svgRef := fs.String("svgref", "", "how the markdown links the chart")
	psvg := fs.String("psvg", "", "SVG output for the protocol cells of a run that has echo cells too")
	xsvg := fs.String("xsvg", "", "SVG output for the proxy cells of a run that has echo cells too")
	fs.Parse(args)
	b, err := os.ReadFile(*in)
	if err != nil {
		fatalf("%v", err)
	}
	var rep report
	if err := json.Unmarshal(b, &rep); err != nil {
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
	writeReport(&rep, *md, *svg, *psvg, *xsvg, ref, pref, xref)
}

// writeReport prints the tables and writes the markdown report and the
// charts: for a run with both kinds of cells one report (echo, then
// protocols) with two charts; for one kind, its own report and chart.
func writeReport(rep *report, md, svg, psvg, xsvg, ref, pref, xref string) {
	echo, proto := kinds(rep.Cells)
	proxy := hasProxy(rep.Cells)
	if proxy && (rep.Mode == "proxy" || !echo && !proto) {
		writeProxyReport(rep, md, svg, ref) // the proxy subset: its streaming echo cell belongs to its tables
		return
	}
	var tables string
	if echo {
		tables = renderTables(rep)
	}
	if proto {
		tables += "\n" + renderProtocolTables(rep)
	}
	if proxy {
		tables += "\n" + renderProxyTables(rep)
	}
	fmt.Println()
	fmt.Println(tables)
	if md != "" {
		if err := os.WriteFile(md, []byte(renderMarkdown(rep, ref, pref, xref)), 0o644); err != nil {
			fatalf("%v", err)
		}
	}
	write := func(path, text string) {
		if path == "" {
			return
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			fatalf("%v", err)
		}
	}
	switch {
	case echo:
		write(svg, renderSVG(rep))
		if proto {
			write(psvg, renderProtocolSVG(rep))
		}
		if proxy {
			write(xsvg, renderProxySVG(rep))
		}
	case proto:
		write(svg, renderProtocolSVG(rep))
	}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// agg indexes results: cell -> system -> round -> result. A cell measured
// several times per round (cell.Repeat) is merged into one result per round.
type agg map[string]map[string]map[int]runResult

func index(rep *report) agg {
	a := agg{}
	for _, r := range rep.Results {
		if a[r.Cell] == nil {
			a[r.Cell] = map[string]map[int]runResult{}
		}
		if a[r.Cell][r.System] == nil {
			a[r.Cell][r.System] = map[int]runResult{}
		}
		if prev, ok := a[r.Cell][r.System][r.Round]; ok {
			r = mergeRuns(prev, r)
		}
		a[r.Cell][r.System][r.Round] = r
	}
	return a
}

// mergeRuns combines two measurements of one system in one round: CPU per
// unit becomes total CPU ÷ total work, the rate total work ÷ total time, and
// latency percentiles (not measured by the repeated cell) the mean. A failed
// part fails the merged run.
func mergeRuns(a, b runResult) runResult {
	if a.Err != "" {
		return a
	}
	if b.Err != "" {
		return b
	}
	work := func(r runResult) float64 {
		if r.PerUnit <= 0 {
			return 0
		}
		return r.ServerCPU / r.PerUnit
	}
	m := a
	w := work(a) + work(b)
	m.Window = a.Window + b.Window
	m.ServerCPU = a.ServerCPU + b.ServerCPU
	m.LoadCPU = a.LoadCPU + b.LoadCPU
	m.Units = a.Units + b.Units
	m.Bytes = a.Bytes + b.Bytes
	if w > 0 {
		m.PerUnit = m.ServerCPU / w
	}
	if m.Window > 0 {
		m.Rate = (a.Rate*a.Window + b.Rate*b.Window) / m.Window
	}
	m.P50, m.P99, m.P999 = (a.P50+b.P50)/2, (a.P99+b.P99)/2, (a.P999+b.P999)/2
	m.Foreign = max(a.Foreign, b.Foreign)
	m.QuietBusy = max(a.QuietBusy, b.QuietBusy)
	m.Attempts = a.Attempts + b.Attempts
	m.Disturbed = a.Disturbed || b.Disturbed
	m.Errors = a.Errors + b.Errors
	return m
}

func (a agg) values(cellID, sys string, f func(runResult) float64) []float64 {
	var xs []float64
	for _, r := range a[cellID][sys] {
		if r.Err == "" {
			xs = append(xs, f(r))
		}
	}
	return xs
}

func (a agg) med(cellID, sys string, f func(runResult) float64) float64 {
	return median(a.values(cellID, sys, f))
}

// ratio is the median over rounds of num's f ÷ den's f, same round.
func (a agg) ratio(cellID, num, den string, f func(runResult) float64) (float64, int) {
	return a.crossRatio(cellID, num, cellID, den, f)
}

// crossRatio is the median over rounds of (cell a, system x)'s f ÷ (cell b,
// system y)'s f, same round: how the Group cell compares with one loop.
func (a agg) crossRatio(cellA, x, cellB, y string, f func(runResult) float64) (float64, int) {
	var xs []float64
	for r, u := range a[cellA][x] {
		v, ok := a[cellB][y][r]
		if ok && u.Err == "" && v.Err == "" && f(v) > 0 {
			xs = append(xs, f(u)/f(v))
		}
	}
	return median(xs), len(xs)
}

func perUnit(r runResult) float64 { return r.PerUnit }
func rate(r runResult) float64    { return r.Rate }
func p50(r runResult) float64     { return r.P50 }
func p99(r runResult) float64     { return r.P99 }
func p999(r runResult) float64    { return r.P999 }

func baseline(c cell) string { return c.Systems[0] }

func fmtNum(x float64) string {
	switch {
	case math.IsNaN(x):
		return "–"
	case x >= 1e6:
		return fmt.Sprintf("%.2fM", x/1e6)
	case x >= 10000:
		return fmt.Sprintf("%.0fk", x/1e3)
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.2f", x)
	}
}

func unitLabel(c cell) string {
	if c.TLS != "" && c.Mode == "churn" {
		return "CPU µs / handshake"
	}
	switch c.Mode {
	case "stream":
		return "CPU µs / MB"
	case "churn":
		return "CPU µs / conn"
	case "idle":
		return "RSS B / conn"
	}
	return "CPU µs / msg"
}

func rateLabel(c cell) string {
	if c.TLS != "" && c.Mode == "churn" {
		return "handshakes/s"
	}
	switch c.Mode {
	case "stream":
		return "MB/s"
	case "churn":
		return "conns/s"
	}
	return "msg/s"
}

// renderTables is the part printed on the terminal and put at the top of the report.
func renderTables(rep *report) string {
	a := index(rep)
	var b strings.Builder
	sysCols := mainSystems
	fmt.Fprintf(&b, "### Server cost per unit of work (median over %d rounds; in parentheses: this system ÷ nodenet, median of per-round ratios — above 1 means nodenet is cheaper)\n\n", rep.Rounds)
	fmt.Fprintf(&b, "| cell | unit | %s |\n|---|---|%s\n", strings.Join(sysCols, " | "), strings.Repeat("---:|", len(sysCols)))
	for _, c := range echoCells(rep) {
		if c.Unpinned || c.TLS != "" {
			continue
		}
		fmt.Fprintf(&b, "| %s | %s |", c.Title, unitLabel(c))
		for _, s := range sysCols {
			v := a.med(c.ID, s, perUnit)
			if s == baseline(c) {
				fmt.Fprintf(&b, " **%s** |", fmtNum(v))
				continue
			}
			r, _ := a.ratio(c.ID, s, baseline(c), perUnit)
			fmt.Fprintf(&b, " %s (×%.2f) |", fmtNum(v), r)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\n### Rates and latency beside it (medians; rates are capped by the load generator's single core)\n\n")
	fmt.Fprintf(&b, "| cell | measure | %s |\n|---|---|%s\n", strings.Join(sysCols, " | "), strings.Repeat("---:|", len(sysCols)))
	for _, c := range echoCells(rep) {
		if c.Unpinned || c.Mode == "idle" || c.TLS != "" {
			continue
		}
		rows := []struct {
			name string
			f    func(runResult) float64
		}{{rateLabel(c), rate}}
		if c.Mode == "pingpong" || c.Mode == "churn" {
			rows = append(rows, struct {
				name string
				f    func(runResult) float64
			}{"p50 µs", p50}, struct {
				name string
				f    func(runResult) float64
			}{"p99 µs", p99}, struct {
				name string
				f    func(runResult) float64
			}{"p99.9 µs", p999})
		}
		for _, row := range rows {
			fmt.Fprintf(&b, "| %s | %s |", c.Title, row.name)
			for _, s := range sysCols {
				fmt.Fprintf(&b, " %s |", fmtNum(a.med(c.ID, s, row.f)))
			}
			b.WriteString("\n")
		}
	}
	for _, c := range rep.Cells {
		if !c.Unpinned {
			continue
		}
		fmt.Fprintf(&b, "\n### %s (load still pinned to CPU 1; 1-loop figures from the pinned 1,000-connection cell of the same rounds)\n\n", c.Title)
		b.WriteString("| server | msg/s | CPU µs / msg | p50 µs | p99 µs | p99.9 µs |\n|---|---:|---:|---:|---:|---:|\n")
		for _, s := range c.Systems {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", s, fmtNum(a.med(c.ID, s, rate)), fmtNum(a.med(c.ID, s, perUnit)),
				fmtNum(a.med(c.ID, s, p50)), fmtNum(a.med(c.ID, s, p99)), fmtNum(a.med(c.ID, s, p999)))
		}
		for _, s := range []string{"nodenet", "gnet"} {
			if _, ok := a["pp64-1000"][s]; ok {
				fmt.Fprintf(&b, "| %s (1 loop, pinned) | %s | %s | %s | %s | %s |\n", s, fmtNum(a.med("pp64-1000", s, rate)), fmtNum(a.med("pp64-1000", s, perUnit)),
					fmtNum(a.med("pp64-1000", s, p50)), fmtNum(a.med("pp64-1000", s, p99)), fmtNum(a.med("pp64-1000", s, p999)))
			}
		}
	}
	b.WriteString(renderTLSTables(rep, a))
	if allocs := echoAllocs(rep); len(allocs) > 0 {
		b.WriteString("\n### nodenet heap allocations per echoed message (whole server process, one loop, steady state)\n\n")
		b.WriteString("| workload | messages | mallocs | mallocs / msg | bytes / msg | GCs |\n|---|---:|---:|---:|---:|---:|\n")
		for _, ar := range allocs {
			name := fmt.Sprintf("ping-pong %d B, %d conns", ar.Size, ar.Conns)
			if ar.Workload != "" {
				name = ar.Workload
			}
			fmt.Fprintf(&b, "| %s | %d | %d | %.4f | %.2f | %d |\n", name, ar.Msgs, ar.Mallocs, ar.MallocsPerMsg, ar.BytesPerMsg, ar.GCs)
		}
	}
	b.WriteString("\n" + renderTargets(rep, a))
	return b.String()
}

type target struct {
	what   string
	cellID string
	other  string
	f      func(runResult) float64
	limit  float64
	strict bool
}

func renderTargets(rep *report, a agg) string {
	var ts []target
	for _, id := range []string{"pp64-1", "pp64-50", "pp64-1000", "pp4k-50"} {
		ts = append(ts,
			target{"CPU/msg ≤ 1.1× cepoll", id, "cepoll", perUnit, 1.1, false},
			target{"CPU/msg ≤ 0.9× gnet", id, "gnet", perUnit, 0.9, false},
			target{"CPU/msg ≤ 0.5× node", id, "node", perUnit, 0.5, false},
			target{"CPU/msg < stdlib (GOMAXPROCS=1)", id, "stdlib", perUnit, 1, true})
	}
	ts = append(ts,
		target{"CPU/MB ≤ 1.1× cepoll", "stream-10", "cepoll", perUnit, 1.1, false},
		target{"p99 ≤ gnet", "pp64-1000", "gnet", p99, 1, false},
		target{"p99 ≤ 1.1× cepoll", "pp64-1000", "cepoll", p99, 1.1, false},
		target{"RSS/conn ≤ 0.6× gnet", "idle-15k", "gnet", perUnit, 0.6, false})
	for _, id := range []string{"tls-hs-ecdsa", "tls-hs-rsa"} {
		ts = append(ts,
			target{"CPU/handshake ≤ stdlib (crypto/tls)", id, "stdlib", perUnit, 1, false},
			target{"CPU/handshake ≤ 0.6× node", id, "node", perUnit, 0.6, false})
	}
	ts = append(ts,
		target{"CPU/msg ≤ stdlib (crypto/tls)", "tls-pp1k-50", "stdlib", perUnit, 1, false},
		target{"CPU/msg ≤ 0.6× node", "tls-pp1k-50", "node", perUnit, 0.6, false},
		target{"RSS/conn ≤ 0.25× stdlib (crypto/tls)", "tls-idle-10k", "stdlib", perUnit, 0.25, false})
	title := map[string]string{}
	for _, c := range rep.Cells {
		title[c.ID] = c.Title
	}
	var b strings.Builder
	b.WriteString("### Targets (nodenet ÷ other, median of per-round ratios)\n\n| cell | target | nodenet ÷ other | rounds | holds? |\n|---|---|---:|---:|---|\n")
	for _, t := range ts {
		if _, ok := a[t.cellID]; !ok {
			continue
		}
		r, n := a.ratio(t.cellID, "nodenet", t.other, t.f)
		ok := r <= t.limit
		if t.strict {
			ok = r < t.limit
		}
		verdict := "**yes**"
		if !ok {
			verdict = "no"
		}
		if math.IsNaN(r) {
			verdict = "not measured"
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f | %d | %s |\n", title[t.cellID], t.what, r, n, verdict)
	}
	if _, ok := a["group2"]; ok {
		for _, sys := range []string{"nodenet×2", "nodenet×2rp"} {
			r, n := a.crossRatio("group2", sys, "pp64-1000", "nodenet", perUnit)
			verdict := "**yes**"
			if r > 1 {
				verdict = "no"
			}
			if math.IsNaN(r) {
				verdict = "not measured"
			}
			fmt.Fprintf(&b, "| %s | %s CPU/msg ≤ 1 loop's (pinned) | %.2f | %d | %s |\n", title["group2"], sys, r, n, verdict)
		}
	}
	if allocs := echoAllocs(rep); len(allocs) > 0 {
		worst := 0.0
		for _, ar := range allocs {
			if strings.HasPrefix(ar.Workload, "TLS") {
				// crypto/tls allocates one 24-byte object per record it
				// reads (readFromUntil); nodenet adds none (tls/allocs_test.go).
				v := "**yes**"
				if ar.MallocsPerMsg > 1.05 {
					v = "no"
				}
				fmt.Fprintf(&b, "| %s | ≤ 1 allocation per echoed message (crypto/tls's one per record read; nodenet's own: 0) | %.4f mallocs/msg | – | %s |\n", ar.Workload, ar.MallocsPerMsg, v)
				continue
			}
			worst = math.Max(worst, ar.MallocsPerMsg)
		}
		verdict := "**yes**"
		if worst >= 0.01 {
			verdict = "no"
		}
		fmt.Fprintf(&b, "| all ping-pong | 0 allocations per echoed message | %.4f mallocs/msg (worst) | – | %s |\n", worst, verdict)
	}
	return b.String()
}

// renderMarkdown is the report: the echo cells, then (when the run had
// them) the protocol cells of the same rounds; a protocols-only run gets
// renderProtocolMarkdown.
func renderMarkdown(rep *report, svgRef, protoSvgRef, proxySvgRef string) string {
	echo, proto := kinds(rep.Cells)
	proxy := hasProxy(rep.Cells)
	if proto && !echo {
		return renderProtocolMarkdown(rep, svgRef)
	}
	a := index(rep)
	var b strings.Builder
	b.WriteString("# nodenet benchmarks\n\n")
	notes := "bench/notes.md"
	if proto {
		notes += " and bench/notes-protocols.md"
	}
	fmt.Fprintf(&b, "<!-- generated by `make bench` (bench/cmd/nnbench); hand-written notes come from %s -->\n\n", notes)
	cmdName := map[string]string{"full": "make bench", "quick": "make bench-quick"}[rep.Mode]
	if cmdName == "" {
		cmdName = "nnbench run -cells"
	}
	fmt.Fprintf(&b, "Run `%s` (`%s`, from bench/) at %s (%s mode, %.0f s): %d interleaved rounds", cmdName, rep.Command,
		rep.Started.Format("2006-01-02 15:04 MST"), rep.Mode, rep.Elapsed, rep.Rounds)
	if proto {
		fmt.Fprintf(&b, "; in every round the echo cells and the protocol cells (RESP, HTTP) alternate, so both kinds see the same stretch of machine state. An echo run is a %.1f s measured window after %.1f s warm-up; a protocol run is a warm-up tool run and then one measured tool run (redis-benchmark -n N, or wrk -d 1s).\n\n",
			rep.WindowSec, rep.WarmupSec)
	} else {
		fmt.Fprintf(&b, ", %.1f s measured window after %.1f s warm-up per run.\n\n", rep.WindowSec, rep.WarmupSec)
	}
	if rep.Mode == "quick" {
		b.WriteString("(This is the quick subset: `make bench-quick`.)\n\n")
	}
	fmt.Fprintf(&b, "Machine: %s. Server pinned to CPU 0, load generator to CPU 1 (`taskset`), except where said.\n\n", rep.Machine)
	fmt.Fprintf(&b, "Load average before the run %s, after it %s. %s\n\n", rep.LoadBefore, rep.LoadAfter, loadSummary(rep))
	if proto {
		b.WriteString("## Echo servers\n\n")
	}
	if svgRef != "" {
		fmt.Fprintf(&b, "![server cost relative to nodenet, and p99 latency](%s)\n\n", svgRef)
	}
	b.WriteString(renderTables(rep))
	if proto {
		b.WriteString("\n## Protocol servers (issue 15: RESP and HTTP, same rounds)\n\n")
		if protoSvgRef != "" {
			fmt.Fprintf(&b, "![server CPU per request relative to nodenet](%s)\n\n", protoSvgRef)
		}
		b.WriteString(renderProtocolTables(rep))
	}
	if proxy {
		b.WriteString("\n## Proxies (issue 16: Pipe by splice, same rounds)\n\n")
		if proxySvgRef != "" {
			fmt.Fprintf(&b, "![proxy CPU relative to nodenet](%s)\n\n", proxySvgRef)
		}
		b.WriteString(renderProxyTables(rep))
	}
	if proto || proxy {
		b.WriteString("\n## Machine load, failures, method\n")
	}
	b.WriteString("\n### Machine load seen per cell\n\n")
	b.WriteString("Before each run the harness waits (up to 5 s, less when the budget is short) until other processes use under 0.25 cores (`/proc/stat`); during the window it computes the CPU used by processes other than the server, the load generator and itself. A run where that exceeded 0.2 cores is redone (twice at most, budget permitting) and marked disturbed if it still did.\n\n")
	b.WriteString("| cell | system | quiet before (cores busy, median / max) | others during window (cores, median / max) | runs redone | still disturbed |\n|---|---|---:|---:|---:|---:|\n")
	writeLoadRowsAndFailures(&b, rep, a, rep.Cells)
	b.WriteString(methodText)
	if proto {
		b.WriteString(strings.Replace(protocolMethodText, "### Method", "### Method: protocol cells", 1))
	}
	if proxy {
		b.WriteString(strings.Replace(proxyMethodText, "### Method", "### Method: proxy cells", 1))
	}
	if notes, err := os.ReadFile("notes.md"); err == nil {
		b.WriteString("\n" + string(notes))
	}
	if proto {
		if notes, err := os.ReadFile("notes-protocols.md"); err == nil {
			b.WriteString("\n" + string(notes))
		}
	}
	if proxy {
		if notes, err := os.ReadFile("notes-proxy.md"); err == nil {
			b.WriteString("\n" + string(notes))
		}
	}
	return b.String()
}

// echoCells are the report's echo cells (not the protocol ones).
func echoCells(rep *report) []cell {
	var cs []cell
	for _, c := range rep.Cells {
		if !isProtocol(c) && !isProxyCell(c) {
			cs = append(cs, c)
		}
	}
	return cs
}

// echoAllocs and protoAllocs split the allocation runs by kind.
func echoAllocs(rep *report) (out []allocResult) {
	for _, ar := range rep.Allocs {
		if !isProtoAlloc(ar) && !isProxyAlloc(ar) {
			out = append(out, ar)
		}
	}
	return
}

// isProtoAlloc says whether an allocation run is a protocol workload's; the
// echo runs have no workload name, or a TLS echo one.
func isProtoAlloc(ar allocResult) bool {
	return ar.Workload != "" && !strings.HasPrefix(ar.Workload, "TLS") && !isProxyAlloc(ar)
}

func protoAllocRuns(rep *report) (out []allocResult) {
	for _, ar := range rep.Allocs {
		if isProtoAlloc(ar) {
			out = append(out, ar)
		}
	}
	return
}

func maxf(xs []float64) float64 {
	m := math.NaN()
	for _, x := range xs {
		if math.IsNaN(m) || x > m {
			m = x
		}
	}
	return m
}

func loadSummary(rep *report) string {
	var q, f []float64
	redone, dist := 0, 0
	for _, r := range rep.Results {
		q = append(q, r.QuietBusy)
		f = append(f, r.Foreign)
		redone += r.Attempts - 1
		if r.Disturbed {
			dist++
		}
	}
	return fmt.Sprintf("Other processes used a median of %.2f cores (max %.2f) just before a run and %.2f (max %.2f) during its window; %d runs were redone and %d of %d kept are marked disturbed.",
		median(q), maxf(q), median(f), maxf(f), redone, dist, len(rep.Results))
}

const methodText = `
### Method

- Servers (each a separate process, same flags ` + "`-addr 127.0.0.1:PORT -loops N`" + `): **nodenet** = ` + "`examples/echo`" + ` (` + "`c.Pipe(c, nil)`" + `; one reactor.Loop, or a Group);
  **cepoll** = ` + "`bench/cepoll/echo.c`" + ` (gcc -O2; one level-triggered epoll loop, one 64 KiB buffer, write-first with a per-connection pending buffer);
  **gnet** = gnet v2 ` + "`OnTraffic: Next(-1); Write`" + ` (` + "`bench/servers/gnet`" + `); **node** = Node ` + "`net.createServer(c => c.pipe(c))`" + ` (` + "`bench/node/echo.js`" + `);
  **stdlib** = Go ` + "`net`" + `, goroutine per connection, ` + "`io.Copy`" + `, GOMAXPROCS=1 (` + "`bench/servers/stdlib`" + `).
- Load generator (` + "`nnbench load`" + `, Go, GOMAXPROCS=1, pinned to CPU 1) checks every echoed byte: ping-pong messages carry
  connection and sequence numbers plus random bytes and are compared whole; streams follow a per-connection pseudo-random pattern with a
  prime period; churn and idle connections check their echo too. Any mismatch or error fails the run.
- Primary figure: the server's CPU time (utime+stime of every thread, ` + "`/proc/<pid>/stat`" + `) during the window ÷ the work echoed in it
  (messages, MB, connections). Rates are the client's count ÷ window. Ratios are taken within a round (same minute, same machine state),
  then the median over rounds is reported. Idle memory is the server's VmRSS after 15,000 connections (each echoed one byte, then 1 s settle) minus before, ÷ 15,000.
- Order: within each round every cell runs all its systems back to back, in an order rotated each round and each cell, so slow drift cancels.
- Allocations: ` + "`nnbench allocs`" + ` hosts the same server as examples/echo in-process (pinned to CPU 0) and counts runtime mallocs during the window.
`

// renderSVG draws two panels: server cost relative to nodenet (log scale)
// per cell and system, and p99 latency of the ping-pong cells.
func renderSVG(rep *report) string {
	a := index(rep)
	colors := map[string]string{"nodenet": "#1f77b4", "cepoll": "#7f7f7f", "gnet": "#ff7f0e", "node": "#2ca02c", "stdlib": "#d62728"}
	var cells []cell
	for _, c := range echoCells(rep) {
		if !c.Unpinned && c.TLS == "" {
			cells = append(cells, c)
		}
	}
	const W, H, left, top, panelH = 980, 720, 70, 60, 230
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", W, H)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="15" font-weight="bold">nodenet echo benchmarks — %d interleaved rounds, medians (%s)</text>`+"\n", left, rep.Rounds, rep.Started.Format("2006-01-02"))
	// legend
	for i, s := range mainSystems {
		x := left + i*120
		fmt.Fprintf(&b, `<rect x="%d" y="32" width="12" height="12" fill="%s"/><text x="%d" y="43">%s</text>`+"\n", x, colors[s], x+16, s)
	}
	groupW := float64(W-left-20) / float64(max(len(cells), 1))
	barW := groupW * 0.8 / float64(len(mainSystems))
	// Panel 1: ratio to nodenet, log2 scale from 1/4 to 16.
	p1top := float64(top + 20)
	fmt.Fprintf(&b, `<text x="%d" y="%.0f" font-size="13">Server cost relative to nodenet (CPU per message / MB / connection; RSS per idle connection) — lower is better, log scale</text>`+"\n", left, p1top-6)
	lo, hi := -2.0, 4.0
	y := func(v float64) float64 {
		l := math.Log2(v)
		l = math.Max(lo, math.Min(hi, l))
		return p1top + panelH*(hi-l)/(hi-lo)
	}
	for e := lo; e <= hi; e++ {
		v := math.Pow(2, e)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s"/><text x="%d" y="%.1f" text-anchor="end">%g×</text>`+"\n",
			left, W-20, y(v), y(v), map[bool]string{true: "#000", false: "#ddd"}[e == 0], left-4, y(v)+4, v)
	}
	for gi, c := range cells {
		gx := float64(left) + float64(gi)*groupW + groupW*0.1
		for si, s := range mainSystems {
			r := 1.0
			if s != "nodenet" {
				r, _ = a.ratio(c.ID, s, "nodenet", perUnit)
			}
			if math.IsNaN(r) {
				continue
			}
			x := gx + float64(si)*barW
			y0, y1 := y(1), y(r)
			top, h := math.Min(y0, y1), math.Abs(y1-y0)
			if h < 1 {
				h = 1
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %.2f× nodenet</title></rect>`+"\n", x, top, barW-2, h, colors[s], c.ID, s, r)
			ly := y1 - 3
			if r < 1 {
				ly = y1 + 11
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="9">%.2f</text>`+"\n", x+barW/2-1, ly, r)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%s</text>`+"\n", gx+groupW*0.4, p1top+panelH+14, c.ID)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="9" fill="#555">nodenet %s %s</text>`+"\n", gx+groupW*0.4, p1top+panelH+26, fmtNum(a.med(c.ID, "nodenet", perUnit)), strings.TrimPrefix(strings.TrimPrefix(unitLabel(c), "CPU "), "RSS "))
	}
	// Panel 2: p99 latency (µs, log10) of the ping-pong cells.
	p2top := p1top + panelH + 80
	var pcs []cell
	for _, c := range cells {
		if c.Mode == "pingpong" || c.Mode == "churn" {
			pcs = append(pcs, c)
		}
	}
	fmt.Fprintf(&b, `<text x="%d" y="%.0f" font-size="13">p99 round-trip latency, µs (log scale) — bars p99, ticks p50</text>`+"\n", left, p2top-6)
	lo2, hi2 := 1.0, 5.0 // 10 µs .. 100 ms
	y2 := func(v float64) float64 {
		l := math.Log10(math.Max(v, 1e-9))
		l = math.Max(lo2, math.Min(hi2, l))
		return p2top + panelH*(hi2-l)/(hi2-lo2)
	}
	for e := lo2; e <= hi2; e++ {
		v := math.Pow(10, e)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", left, W-20, y2(v), y2(v), left-4, y2(v)+4, fmtNum(v))
	}
	groupW2 := float64(W-left-20) / float64(max(len(pcs), 1))
	barW2 := groupW2 * 0.8 / float64(len(mainSystems))
	for gi, c := range pcs {
		gx := float64(left) + float64(gi)*groupW2 + groupW2*0.1
		for si, s := range mainSystems {
			v := a.med(c.ID, s, p99)
			if math.IsNaN(v) {
				continue
			}
			x := gx + float64(si)*barW2
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s p99 %.0f µs</title></rect>`+"\n", x, y2(v), barW2-2, p2top+panelH-y2(v), colors[s], c.ID, s, v)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="9">%s</text>`+"\n", x+barW2/2-1, y2(v)-3, fmtNum(v))
			if m := a.med(c.ID, s, p50); !math.IsNaN(m) {
				fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="black" stroke-width="2"/>`+"\n", x, x+barW2-2, y2(m), y2(m))
			}
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%s</text>`+"\n", gx+groupW2*0.4, p2top+panelH+14, c.ID)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// renderTLSTables is the TLS cells' section: nodenet's echo -tls beside
// Node's tls echo and the stdlib's crypto/tls echo.
func renderTLSTables(rep *report, a agg) string {
	var cells []cell
	for _, c := range rep.Cells {
		if c.TLS != "" {
			cells = append(cells, c)
		}
	}
	if len(cells) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n### TLS echo: server cost per unit of work (median over %d rounds; in parentheses: this system ÷ nodenet)\n\n", rep.Rounds)
	b.WriteString("nodenet = `examples/echo -tls`; node = `tls.createServer(opts, c => c.pipe(c))` (`bench/node/tlsecho.js`); stdlib = crypto/tls, goroutine per connection, GOMAXPROCS=1. Clients: crypto/tls, TLS 1.3, X25519, no resumption, no verification (the server is measured).\n\n")
	fmt.Fprintf(&b, "| cell | unit | %s |\n|---|---|%s\n", strings.Join(tlsSystems, " | "), strings.Repeat("---:|", len(tlsSystems)))
	for _, c := range cells {
		fmt.Fprintf(&b, "| %s | %s |", c.Title, unitLabel(c))
		for _, s := range tlsSystems {
			v := a.med(c.ID, s, perUnit)
			if s == "nodenet" {
				fmt.Fprintf(&b, " **%s** |", fmtNum(v))
				continue
			}
			r, _ := a.ratio(c.ID, s, "nodenet", perUnit)
			fmt.Fprintf(&b, " %s (×%.2f) |", fmtNum(v), r)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n| cell | measure | " + strings.Join(tlsSystems, " | ") + " |\n|---|---|" + strings.Repeat("---:|", len(tlsSystems)) + "\n")
	for _, c := range cells {
		if c.Mode == "idle" {
			fmt.Fprintf(&b, "| %s | nodenet goroutines before → after |", c.Title)
			var before, after []float64
			for _, r := range a[c.ID]["nodenet"] {
				if r.GoroutinesAfter > 0 {
					before = append(before, float64(r.GoroutinesBefore))
					after = append(after, float64(r.GoroutinesAfter))
				}
			}
			fmt.Fprintf(&b, " %s → %s | – | – |\n", fmtNum(median(before)), fmtNum(median(after)))
			continue
		}
		for _, row := range []struct {
			name string
			f    func(runResult) float64
		}{{rateLabel(c), rate}, {"p50 µs", p50}, {"p99 µs", p99}} {
			fmt.Fprintf(&b, "| %s | %s |", c.Title, row.name)
			for _, s := range tlsSystems {
				fmt.Fprintf(&b, " %s |", fmtNum(a.med(c.ID, s, row.f)))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// writeLoadRowsAndFailures writes, under a "Machine load seen per cell"
// table header the caller wrote, one row per cell and system (quiet-before
// and foreign CPU, runs redone, runs still disturbed), then the runs that
// failed and the run's notes: the tail every report (echo, protocol, proxy)
// shares.
func writeLoadRowsAndFailures(b *strings.Builder, rep *report, a agg, cells []cell) {
	for _, c := range cells {
		for _, s := range c.Systems {
			var q, f []float64
			redo, dist := 0, 0
			for _, r := range a[c.ID][s] {
				q = append(q, r.QuietBusy)
				f = append(f, r.Foreign)
				redo += r.Attempts - 1
				if r.Disturbed {
					dist++
				}
			}
			fmt.Fprintf(b, "| %s | %s | %.2f / %.2f | %.2f / %.2f | %d | %d |\n", c.ID, s, median(q), maxf(q), median(f), maxf(f), redo, dist)
		}
	}
	var errs []string
	for _, r := range rep.Results {
		if r.Err != "" {
			errs = append(errs, fmt.Sprintf("- round %d, %s, %s: %s", r.Round+1, r.Cell, r.System, r.Err))
		}
	}
	if len(errs) > 0 {
		b.WriteString("\n### Runs that failed (left out of the medians)\n\n" + strings.Join(errs, "\n") + "\n")
	}
	for _, n := range rep.Notes {
		b.WriteString("\nNote: " + n + "\n")
	}
}
