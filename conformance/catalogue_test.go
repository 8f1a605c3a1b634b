package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The catalogue of conformance ids is docs/conformance.md. These tests keep it
// complete and true: every id cited anywhere in the repository has an entry,
// every Go test an entry names exists, and every test whose name carries an
// id is named by that id's entry.

var (
	// idRef is an id as prose cites it: NC-038, NS-049.
	idRef = regexp.MustCompile(`\bN[CS]-\d{3}[a-z]?\b`)
	// idInName is an id inside a test's name: TestNC038_…, TestLatin1RoundTripNC033.
	idInName = regexp.MustCompile(`N([CS])(\d{3})`)
	// entryHead is a catalogue entry's heading.
	entryHead = regexp.MustCompile(`(?m)^### (N[CS]-\d{3}[a-z]?) `)
	// goRef is a test named on an entry's Go line: `socket.TestNC038_BackpressureDrain`.
	goRef = regexp.MustCompile("`([A-Za-z0-9_/]+)\\.((?:Test|Example|Fuzz|Benchmark)\\w*)`")
)

const cataloguePath = "docs/conformance.md"

// catalogueRoot is the repository's top directory (this package is conformance/).
func catalogueRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found above conformance/: %v", err)
	}
	return root
}

// catalogue reads docs/conformance.md: for each id, the Go tests its entry
// names ("pkg.TestName").
func catalogue(t *testing.T, root string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, cataloguePath))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	heads := entryHead.FindAllStringSubmatchIndex(text, -1)
	entries := make(map[string][]string, len(heads))
	for i, h := range heads {
		id := text[h[2]:h[3]]
		end := len(text)
		if i+1 < len(heads) {
			end = heads[i+1][0]
		}
		if _, dup := entries[id]; dup {
			t.Errorf("%s: %s has two entries", cataloguePath, id)
		}
		var tests []string
		for _, line := range strings.Split(text[h[0]:end], "\n") {
			if !strings.HasPrefix(line, "**Go:**") {
				continue
			}
			for _, m := range goRef.FindAllStringSubmatch(line, -1) {
				tests = append(tests, m[1]+"."+m[2])
			}
		}
		entries[id] = tests
	}
	return entries
}

// skipDir: what the walk does not read — history, Node's installation, tool
// caches, benchmark output.
func skipDir(rel string, d fs.DirEntry) bool {
	switch d.Name() {
	case ".git", ".node", "node_modules", "results", "bin":
		return true
	}
	return false
}

// pkgName is how the catalogue names the package in directory rel.
func pkgName(rel string) string {
	if rel == "." {
		return "nodenet"
	}
	return filepath.ToSlash(rel)
}

// repoFacts walks the repository: the ids cited (each with a file citing
// it) and every test function, as "pkg.Name".
func repoFacts(t *testing.T, root string) (cited map[string]string, tests map[string]bool) {
	t.Helper()
	cited = map[string]string{}
	tests = map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel != "." && skipDir(rel, d) {
				return filepath.SkipDir
			}
			return nil
		}
		if filepath.ToSlash(rel) == cataloguePath || !d.Type().IsRegular() {
			return nil // a socket, FIFO or link left by a run is not a source
		}
		info, err := d.Info()
		if err != nil || info.Size() > 1<<20 {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.IndexByte(b, 0) >= 0 {
			return nil // binary
		}
		for _, id := range idRef.FindAllString(string(b), -1) {
			if _, ok := cited[id]; !ok {
				cited[id] = filepath.ToSlash(rel)
			}
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, b, parser.SkipObjectResolution)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		pkg := pkgName(filepath.Dir(rel))
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !isTestName(fn.Name.Name) {
				continue
			}
			tests[pkg+"."+fn.Name.Name] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cited, tests
}

func isTestName(n string) bool {
	for _, p := range []string{"Test", "Example", "Fuzz", "Benchmark"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// TestCatalogueCoversCitedIDs: an id cited in code, tests or docs, or carried
// in a test's name, has an entry in docs/conformance.md.
func TestCatalogueCoversCitedIDs(t *testing.T) {
	root := catalogueRoot(t)
	entries := catalogue(t, root)
	cited, tests := repoFacts(t, root)
	for name := range tests {
		for _, m := range idInName.FindAllStringSubmatch(name, -1) {
			id := "N" + m[1] + "-" + m[2]
			if _, ok := cited[id]; !ok {
				cited[id] = name
			}
		}
	}
	var missing []string
	for id, where := range cited {
		if _, ok := entries[id]; !ok {
			missing = append(missing, id+" (cited in "+where+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("%s has no entry in %s: add one (the Node test it comes from, the behaviour, the Go tests)", m, cataloguePath)
	}
}

// TestCatalogueNamesRealTests: every Go test an entry names exists, and every
// test whose name carries an id is named by that id's entry.
func TestCatalogueNamesRealTests(t *testing.T) {
	root := catalogueRoot(t)
	entries := catalogue(t, root)
	_, tests := repoFacts(t, root)
	listed := map[string]map[string]bool{}
	for id, names := range entries {
		listed[id] = map[string]bool{}
		for _, n := range names {
			listed[id][n] = true
			if !tests[n] {
				t.Errorf("%s: the entry of %s names %s, which does not exist (renamed or moved?)", cataloguePath, id, n)
			}
		}
	}
	var unlisted []string
	for name := range tests {
		for _, m := range idInName.FindAllStringSubmatch(name, -1) {
			id := "N" + m[1] + "-" + m[2]
			if _, ok := entries[id]; ok && !listed[id][name] {
				unlisted = append(unlisted, id+": "+name)
			}
		}
	}
	sort.Strings(unlisted)
	for _, u := range unlisted {
		t.Errorf("%s: %s carries the id in its name but is not on the entry's Go line", cataloguePath, u)
	}
}
