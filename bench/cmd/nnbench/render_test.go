package main

import (
	"math"
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
