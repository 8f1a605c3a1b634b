package main

import (
	"strings"
)

// sideOf is a trace line's first word: which side of the program printed it
// (server, client, process, ...).
func sideOf(line string) string {
	if i := strings.IndexByte(line, ' '); i >= 0 {
		return line[:i]
	}
	return line
}

// diffTraces compares the two traces one side at a time: the order of one
// side's lines is compared, the interleaving of two sides is not (two
// processes, or two ends of one connection, are not ordered by anything
// both runtimes share). The result is "" when every side matches, else one
// "@@ side @@" section per differing side holding that side's whole
// sequence, ' ' for a line both printed, '-' for Node only, '+' for nodenet
// only. It is what .pending and .deliberate files hold, byte for byte.
func diffTraces(node, nodenet []string) string {
	var order []string
	seen := map[string]bool{}
	split := func(tr []string) map[string][]string {
		m := map[string][]string{}
		for _, l := range tr {
			s := sideOf(l)
			if !seen[s] {
				seen[s] = true
				order = append(order, s)
			}
			m[s] = append(m[s], l)
		}
		return m
	}
	a, b := split(node), split(nodenet)
	var out strings.Builder
	for _, s := range order {
		if equal(a[s], b[s]) {
			continue
		}
		out.WriteString("@@ " + s + " @@\n")
		for _, l := range lineDiff(a[s], b[s]) {
			out.WriteString(l + "\n")
		}
	}
	return out.String()
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// lineDiff is a longest-common-subsequence diff of two short sequences;
// where several alignments are as long, deletions come before insertions,
// so the output is the same for the same input.
func lineDiff(a, b []string) []string {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			out = append(out, " "+a[i])
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, "-"+a[i])
			i++
		default:
			out = append(out, "+"+b[j])
			j++
		}
	}
	return out
}
