package main

import (
	"fmt"
	"math"
	"os"
	"strings"
)

// proxyTarget is one of issue 16's targets: nodenet ÷ other ≤ limit on the
// cells cellOK accepts.
type proxyTarget struct {
	what   string
	other  string
	limit  float64
	cellOK func(c cell) bool
}

func isProxyPerMB(c cell) bool {
	return isProxyCell(c) && c.Mode != "idle" && (c.Size >= 64<<10 || c.Mode == "stream")
}
func isProxy1K(c cell) bool    { return isProxyCell(c) && c.Mode == "pingpong" && c.Size == 1<<10 }
func isProxyIdle(c cell) bool  { return isProxyCell(c) && c.Mode == "idle" }
func isEchoStream(c cell) bool { return !isProxyCell(c) && c.Mode == "stream" }

var proxyTargets = []proxyTarget{
	{"streaming echo CPU/MB ≤ 0.8× cepoll", "cepoll", 0.8, isEchoStream},
	{"streaming echo CPU/MB ≤ stdlib", "stdlib", 1, isEchoStream},
	{"proxy CPU/MB ≤ HAProxy (splice-auto)", "haproxy-splice", 1, isProxyPerMB},
	{"proxy CPU/MB ≤ HAProxy (splicing every read)", "haproxy-splice-all", 1, isProxyPerMB},
	{"proxy CPU/MB ≤ 0.9× stdlib", "stdlib", 0.9, isProxyPerMB},
	{"proxy CPU per 1 KiB message ≤ 0.9× gnet", "gnet", 0.9, isProxy1K},
	{"memory per idle proxied pair ≤ 0.5× stdlib", "stdlib", 0.5, isProxyIdle},
}

func perMB(r runResult) float64 {
	if r.PerMB > 0 {
		return r.PerMB
	}
	return math.NaN()
}

// proxyReportCells are the cells of the proxy tables: the proxy cells, and
// in a proxy-only run the streaming echo cell run beside them.
func proxyReportCells(rep *report) []cell {
	var cs []cell
	for _, c := range rep.Cells {
		if isProxyCell(c) || rep.Mode == "proxy" {
			cs = append(cs, c)
		}
	}
	return cs
}

func hasProxy(cells []cell) bool {
	for _, c := range cells {
		if isProxyCell(c) {
			return true
		}
	}
	return false
}

// isProxyAlloc says whether an allocation run is a proxy workload's.
func isProxyAlloc(ar allocResult) bool { return strings.HasPrefix(ar.Workload, "proxy") }

func proxyAllocRuns(rep *report) (out []allocResult) {
	for _, ar := range rep.Allocs {
		if isProxyAlloc(ar) {
			out = append(out, ar)
		}
	}
	return
}

// writeProxyReport is writeReport for a proxy-only run (make bench-proxy).
func writeProxyReport(rep *report, md, svg, ref string) {
	fmt.Println()
	fmt.Println(renderProxyTables(rep))
	if md != "" {
		if err := os.WriteFile(md, []byte(renderProxyMarkdown(rep, ref)), 0o644); err != nil {
			fatalf("%v", err)
		}
	}
	if svg != "" {
		if err := os.WriteFile(svg, []byte(renderProxySVG(rep)), 0o644); err != nil {
			fatalf("%v", err)
		}
	}
}

// renderProxyTables: per cell, every system's CPU per unit (and per MB for
// ping-pong) with nodenet ÷ it, rate and p99; then the targets and the
// allocation runs.
func renderProxyTables(rep *report) string {
	a := index(rep)
	var b strings.Builder
	fmt.Fprintf(&b, "### Proxy CPU per message and per MB, with rate and p99 beside it (medians over %d rounds; nodenet ÷ it is the median of per-round ratios — below 1 means nodenet is cheaper)\n\n", rep.Rounds)
	b.WriteString("| cell | system | CPU µs / msg | CPU µs / MB | nodenet ÷ it | msg/s | MB/s | p99 µs |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range proxyReportCells(rep) {
		if c.Mode == "idle" {
			continue
		}
		for _, s := range c.Systems {
			ratio := "–"
			if s != "nodenet" {
				if r, n := a.ratio(c.ID, "nodenet", s, perUnit); n > 0 {
					ratio = fmt.Sprintf("%.2f", r)
				}
			}
			name := s
			if s == "nodenet" {
				name = "**nodenet**"
			}
			msgCPU, mbCPU, msgs, mbs, lat := "–", "–", "–", "–", "–"
			switch c.Mode {
			case "stream":
				mbCPU, mbs = fmtNum(a.med(c.ID, s, perUnit)), fmtNum(a.med(c.ID, s, rate))
			default:
				msgCPU, mbCPU = fmtNum(a.med(c.ID, s, perUnit)), fmtNum(a.med(c.ID, s, perMB))
				msgs = fmtNum(a.med(c.ID, s, rate))
				mbs = fmtNum(a.med(c.ID, s, rate) * float64(c.Size) / 1e6)
				lat = fmtNum(a.med(c.ID, s, p99))
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", c.Title, name, msgCPU, mbCPU, ratio, msgs, mbs, lat)
		}
	}
	for _, c := range proxyReportCells(rep) {
		if c.Mode != "idle" {
			continue
		}
		fmt.Fprintf(&b, "\n### %s (proxy RSS growth ÷ pairs; medians over rounds)\n\n| system | RSS B / pair | nodenet ÷ it |\n|---|---:|---:|\n", c.Title)
		for _, s := range c.Systems {
			ratio := "–"
			if s != "nodenet" {
				if r, n := a.ratio(c.ID, "nodenet", s, perUnit); n > 0 {
					ratio = fmt.Sprintf("%.2f", r)
				}
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", s, fmtNum(a.med(c.ID, s, perUnit)), ratio)
		}
	}
	b.WriteString("\n### Targets (issue 16: nodenet ÷ other, median of per-round ratios)\n\n")
	b.WriteString("| cell | target | nodenet ÷ other | rounds | holds? |\n|---|---|---:|---:|---|\n")
	for _, t := range proxyTargets {
		for _, c := range rep.Cells {
			if !t.cellOK(c) || !hasSystem(c, t.other) {
				continue
			}
			r, n := a.ratio(c.ID, "nodenet", t.other, perUnit)
			verdict := "**yes**"
			if r > t.limit {
				verdict = "no"
			}
			if math.IsNaN(r) {
				verdict = "not measured"
			}
			fmt.Fprintf(&b, "| %s | %s | %.2f | %d | %s |\n", c.Title, t.what, r, n, verdict)
		}
	}
	if allocs := proxyAllocRuns(rep); len(allocs) > 0 {
		b.WriteString("\n### nodenet heap allocations per proxied message (whole proxy process, one loop, steady state)\n\n")
		b.WriteString("| workload | messages | mallocs | mallocs / msg | bytes / msg | GCs |\n|---|---:|---:|---:|---:|---:|\n")
		worst := 0.0
		for _, ar := range allocs {
			fmt.Fprintf(&b, "| %s | %d | %d | %.5f | %.3f | %d |\n", ar.Workload, ar.Msgs, ar.Mallocs, ar.MallocsPerMsg, ar.BytesPerMsg, ar.GCs)
			worst = math.Max(worst, ar.MallocsPerMsg)
		}
		verdict := "**yes**"
		if worst >= 0.01 {
			verdict = "no"
		}
		fmt.Fprintf(&b, "\nZero allocations per forwarded message (worst %.5f mallocs/msg): %s\n", worst, verdict)
	}
	return b.String()
}

func hasSystem(c cell, s string) bool {
	for _, x := range c.Systems {
		if x == s {
			return true
		}
	}
	return false
}

func renderProxyMarkdown(rep *report, svgRef string) string {
	a := index(rep)
	var b strings.Builder
	b.WriteString("# nodenet proxy benchmarks (Pipe by splice)\n\n")
	b.WriteString("<!-- generated by `make bench-proxy` (bench/cmd/nnbench/proxy*.go); hand-written notes come from bench/notes-proxy.md -->\n\n")
	fmt.Fprintf(&b, "Run `make bench-proxy` (`%s`, from bench/) at %s (%.0f s): %d interleaved rounds, %.1f s measured window after %.1f s warm-up per run.\n\n",
		rep.Command, rep.Started.Format("2006-01-02 15:04 MST"), rep.Elapsed, rep.Rounds, rep.WindowSec, rep.WarmupSec)
	for _, c := range rep.Cells {
		if c.repeat() > 1 {
			fmt.Fprintf(&b, "`%s` runs each system %d times per round, interleaved; the round's figure is their total CPU ÷ total work.\n\n", c.ID, c.repeat())
		}
	}
	fmt.Fprintf(&b, "Machine: %s. Proxy (or echo server) pinned to CPU 0; load generator and the upstream echo (C epoll) to CPU 1. The machine is shared with other engineers' work: compare the ratios (same round), not absolute figures across runs. Load average before the run %s, after it %s. %s\n\n",
		rep.Machine, rep.LoadBefore, rep.LoadAfter, loadSummary(rep))
	if svgRef != "" {
		fmt.Fprintf(&b, "![proxy CPU relative to nodenet](%s)\n\n", svgRef)
	}
	b.WriteString(renderProxyTables(rep))
	b.WriteString("\n### Machine load seen per cell\n\n| cell | system | quiet before (median / max) | others during window (median / max) | runs redone | still disturbed |\n|---|---|---:|---:|---:|---:|\n")
	writeLoadRowsAndFailures(&b, rep, a, proxyReportCells(rep))
	b.WriteString(proxyMethodText)
	if notes, err := os.ReadFile("notes-proxy.md"); err == nil {
		b.WriteString("\n" + string(notes))
	}
	return b.String()
}

const proxyMethodText = `
### Method

- Proxies: **nodenet** = ` + "`examples/proxy`" + ` (one loop, SpliceAuto); **nodenet-copy** = the same with ` + "`-splice never`" + ` (Node's way:
  every byte through user space); **haproxy-splice** / **haproxy** = Debian's HAProxy, ` + "`mode tcp`" + `, ` + "`nbthread 1`" + `, with
  ` + "`option splice-auto`" + ` / with ` + "`nosplice`" + `; **haproxy-splice-all** (64 KiB and streaming cells) = ` + "`option splice-request`" + ` + ` + "`option splice-response`" + `
  (every read spliced: splice-auto splices only once a buffer fills, which a ping-pong rarely does); **stdlib** = ` + "`bench/servers/stdproxy`" + ` (io.Copy both ways, a goroutine per
  direction — it splices through Go's pipe pool — GOMAXPROCS=1); **gnet** = ` + "`bench/servers/gnetproxy`" + ` (gnet v2: Register on the
  client's loop, Next/Write; no backpressure API); **node** = Node v26.10.0, ` + "`net.connect`" + ` + ` + "`pipe`" + ` both ways (` + "`bench/node/proxy.js`" + `).
- Each run: a fresh upstream (` + "`bench/cepoll`" + `, the C epoll echo) on CPU 1, the proxy on CPU 0, the checked load generator on CPU 1
  (every echoed byte compared). Ping-pong: one message outstanding per connection, so each byte crosses the proxy twice; CPU per MB is
  per MB of echoed payload. Streaming: 64 KiB writes and concurrent reads per connection. Idle: 3,000 connections each echo one byte, then
  the proxy's RSS growth over its 3,000 pairs (6,000 sockets; Go's proxy holds 6 descriptors per idle pair, see ` + "`nnbench fds`" + `, so 5,000 would pass the 20,000-file limit).
- The figure is the proxy's utime+stime (every thread, ` + "`/proc/<pid>/stat`" + `) over the window. The streaming echo cell is the one of
  ` + "`make bench`" + `, run in the same rounds.
- Allocations: ` + "`nnbench allocs -upstream`" + ` hosts examples/proxy's forwarding in-process on one loop (CPU 0) with the load and the upstream on CPU 1.
`

// renderProxySVG: one panel, other ÷ nodenet (CPU per unit; log scale) per
// cell, the idle cell in bytes per pair.
func renderProxySVG(rep *report) string {
	a := index(rep)
	cells := proxyReportCells(rep)
	colors := map[string]string{"nodenet": "#1f77b4", "nodenet-copy": "#aec7e8", "nodenet-splice": "#17becf", "haproxy-splice": "#8c564b", "haproxy-splice-all": "#5c3a2e", "haproxy": "#c49c94",
		"stdlib": "#d62728", "gnet": "#ff7f0e", "node": "#2ca02c", "cepoll": "#7f7f7f"}
	names := []string{"nodenet", "nodenet-copy", "haproxy-splice", "haproxy-splice-all", "haproxy", "stdlib", "gnet", "node", "cepoll"}
	const W, H, left, top, panelH = 1200, 400, 70, 70, 240
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", W, H)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="15" font-weight="bold">nodenet proxy — proxy CPU (idle: RSS) relative to nodenet (other ÷ nodenet; higher: nodenet cheaper), %d rounds (%s)</text>`+"\n", left, rep.Rounds, rep.Started.Format("2006-01-02"))
	for i, s := range names {
		x := left + i*125
		fmt.Fprintf(&b, `<rect x="%d" y="34" width="12" height="12" fill="%s"/><text x="%d" y="45">%s</text>`+"\n", x, colors[s], x+16, s)
	}
	lo, hi := -2.0, 6.0
	y := func(v float64) float64 {
		l := math.Max(lo, math.Min(hi, math.Log2(v)))
		return float64(top) + panelH*(hi-l)/(hi-lo)
	}
	for e := lo; e <= hi; e++ {
		v := math.Pow(2, e)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s"/><text x="%d" y="%.1f" text-anchor="end">%g×</text>`+"\n",
			left, W-20, y(v), y(v), map[bool]string{true: "#000", false: "#ddd"}[e == 0], left-4, y(v)+4, v)
	}
	groupW := float64(W-left-20) / float64(max(len(cells), 1))
	for gi, c := range cells {
		gx := float64(left) + float64(gi)*groupW + groupW*0.1
		barW := groupW * 0.8 / float64(len(c.Systems))
		for si, s := range c.Systems {
			r := 1.0
			if s != "nodenet" {
				r, _ = a.ratio(c.ID, s, "nodenet", perUnit)
			}
			if math.IsNaN(r) {
				continue
			}
			x := gx + float64(si)*barW
			y0, y1 := y(1), y(r)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %.2f× nodenet</title></rect>`+"\n",
				x, math.Min(y0, y1), barW-1, math.Max(math.Abs(y1-y0), 1), colors[s], c.ID, s, r)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="9">%s</text>`+"\n", gx+groupW*0.4, float64(top)+panelH+14, strings.TrimPrefix(c.ID, "proxy-"))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="9" fill="#555">%s %s</text>`+"\n", gx+groupW*0.4, float64(top)+panelH+26, fmtNum(a.med(c.ID, "nodenet", perUnit)), c.Unit)
	}
	b.WriteString("</svg>\n")
	return b.String()
}
