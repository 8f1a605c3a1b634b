// Command conformance is nodenet's differential suite: every scenario is a
// Node program (scenarios/<name>.js) and its nodenet port (scenarios/<name>.go,
// registered in the scenarios binary); both print a trace, one line per event,
// "<side> <event> key=value ...", and the runner compares the two traces side
// by side (the order of one side's lines is compared, the interleaving of two
// sides is not).
//
//	go run ./conformance                  # every scenario (make conformance)
//	go run ./conformance -v connect_      # the scenarios whose name matches a regexp, every trace shown
//	go run ./conformance -update          # rewrite .pending diffs, drop fixed ones, regenerate PENDING.md
//
// A scenario whose traces differ fails, unless a file beside it expects that
// exact difference: <name>.deliberate (a difference kept on purpose, with its
// reason; docs/porting.md lists them) or <name>.pending (a divergence not
// fixed yet, listed in PENDING.md). Either fails when the difference changes
// or disappears. See docs/differential.md.
//
// Node is pinned (nodeVersion) and installed with npm into conformance/.node
// when missing; NODENET_NODE names another binary of the same version.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// nodeVersion is the oracle: whatever this Node prints is the truth.
const nodeVersion = "26.10.0"

var (
	flagJobs    = flag.Int("j", 4, "scenario processes run at once")
	flagTimeout = flag.Duration("timeout", 15*time.Second, "bound on each scenario process (a hang shows as 'process TIMEOUT')")
	flagRace    = flag.Bool("race", true, "build the nodenet side with the race detector")
	flagUpdate  = flag.Bool("update", false, "rewrite the diff of every .pending file, delete those whose scenario now matches, regenerate PENDING.md (never touches .deliberate)")
	flagNew     = flag.Bool("new-pending", false, "write a .pending file (summary to fill in) for every failing scenario that has no expectation file")
	flagVerbose = flag.Bool("v", false, "print both traces of every scenario, not only of failures")
	flagNode    = flag.Bool("node", false, "install the pinned Node if missing, print its path and exit (make tools; the tls package's peer tests use it)")
)

func main() {
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: go run ./conformance [flags] [name-regexp ...]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	start := time.Now()
	root, err := repoRoot()
	if err != nil {
		fatal(err)
	}
	dir := filepath.Join(root, "conformance", "scenarios")

	node, err := ensureNode(root)
	if err != nil {
		fatal(err)
	}
	if *flagNode {
		fmt.Println(node)
		return
	}
	if err := checkRefusedPort(); err != nil {
		fatal(err)
	}

	work, err := os.MkdirTemp("", "nodenet-conformance-")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "scenarios")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if err := buildScenarios(root, bin); err != nil {
		fatal(err)
	}
	built := time.Since(start)

	names, problems, err := listScenarios(dir, bin)
	if err != nil {
		fatal(err)
	}
	selected := selectNames(names, flag.Args())
	if len(selected) == 0 {
		fatal(fmt.Errorf("no scenario matches %q", flag.Args()))
	}

	results := runAll(dir, node, bin, work, selected)
	if *flagNew {
		if err := newPending(dir, results); err != nil {
			fatal(err)
		}
	}
	if *flagUpdate || *flagNew {
		if err := update(dir, results); err != nil {
			fatal(err)
		}
		for _, r := range results {
			r.judge(dir) // against the files as they are now
		}
	}

	var nMatch, nDeliberate, nPending int
	var failed []string
	for _, r := range results {
		switch r.status {
		case statusMatch:
			nMatch++
		case statusDeliberate:
			nDeliberate++
		case statusPending:
			nPending++
		default:
			failed = append(failed, r.name)
		}
		r.print(*flagVerbose)
	}

	// PENDING.md is checked only on a full run: a partial one does not
	// know every scenario's state.
	full := len(selected) == len(names)
	if full {
		want, err := pendingMarkdown(dir)
		if err != nil {
			fatal(err)
		}
		path := filepath.Join(root, "conformance", "PENDING.md")
		if *flagUpdate || *flagNew {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				fatal(err)
			}
		} else if have, _ := os.ReadFile(path); !bytes.Equal(have, want) {
			problems = append(problems, "conformance/PENDING.md does not list the .pending files as they are: run `make conformance-update`")
		}
	}

	fmt.Printf("\n%d of %d scenarios match Node v%s", nMatch, len(selected), nodeVersion)
	fmt.Printf(" (%d deliberate differences as expected", nDeliberate)
	if nPending > 0 {
		fmt.Printf(", %d PENDING", nPending)
	}
	fmt.Printf("); %s, of which building %s\n", time.Since(start).Round(100*time.Millisecond), built.Round(100*time.Millisecond))
	if nPending > 0 {
		fmt.Printf("!!! %d PENDING divergences from Node, not fixed yet: conformance/PENDING.md !!!\n", nPending)
	}
	for _, p := range problems {
		fmt.Printf("FAIL: %s\n", p)
	}
	if len(failed) > 0 {
		fmt.Printf("FAIL: %d scenarios: %s\n", len(failed), strings.Join(failed, " "))
	}
	if len(failed) > 0 || len(problems) > 0 {
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "conformance: %v\n", err)
	os.Exit(1)
}

// repoRoot is the nearest directory upwards holding nodenet's go.mod.
func repoRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && bytes.HasPrefix(b, []byte("module github.com/nodenet/nodenet\n")) {
			return d, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return "", errors.New("run from inside the nodenet repository (no go.mod of github.com/nodenet/nodenet above the current directory)")
		}
		d = up
	}
}

// ensureNode returns a Node binary of exactly nodeVersion: NODENET_NODE if
// set, else the copy in conformance/.node, installed there with npm first if
// it is missing. Without npm it fails with what to do; it never skips.
func ensureNode(root string) (string, error) {
	if p := os.Getenv("NODENET_NODE"); p != "" {
		return p, checkNode(p)
	}
	cache := filepath.Join(root, "conformance", ".node")
	name := "node"
	if runtime.GOOS == "windows" {
		name = "node.cmd"
	}
	bin := filepath.Join(cache, "node_modules", ".bin", name)
	if _, err := os.Stat(bin); err == nil {
		if err := checkNode(bin); err == nil {
			return bin, nil
		}
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("the suite's oracle, Node v%s, is not in %s, and npm is not on PATH to install it there: install npm (Debian: apt-get install npm), or set NODENET_NODE to a node v%s binary", nodeVersion, cache, nodeVersion)
	}
	fmt.Printf("conformance: installing Node v%s with npm into %s\n", nodeVersion, cache)
	tmp := cache + ".tmp"
	_ = os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", err
	}
	cmd := exec.Command(npm, "install", "--prefix", tmp, "--no-audit", "--no-fund", "--no-save", "--loglevel=error", "node@"+nodeVersion)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm install node@%s failed (%v): set NODENET_NODE to a node v%s binary to run the suite without npm", nodeVersion, err, nodeVersion)
	}
	_ = os.RemoveAll(cache)
	if err := os.Rename(tmp, cache); err != nil {
		return "", err
	}
	return bin, checkNode(bin)
}

// checkRefusedPort makes sure nothing listens on port 1 of the loopback
// addresses: the scenarios that need a refused connect use it (a port from a
// server that was closed could be handed to another process meanwhile).
func checkRefusedPort() error {
	for _, addr := range []string{"127.0.0.1:1", "[::1]:1"} {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err == nil {
			c.Close()
			return fmt.Errorf("something listens on %s; the suite's refused-connect scenarios need that port closed", addr)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) && !strings.Contains(addr, "::1") {
			return fmt.Errorf("connect %s: %v (want ECONNREFUSED)", addr, err)
		}
	}
	return nil
}

func checkNode(bin string) error {
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return fmt.Errorf("%s --version: %v", bin, err)
	}
	if v := strings.TrimSpace(string(out)); v != "v"+nodeVersion {
		return fmt.Errorf("%s is Node %s; the suite is pinned to v%s", bin, v, nodeVersion)
	}
	return nil
}

func buildScenarios(root, bin string) error {
	args := []string{"build", "-o", bin}
	if *flagRace {
		args = append(args, "-race")
	}
	args = append(args, "./conformance/scenarios")
	gobin := os.Getenv("GO")
	if gobin == "" {
		gobin = "go"
	}
	cmd := exec.Command(gobin, args...)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building the nodenet side: %v", err)
	}
	return nil
}

// listScenarios is every <name>.js of dir (trace.js is the helper), checked
// against what the Go binary registers.
func listScenarios(dir, bin string) (names, problems []string, err error) {
	js, err := filepath.Glob(filepath.Join(dir, "*.js"))
	if err != nil {
		return nil, nil, err
	}
	have := map[string]bool{}
	for _, p := range js {
		n := strings.TrimSuffix(filepath.Base(p), ".js")
		if n == "trace" {
			continue
		}
		names = append(names, n)
		have[n] = true
	}
	out, err := exec.Command(bin, "-list").Output()
	if err != nil {
		return nil, nil, fmt.Errorf("scenarios -list: %v", err)
	}
	for _, n := range strings.Fields(string(out)) {
		if !have[n] {
			problems = append(problems, fmt.Sprintf("scenario %s has a Go port but no %s.js", n, n))
		}
	}
	porting, _ := os.ReadFile(filepath.Join(dir, "..", "..", "docs", "porting.md"))
	for _, kind := range []string{"pending", "deliberate"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*."+kind))
		for _, f := range files {
			n := strings.TrimSuffix(filepath.Base(f), "."+kind)
			if !have[n] {
				problems = append(problems, fmt.Sprintf("%s names no scenario (no %s.js)", filepath.Base(f), n))
			}
			if kind == "deliberate" && !bytes.Contains(porting, []byte("`"+n+"`")) {
				problems = append(problems, fmt.Sprintf("deliberate difference %s is not listed in docs/porting.md (name the scenario there as `%s`, with the reason)", n, n))
			}
		}
	}
	for _, n := range names {
		if i := strings.LastIndexByte(n, '_'); i >= 0 && buildSuffixes[n[i+1:]] {
			problems = append(problems, fmt.Sprintf("scenario name %s ends in _%s: Go would read %s.go as a build-constrained file; rename it", n, n[i+1:], n))
		}
		if strings.HasSuffix(n, "_test") {
			problems = append(problems, fmt.Sprintf("scenario name %s ends in _test: rename it", n))
		}
	}
	sort.Strings(names)
	return names, problems, nil
}

// buildSuffixes are the GOOS and GOARCH values a file name may end in.
var buildSuffixes = map[string]bool{}

func init() {
	for _, w := range strings.Fields("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos " +
		"386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm") {
		buildSuffixes[w] = true
	}
}

func selectNames(names, patterns []string) []string {
	if len(patterns) == 0 {
		return names
	}
	var res []*regexp.Regexp
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			fatal(err)
		}
		res = append(res, re)
	}
	var sel []string
	for _, n := range names {
		for _, re := range res {
			if re.MatchString(n) {
				sel = append(sel, n)
				break
			}
		}
	}
	return sel
}

type status int

const (
	statusMatch      status = iota
	statusDeliberate        // differs exactly as its .deliberate file says
	statusPending           // differs exactly as its .pending file says
	statusFail
)

type result struct {
	name          string
	status        status
	why           string // for statusFail
	diff          string // computed
	expect        *expectation
	node, nodenet run
}

type run struct {
	trace  []string
	stderr string
	took   time.Duration
}

// runAll runs every selected scenario under Node and nodenet, -j processes
// at a time, and judges each.
func runAll(dir, node, bin, work string, names []string) []*result {
	type job struct {
		name string
		go_  bool
		out  *run
	}
	results := make([]*result, len(names))
	var jobs []job
	for i, n := range names {
		results[i] = &result{name: n}
		jobs = append(jobs, job{n, false, &results[i].node}, job{n, true, &results[i].nodenet})
	}
	ch := make(chan job)
	var wg sync.WaitGroup
	for w := 0; w < max(1, *flagJobs); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				if j.go_ {
					*j.out = runOne(work, j.name, bin, j.name)
				} else {
					*j.out = runOne(work, j.name, node, filepath.Join(dir, j.name+".js"))
				}
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	for _, r := range results {
		r.judge(dir)
	}
	return results
}

// runOne runs one scenario process in a fresh directory (Unix socket paths
// are relative to it) and returns its trace: stdout's lines, then
// "process exitcode=N" if it did not exit 0 or "process TIMEOUT" if it was
// killed at the bound.
func runOne(work, name, prog, arg string) run {
	cwd, err := os.MkdirTemp(work, name+"-")
	if err != nil {
		return run{trace: []string{"process runner-error " + err.Error()}}
	}
	defer os.RemoveAll(cwd)
	ctx, cancel := context.WithTimeout(context.Background(), *flagTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, arg)
	cmd.Dir = cwd
	// GORACE: the race runtime otherwise sleeps a second at exit.
	cmd.Env = append(filteredEnv(), "NODE_OPTIONS=", "TMPDIR="+cwd, "GORACE=atexit_sleep_ms=0")
	cmd.WaitDelay = 2 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	t0 := time.Now()
	err = cmd.Run()
	r := run{stderr: stderr.String(), took: time.Since(t0)}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		r.trace = append(r.trace, sc.Text())
	}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.trace = append(r.trace, "process TIMEOUT")
	case errors.As(err, &ee):
		r.trace = append(r.trace, fmt.Sprintf("process exitcode=%d", ee.ExitCode()))
	case err != nil:
		r.trace = append(r.trace, "process runner-error "+err.Error())
	}
	return r
}

func filteredEnv() []string {
	var env []string
	for _, e := range os.Environ() {
		if strings.HasPrefix(e, "NODE_OPTIONS=") || strings.HasPrefix(e, "TMPDIR=") || strings.HasPrefix(e, "GORACE=") {
			continue
		}
		env = append(env, e)
	}
	return env
}

func (r *result) judge(dir string) {
	r.diff = diffTraces(r.node.trace, r.nodenet.trace)
	var found []*expectation
	for _, kind := range []string{"pending", "deliberate"} {
		p := filepath.Join(dir, r.name+"."+kind)
		e, err := readExpectation(p, kind)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			r.status, r.why = statusFail, err.Error()
			return
		}
		found = append(found, e)
	}
	switch {
	case len(found) > 1:
		r.status, r.why = statusFail, "has both a .pending and a .deliberate file"
	case len(found) == 0 && r.diff == "":
		r.status = statusMatch
	case len(found) == 0:
		r.status, r.why = statusFail, "differs from Node"
	default:
		r.expect = found[0]
		switch {
		case r.diff == "":
			r.status, r.why = statusFail, fmt.Sprintf("now matches Node, but %s.%s expects a difference: delete it (make conformance-update does, for .pending)", r.name, r.expect.kind)
		case r.diff != r.expect.diff:
			r.status, r.why = statusFail, fmt.Sprintf("differs from Node, but not as %s.%s expects", r.name, r.expect.kind)
		case r.expect.kind == "pending":
			r.status = statusPending
		default:
			r.status = statusDeliberate
		}
	}
}

func (r *result) print(verbose bool) {
	label := map[status]string{statusMatch: "ok", statusDeliberate: "deliberate", statusPending: "PENDING", statusFail: "FAIL"}[r.status]
	if r.status != statusFail && !verbose {
		return
	}
	fmt.Printf("--- %s %s (node %s, nodenet %s)\n", label, r.name, r.node.took.Round(time.Millisecond), r.nodenet.took.Round(time.Millisecond))
	if r.expect != nil {
		fmt.Printf("    %s: %s\n", r.expect.kind, r.expect.summary)
	}
	if r.why != "" {
		fmt.Printf("    %s\n", r.why)
	}
	if r.status == statusFail && r.expect != nil && r.diff != r.expect.diff && r.diff != "" {
		fmt.Printf("    expected difference (%s.%s):\n%s", r.name, r.expect.kind, indent(r.expect.diff))
		fmt.Printf("    actual difference:\n")
	}
	if r.diff != "" {
		fmt.Print(indent(r.diff))
	}
	if verbose || r.status == statusFail {
		fmt.Printf("    node trace:\n%s", indent(strings.Join(r.node.trace, "\n")+"\n"))
		fmt.Printf("    nodenet trace:\n%s", indent(strings.Join(r.nodenet.trace, "\n")+"\n"))
		for _, s := range []struct{ who, text string }{{"node", r.node.stderr}, {"nodenet", r.nodenet.stderr}} {
			if s.text != "" {
				fmt.Printf("    %s stderr:\n%s", s.who, indent(s.text))
			}
		}
	}
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString("      " + l)
		}
	}
	if !strings.HasSuffix(s, "\n") && s != "" {
		b.WriteByte('\n')
	}
	return b.String()
}
