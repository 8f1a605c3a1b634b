package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The coverage table of docs/differential.md maps each item of Node's net
// reference (and the newer API we ship, the socket states, issue 11's
// items) to the scenarios that exercise it. This test keeps it true both
// ways: every scenario a row names exists and its Node program contains one
// of the row's tokens (the API it claims to cover), and every scenario is
// named by some row, so a scenario added or changed without the table fails.

const (
	coverageDoc   = "docs/differential.md"
	coverageBegin = "<!-- coverage:begin -->"
	coverageEnd   = "<!-- coverage:end -->"
	// minScenarios is issue 11's floor.
	minScenarios = 80
)

var backquoted = regexp.MustCompile("`([^`]+)`")

type coverageRow struct {
	item      string
	tokens    []string
	scenarios []string
}

func coverageTable(t *testing.T, root string) []coverageRow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, coverageDoc))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i, j := strings.Index(text, coverageBegin), strings.Index(text, coverageEnd)
	if i < 0 || j < i {
		t.Fatalf("%s: no %s ... %s block", coverageDoc, coverageBegin, coverageEnd)
	}
	var rows []coverageRow
	for _, line := range strings.Split(text[i+len(coverageBegin):j], "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|---") || strings.HasPrefix(line, "| Reference item") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		if len(cells) != 3 {
			t.Errorf("%s: row %q: want 3 cells, got %d", coverageDoc, line, len(cells))
			continue
		}
		r := coverageRow{item: strings.TrimSpace(cells[0])}
		for _, m := range backquoted.FindAllStringSubmatch(cells[1], -1) {
			r.tokens = append(r.tokens, m[1])
		}
		for _, m := range backquoted.FindAllStringSubmatch(cells[2], -1) {
			r.scenarios = append(r.scenarios, m[1])
		}
		rows = append(rows, r)
	}
	return rows
}

func TestCoverageTable(t *testing.T) {
	root := catalogueRoot(t)
	dir := filepath.Join(root, "conformance", "scenarios")
	js, err := filepath.Glob(filepath.Join(dir, "*.js"))
	if err != nil {
		t.Fatal(err)
	}
	source := map[string]string{}
	for _, f := range js {
		name := strings.TrimSuffix(filepath.Base(f), ".js")
		if name == "trace" { // the helpers
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, name+".go")); err != nil {
			t.Errorf("scenario %s has no Go port", name)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		source[name] = string(b)
	}
	if len(source) < minScenarios {
		t.Errorf("%d scenarios, issue 11 asks for at least %d", len(source), minScenarios)
	}
	rows := coverageTable(t, root)
	if len(rows) == 0 {
		t.Fatalf("%s: the coverage table is empty", coverageDoc)
	}
	named := map[string]bool{}
	for _, r := range rows {
		if len(r.tokens) == 0 || len(r.scenarios) == 0 {
			t.Errorf("row %q: needs a token and at least one scenario", r.item)
			continue
		}
		for _, s := range r.scenarios {
			named[s] = true
			src, ok := source[s]
			if !ok {
				t.Errorf("row %q names scenario %s, which does not exist", r.item, s)
				continue
			}
			found := false
			for _, tok := range r.tokens {
				found = found || strings.Contains(src, tok)
			}
			if !found {
				t.Errorf("row %q: scenario %s contains none of %q", r.item, s, r.tokens)
			}
		}
	}
	var unnamed []string
	for s := range source {
		if !named[s] {
			unnamed = append(unnamed, s)
		}
	}
	sort.Strings(unnamed)
	for _, s := range unnamed {
		t.Errorf("scenario %s is in no row of the coverage table in %s", s, coverageDoc)
	}
}
