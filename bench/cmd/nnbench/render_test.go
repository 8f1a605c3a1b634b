package main

import (
	"math"
	"strings"
	"testing"
)

// A repeated cell's parts are merged into one run per round: CPU per unit is
// total CPU over total work, not the mean of the parts' ratios.
func TestIndexMergesRepeatedRuns(t *testing.T) {
	rep := &report{Results: []runResult{
		{Round: 0, Cell: "stream-10", System: "nodenet", Window: 1, ServerCPU: 1, PerUnit: 500, Rate: 2000, Attempts: 1}, // 1/500 MB·1e6
		{Round: 0, Cell: "stream-10", System: "nodenet", Window: 1, ServerCPU: 1, PerUnit: 1000, Rate: 1000, Attempts: 1},
		{Round: 1, Cell: "stream-10", System: "nodenet", Window: 1, ServerCPU: 1, PerUnit: 700, Rate: 1400, Attempts: 1},
	}}
	a := index(rep)
	r0 := a["stream-10"]["nodenet"][0]
	// work = 1/500 + 1/1000 = 0.003; CPU 2 → 666.67 per unit.
	if math.Abs(r0.PerUnit-2/0.003) > 1e-9 || r0.Rate != 1500 || r0.Attempts != 2 || r0.ServerCPU != 2 {
		t.Fatalf("merged round 0 = %+v", r0)
	}
	if r1 := a["stream-10"]["nodenet"][1]; r1.PerUnit != 700 {
		t.Fatalf("single run changed: %+v", r1)
	}
	failed := mergeRuns(runResult{PerUnit: 1, ServerCPU: 1}, runResult{Err: "boom"})
	if failed.Err != "boom" {
		t.Fatalf("a failed part must fail the merged run: %+v", failed)
	}
}

// A full run's report has both kinds of cells: the echo tables leave the
// protocol cells out, the protocol tables have them, and each allocation
// table has only its own kind.
func TestCombinedReport(t *testing.T) {
	cells := interleave(fullCells(), protocolCells())
	if cells[0].ID != "pp64-1" || cells[1].ID != "resp-set-p1" || len(cells) != len(fullCells())+len(protocolCells()) {
		t.Fatalf("interleave: %s %s … %d cells", cells[0].ID, cells[1].ID, len(cells))
	}
	rep := &report{Mode: "full", Rounds: 1, Cells: cells, Results: []runResult{
		{Cell: "pp64-50", System: "nodenet", PerUnit: 7, Rate: 1},
		{Cell: "pp64-50", System: "gnet", PerUnit: 8, Rate: 1},
		{Cell: "http-c50-p16", System: "nodenet", PerUnit: 0.9, Rate: 1},
		{Cell: "http-c50-p16", System: "gnet", PerUnit: 1.0, Rate: 1},
	}, Allocs: []allocResult{
		{Conns: 50, Size: 64, Msgs: 1000},
		{Conns: 50, Size: 16, Msgs: 1000, Workload: "http plaintext, 50 conns, depth 16"},
	}}
	md := renderMarkdown(rep, "bench.svg", "bench-protocols.svg", "")
	for _, want := range []string{"## Echo servers", "## Protocol servers", "| HTTP plaintext, 50 conns, pipelined 16 | ≤ 0.9× gnet | 0.90 | 1 | **yes** |",
		"| ping-pong 64 B, 50 conns | CPU/msg ≤ 0.9× gnet | 0.88 | 1 | **yes** |", "![server CPU per request relative to nodenet](bench-protocols.svg)",
		"| ping-pong 64 B, 50 conns | 1000 |", "| http plaintext, 50 conns, depth 16 | 1000 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	echo := renderTables(rep)
	if strings.Contains(echo, "HTTP plaintext") || strings.Contains(echo, "depth 16") {
		t.Errorf("echo tables show protocol cells or allocations:\n%s", echo)
	}
	if strings.Contains(renderSVG(rep), "http-c50") {
		t.Error("the echo chart draws a protocol cell")
	}
}
