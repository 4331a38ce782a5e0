// Command realworld runs goroutineleak over a corpus of large real modules
// and the standard library, the way a user would, and reports what it
// finds and what it costs.
//
//	go run ./bench/realworld                 # findings per module
//	go run ./bench/realworld -bench -runs 3  # and the side-by-side benchmark
//
// For each module of modules.txt it makes a scratch module (under -dir)
// that requires the module at its pinned version, lists the module's
// packages that load with their tests, and runs the linter over them. It
// prints, per module: packages, lines of Go, diagnostics per analyzer,
// diagnostics per 100k lines, wall time and peak memory. The diagnostics
// themselves go to DIR/<module>/findings.txt, for the audit.
//
// With -bench it then runs, over the same packages, alternating, -runs
// times each: a no-op analyzer (loading and type-checking), a no-op
// analyzer that declares a fact type (which makes the driver load every
// dependency from source: the floor for any facts-using analyzer),
// goroutineleak, and go vet's default suite (its result cache defeated),
// and prints medians and ratios to the floor.
package main

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"
)

//go:embed modules.txt
var modulesTxt string

var (
	dir     = flag.String("dir", filepath.Join(os.TempDir(), "goroutineleak-realworld"), "scratch directory (kept between runs)")
	bench   = flag.Bool("bench", false, "also run the side-by-side benchmark")
	runs    = flag.Int("runs", 3, "benchmark runs per tool (medians are reported)")
	only    = flag.String("only", "", "comma-separated module paths (or std) to restrict to")
	withStd = flag.Bool("std", true, "include the standard library")
)

type module struct {
	path, version string
	work          string   // scratch module directory
	packages      []string // packages to lint
	lines         int
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("realworld: ")
	flag.Parse()
	root, err := repoRoot()
	if err != nil {
		log.Fatal(err)
	}
	bin := filepath.Join(*dir, "bin")
	for _, cmd := range []string{"goroutineleak", "noop"} {
		pkg := "./cmd/goroutineleak"
		if cmd == "noop" {
			pkg = "./internal/cmd/noop"
		}
		if out, err := run(root, "go", "build", "-o", filepath.Join(bin, cmd), pkg); err != nil {
			log.Fatalf("building %s: %v\n%s", cmd, err, out)
		}
	}

	mods := corpus()
	fmt.Printf("%-36s %8s %9s %8s %8s %8s %8s %8s %8s %8s\n", "module", "packages", "lines", "recvleak", "sendleak", "loopleak", "syncleak", "per100k", "wall", "peakMiB")
	var total struct{ lines, diags, errors int }
	for _, m := range mods {
		if err := m.setup(); err != nil {
			log.Printf("%s: %v", m.path, err)
			continue
		}
		res := measure(m.work, filepath.Join(bin, "goroutineleak"), append([]string{"-json"}, m.packages...)...)
		counts, errs := countDiagnostics(res.stdout, filepath.Join(m.work, "findings.txt"))
		n := counts["recvleak"] + counts["sendleak"] + counts["loopleak"] + counts["syncleak"]
		total.lines += m.lines
		total.diags += n
		fmt.Printf("%-36s %8d %9d %8d %8d %8d %8d %8.2f %7.1fs %8d\n", m.name(), len(m.packages), m.lines,
			counts["recvleak"], counts["sendleak"], counts["loopleak"], counts["syncleak"], per100k(n, m.lines), res.wall.Seconds(), res.peakKB/1024)
		for _, e := range errs {
			fmt.Printf("    analysis error: %s\n", e)
		}
		total.errors += len(errs)
		if strings.TrimSpace(res.stderr) != "" {
			fmt.Printf("    the driver said (first lines):\n")
			for _, l := range strings.SplitN(strings.TrimSpace(res.stderr), "\n", 4)[:min(3, strings.Count(strings.TrimSpace(res.stderr), "\n")+1)] {
				fmt.Printf("      %s\n", l)
			}
		}
	}
	fmt.Printf("%-36s %8s %9d %35s %8.2f\n", "total", "", total.lines, "", per100k(total.diags, total.lines))
	if total.errors > 0 {
		// An engine error is a bug, and leaves the counts above short.
		defer log.Fatalf("%d analysis errors: the counts above are incomplete", total.errors)
	}

	if *bench {
		benchmark(mods, bin)
	}
}

func per100k(n, lines int) float64 {
	if lines == 0 {
		return 0
	}
	return float64(n) * 100000 / float64(lines)
}

func (m *module) name() string {
	if m.path == "std" {
		return "std (" + runtime.Version() + ")"
	}
	return m.path + "@" + m.version
}

func corpus() []*module {
	var mods []*module
	want := map[string]bool{}
	for _, p := range strings.Split(*only, ",") {
		if p != "" {
			want[p] = true
		}
	}
	sc := bufio.NewScanner(strings.NewReader(modulesTxt))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(want) == 0 || want[f[0]] {
			mods = append(mods, &module{path: f[0], version: f[1]})
		}
	}
	if *withStd && (len(want) == 0 || want["std"]) {
		mods = append(mods, &module{path: "std"})
	}
	return mods
}

// setup makes the scratch module and lists the packages to lint.
func (m *module) setup() error {
	name := strings.NewReplacer("/", "_", ".", "_").Replace(m.path)
	m.work = filepath.Join(*dir, name)
	if err := os.MkdirAll(m.work, 0o755); err != nil {
		return err
	}
	list := filepath.Join(m.work, "packages.txt")
	if data, err := os.ReadFile(list); err == nil && len(data) > 0 {
		m.packages = strings.Fields(string(data))
	} else {
		gomod := fmt.Sprintf("module scratch/%s\n\ngo 1.26.0\n", name)
		if err := os.WriteFile(filepath.Join(m.work, "go.mod"), []byte(gomod), 0o644); err != nil {
			return err
		}
		all := []string{"std"}
		if m.path != "std" {
			if out, err := run(m.work, "go", "get", m.path+"@"+m.version); err != nil {
				return fmt.Errorf("go get: %w\n%s", err, out)
			}
			// The module's own packages (nested modules are not in the
			// build list), then what their tests import.
			out, _ := run(m.work, "go", "list", "-e", m.path+"/...")
			all = strings.Fields(out)
			// Best effort: packages whose test dependencies cannot be had
			// are left out below.
			_, _ = run(m.work, "go", append([]string{"get", "-t"}, all...)...)
		}
		// Keep the packages all of whose variants load.
		out, _ := run(m.work, "go", append([]string{"list", "-e", "-test", "-f", "{{.ImportPath}} {{if or .Error .DepsErrors}}bad{{else}}ok{{end}}"}, all...)...)
		bad, seen := map[string]bool{}, map[string]bool{}
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			// "p", "p [p.test]", "p_test [p.test]" and "p.test" are all p.
			p := f[0]
			if len(f) == 3 {
				p = strings.Trim(f[1], "[]")
			}
			p = strings.TrimSuffix(p, ".test")
			seen[p] = true
			if f[len(f)-1] == "bad" {
				bad[p] = true
			}
		}
		for p := range seen {
			if !bad[p] && (m.path == "std" || strings.HasPrefix(p, m.path)) {
				m.packages = append(m.packages, p)
			}
		}
		sort.Strings(m.packages)
		if err := os.WriteFile(list, []byte(strings.Join(m.packages, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	if m.path != "std" {
		// The version actually selected: a test dependency may ask for a newer one.
		if out, err := run(m.work, "go", "list", "-m", "-f", "{{.Version}}", m.path); err == nil {
			m.version = strings.TrimSpace(out)
		}
	}
	m.lines = countLines(m.work, m.packages)
	return nil
}

// countLines counts the lines of the Go files (tests included) of pkgs.
func countLines(dir string, pkgs []string) int {
	out, _ := run(dir, "go", append([]string{"list", "-e", "-f", `{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}
{{end}}{{range .TestGoFiles}}{{$d}}/{{.}}
{{end}}{{range .XTestGoFiles}}{{$d}}/{{.}}
{{end}}{{range .CgoFiles}}{{$d}}/{{.}}
{{end}}`}, pkgs...)...)
	lines := 0
	for _, f := range strings.Fields(out) {
		if data, err := os.ReadFile(f); err == nil {
			lines += bytes.Count(data, []byte("\n"))
		}
	}
	return lines
}

// countDiagnostics parses the -json output of the linter, writes the
// diagnostics as text to findings (with a "fix:" line for each suggested
// fix), and counts them by category.
func countDiagnostics(out, findings string) (map[string]int, []string) {
	type diag struct {
		Category string `json:"category"`
		Posn     string `json:"posn"`
		Message  string `json:"message"`
		Related  []struct {
			Posn    string `json:"posn"`
			Message string `json:"message"`
		} `json:"related"`
		Fixes []struct {
			Message string `json:"message"`
		} `json:"suggested_fixes"`
	}
	counts := map[string]int{}
	seen := map[string]bool{}
	var errs []string
	var text strings.Builder
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err != nil {
			break
		}
		for _, byAnalyzer := range tree {
			for _, raw := range byAnalyzer {
				var ds []diag
				if json.Unmarshal(raw, &ds) != nil {
					var e struct{ Error string }
					if json.Unmarshal(raw, &e) == nil && e.Error != "" {
						errs = append(errs, e.Error)
					}
					continue
				}
				for _, d := range ds {
					// A package and its test variant report the same lines.
					key := d.Posn + d.Message
					if seen[key] {
						continue
					}
					seen[key] = true
					counts[d.Category]++
					fmt.Fprintf(&text, "%s: %s\n", d.Posn, d.Message)
					for _, r := range d.Related {
						fmt.Fprintf(&text, "\t%s: %s\n", r.Posn, r.Message)
					}
					for _, f := range d.Fixes {
						fmt.Fprintf(&text, "\tfix: %s\n", f.Message)
					}
				}
			}
		}
	}
	if err := os.WriteFile(findings, []byte(text.String()), 0o644); err != nil {
		errs = append(errs, err.Error())
	}
	return counts, errs
}

type result struct {
	stdout string
	stderr string
	wall   time.Duration
	peakKB int64
	err    error
}

// measure runs a command and returns its output, wall time and peak
// resident memory.
func measure(dir, name string, args ...string) result {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), wall: time.Since(start), err: err}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.peakKB = ru.Maxrss
		}
	}
	return r
}

func run(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func repoRoot() (string, error) {
	out, err := run(".", "go", "list", "-m", "-f", "{{.Dir}}")
	if err != nil {
		return "", fmt.Errorf("run from within the goroutineleak module: %w", err)
	}
	return strings.TrimSpace(out), nil
}

// benchmark runs the four tools over each module's packages, alternating,
// and prints medians and ratios to the facts-declaring no-op.
func benchmark(mods []*module, bin string) {
	type tool struct {
		name string
		argv func(m *module, run int) []string
	}
	tools := []tool{
		{"noop", func(m *module, _ int) []string { return append([]string{filepath.Join(bin, "noop")}, m.packages...) }},
		{"noop+facts", func(m *module, _ int) []string {
			return append([]string{filepath.Join(bin, "noop"), "-facts"}, m.packages...)
		}},
		{"goroutineleak", func(m *module, _ int) []string {
			return append([]string{filepath.Join(bin, "goroutineleak")}, m.packages...)
		}},
		// go vet caches its results; a vet flag that changes nothing but is
		// part of the cache key makes every run analyse afresh.
		{"go vet", func(m *module, run int) []string {
			return append([]string{"go", "vet", fmt.Sprintf("-printf.funcs=benchmarkNoSuchFunc%d%d", time.Now().UnixNano(), run)}, m.packages...)
		}},
	}
	fmt.Printf("\nbenchmark: median of %d alternating runs; ratios are to noop+facts, the floor of any facts-using analyzer\n", *runs)
	fmt.Printf("%-36s %-14s %8s %8s %9s %8s\n", "module", "tool", "wall", "peakMiB", "wall/floor", "mem/floor")
	for _, m := range mods {
		if len(m.packages) == 0 {
			continue
		}
		walls := make([][]time.Duration, len(tools))
		mems := make([][]int64, len(tools))
		for r := range *runs {
			for i, t := range tools {
				argv := t.argv(m, r)
				res := measure(m.work, argv[0], argv[1:]...)
				walls[i] = append(walls[i], res.wall)
				mems[i] = append(mems[i], res.peakKB)
			}
		}
		med := func(xs []time.Duration) time.Duration { slices.Sort(xs); return xs[len(xs)/2] }
		medm := func(xs []int64) int64 { slices.Sort(xs); return xs[len(xs)/2] }
		floorW, floorM := med(walls[1]), medm(mems[1])
		for i, t := range tools {
			w, mm := med(walls[i]), medm(mems[i])
			fmt.Printf("%-36s %-14s %7.1fs %8d %9.2fx %8.2fx\n", m.name(), t.name, w.Seconds(), mm/1024,
				w.Seconds()/floorW.Seconds(), float64(mm)/float64(floorM))
		}
	}
}
