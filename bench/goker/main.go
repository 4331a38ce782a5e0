// Command goker measures the recall of goroutineleak on the Go runtime's own
// goroutine-leak corpus: the GoKer kernels (GoBench, CGO 2021) and the
// micro and pattern tests of $GOROOT/src/runtime/testdata/testgoroutineleakprofile.
//
//	go run ./bench/goker           # score the linter against the checked-in oracle
//	go run ./bench/goker -regen    # rebuild the oracle by running the corpus under the leak profile
//	go run ./bench/goker -linter /path/to/goroutineleak   # score a prebuilt linter instead
//
// The ground truth is not a list written by hand: oracle.txt holds the
// goroutines that the runtime's goroutineleak profile (a GC-based detector,
// so whatever it reports is really leaked in that run) saw blocked, per case,
// over several runs of every case, with the file:line of the innermost corpus
// frame, the wait reason and the go statement that started the goroutine.
// -regen rebuilds it; a normal run only reads it, so it does not need the
// newer toolchain. The oracle pins the corpus it was made from (Go version
// and sha256 of the files), because its positions are line numbers.
//
// A normal run copies the corpus into a scratch module, runs the linter
// built from this repository over it with -json, and scores it:
//
//   - sites: the channel-blocked sites of the oracle (chan send, chan
//     receive, range, select, nil channel) that a report lands on. A report
//     lands on a site when its position or one of its related positions is
//     on the site's file and line; for a select, on the line of the select
//     keyword (where the runtime places it) or of one of its cases.
//   - cases: the cases with at least one channel-blocked site found.
//
// Reports that land on no channel-blocked site of the oracle are listed for a
// human to judge, with the verdicts of JUDGED.md; those not judged yet are
// printed apart, to be added there. Misses are grouped by wait reason and by
// whether the case also involves sync primitives, which the linter does not
// model. Then come the reports that carry a suggested fix, and last a
// Markdown table for the README, with the share of reports that have one.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

var (
	dir        = flag.String("dir", filepath.Join(os.TempDir(), "goroutineleak-goker"), "scratch directory")
	corpusFlag = flag.String("corpus", "", "corpus directory (default $(go env GOROOT)/src/runtime/testdata/testgoroutineleakprofile)")
	linterFlag = flag.String("linter", "", "prebuilt goroutineleak binary to score (default: build ./cmd/goroutineleak of this repository)")
	oracleFlag = flag.String("oracle", "", "oracle file (default bench/goker/oracle.txt of this repository)")
	judgedFlag = flag.String("judged", "", "verdicts on reports not in the oracle (default bench/goker/JUDGED.md of this repository)")
	regen      = flag.Bool("regen", false, "rebuild the oracle by running every case under the goroutineleak profile, then score")
	runs       = flag.Int("runs", 5, "with -regen: runs of each case per toolchain and GOMAXPROCS value")
	toolchains = flag.String("toolchains", "go1.27.3,go1.26.8", "with -regen: comma-separated GOTOOLCHAIN values to profile with (before go1.27 the profile needs GOEXPERIMENT=goroutineleakprofile, which is set)")
	procs      = flag.String("procs", "1,2", "with -regen: comma-separated GOMAXPROCS values (the runtime's test uses 1 for its deterministic cases, the default for its flaky ones)")
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("goker: ")
	flag.Parse()
	root, err := repoRoot()
	if err != nil {
		log.Fatal(err)
	}
	if *oracleFlag == "" {
		*oracleFlag = filepath.Join(root, "bench", "goker", "oracle.txt")
	}
	if *judgedFlag == "" {
		*judgedFlag = filepath.Join(root, "bench", "goker", "JUDGED.md")
	}
	src, goVersion, err := corpusSource()
	if err != nil {
		log.Fatal(err)
	}
	// Absolute, for the paths in tracebacks and diagnostics are.
	if *dir, err = filepath.Abs(*dir); err != nil {
		log.Fatal(err)
	}
	work := filepath.Join(*dir, "corpus")
	sum, err := copyCorpus(src, work)
	if err != nil {
		log.Fatal(err)
	}
	k, err := loadKernels(work)
	if err != nil {
		log.Fatal(err)
	}

	if *regen {
		o, err := profileCorpus(work, k, goVersion, sum)
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(*oracleFlag, []byte(o.format()), 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Fprintf(os.Stderr, "goker: wrote %s\n", *oracleFlag)
	}
	o, err := readOracle(*oracleFlag)
	if err != nil {
		log.Fatal(err)
	}
	// The oracle's positions are line numbers in one version of the corpus.
	if o.corpusSum != sum {
		log.Fatalf("the corpus at %s (%s) is not the one %s was made from (%s, sha256 %s):\n"+
			"run with GOTOOLCHAIN=%s or -corpus, or rebuild the oracle with -regen", src, goVersion, *oracleFlag, o.corpusGo, o.corpusSum, o.corpusGo)
	}

	linter := *linterFlag
	if linter == "" {
		linter = filepath.Join(*dir, "bin", "goroutineleak")
		if out, err := run(root, nil, "go", "build", "-o", linter, "./cmd/goroutineleak"); err != nil {
			log.Fatalf("building the linter: %v\n%s", err, out)
		}
	}
	reports, err := lint(linter, work)
	if err != nil {
		log.Fatal(err)
	}
	judged, err := readJudged(*judgedFlag)
	if err != nil {
		log.Fatal(err)
	}
	s := score(o, k, reports)
	s.print(os.Stdout, o, k, judged, linter)
}

// corpusSource returns the corpus directory and the Go version it comes from.
func corpusSource() (path, version string, err error) {
	out, err := run(".", nil, "go", "env", "GOROOT", "GOVERSION")
	if err != nil {
		return "", "", fmt.Errorf("go env: %w\n%s", err, out)
	}
	f := strings.Fields(out)
	if len(f) != 2 {
		return "", "", fmt.Errorf("go env GOROOT GOVERSION: unexpected output %q", out)
	}
	if *corpusFlag != "" {
		return *corpusFlag, "(from -corpus)", nil
	}
	return filepath.Join(f[0], "src", "runtime", "testdata", "testgoroutineleakprofile"), f[1], nil
}

// copyCorpus copies the corpus afresh into dst, makes it a module, and
// returns the sha256 of the corpus files (paths and contents, in order).
func copyCorpus(src, dst string) (string, error) {
	if err := os.RemoveAll(dst); err != nil {
		return "", err
	}
	h := sha256.New()
	var n int
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		h.Write(fmt.Appendf(nil, "%s\x00%d\x00", filepath.ToSlash(rel), len(data)))
		h.Write(data)
		n++
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "", fmt.Errorf("no corpus files in %s", src)
	}
	// The corpus is two main packages: the runtime's micro, pattern and
	// stress tests at the root, and the GoKer kernels in goker/.
	gomod := "module leakcorpus\n\ngo 1.26\n"
	if err := os.WriteFile(filepath.Join(dst, "go.mod"), []byte(gomod), 0o644); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// run runs a command in dir with extra environment variables and returns
// its combined output.
func run(dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func repoRoot() (string, error) {
	out, err := run(".", nil, "go", "list", "-m", "-f", "{{.Dir}}")
	if err != nil {
		return "", fmt.Errorf("run from within the goroutineleak module: %w", err)
	}
	return strings.TrimSpace(out), nil
}

// site is a position in the corpus: a slash path relative to the corpus
// root and a line.
type site struct {
	file string
	line int
}

func (s site) String() string { return fmt.Sprintf("%s:%d", s.file, s.line) }

func parseSite(s string) (site, bool) {
	i := strings.LastIndex(s, ":")
	if i < 0 {
		return site{}, false
	}
	var line int
	if _, err := fmt.Sscanf(s[i+1:], "%d", &line); err != nil {
		return site{}, false
	}
	return site{s[:i], line}, true
}

func sortSites(ss []site) {
	sort.Slice(ss, func(i, j int) bool {
		if ss[i].file != ss[j].file {
			return ss[i].file < ss[j].file
		}
		return ss[i].line < ss[j].line
	})
}
