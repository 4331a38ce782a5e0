package goroutineleak_test

import (
	"go/build"
	"maps"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/goroutineleak/goroutineleak/analyzers/goroutineleak"
	"github.com/goroutineleak/goroutineleak/internal/sharedrun"
	"golang.org/x/tools/go/analysis/analysistest"
)

// defaultPackages are the packages the default analyzer checks, with
// their fixes, in the tests below.
var defaultPackages = []string{"seeds", "user", "generic", "cgo", "suppress", "locks", "shutdown", "shutdownmain", "waitgroups", "callbacks"}

// defaultRun checks them all in one analysistest run, once per test
// binary: loading type-checks every package they import from source, which
// costs seconds a run. Each test reports what the run found wrong in its
// own packages.
var defaultRun = sharedrun.Once(analysistest.TestData(), func() ([]string, error) { return defaultPackages, nil },
	func(t analysistest.Testing, dir string, pkgs ...string) []*analysistest.Result {
		return analysistest.RunWithSuggestedFixes(t, dir, goroutineleak.Analyzer, pkgs...)
	})

// checkDefault reports on t what analysistest.RunWithSuggestedFixes(t,
// analysistest.TestData(), goroutineleak.Analyzer, pkgs...) would.
func checkDefault(t *testing.T, pkgs ...string) {
	t.Helper()
	t.Parallel()
	defaultRun().Of(t, pkgs...)
}

func TestSeeds(t *testing.T) {
	checkDefault(t, "seeds")
}

// TestCrossPackage checks that facts about lib let the analysis of user
// see leaks in goroutines that run lib's functions.
func TestCrossPackage(t *testing.T) {
	checkDefault(t, "user")
}

func TestSwitchPatternOff(t *testing.T) {
	t.Parallel()
	a, err := goroutineleak.New(goroutineleak.Config{Patterns: map[string]bool{"send": false}})
	if err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, analysistest.TestData(), a, "nosend")
	if _, err := goroutineleak.New(goroutineleak.Config{Patterns: map[string]bool{"sends": false}}); err == nil {
		t.Error("an unknown pattern was accepted")
	}
}

func TestFlags(t *testing.T) {
	t.Parallel()
	a, err := goroutineleak.New(goroutineleak.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Flags.Parse([]string{"-send=false"}); err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, analysistest.TestData(), a, "nosend")
	if err := a.Flags.Parse([]string{"-bogus"}); err == nil {
		t.Error("an unknown flag was accepted")
	}
	// Flags of one analyzer do not reach another.
	if goroutineleak.Analyzer.Flags.Lookup("send").Value.String() != "true" {
		t.Error("parsing the flags of a new analyzer changed the default one")
	}
}

// TestSendFix checks the choice of a send's fix, by Config and by flag:
// only buffer and select.
func TestSendFix(t *testing.T) {
	t.Parallel()
	if _, err := goroutineleak.New(goroutineleak.Config{SendFix: "both"}); err == nil || err.Error() != `sendfix "both": want buffer or select` {
		t.Errorf("SendFix both: got error %v", err)
	}
	a, err := goroutineleak.New(goroutineleak.Config{SendFix: "select"})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Flags.Lookup(goroutineleak.SendFixFlag).Value.String(); got != "select" {
		t.Errorf("SendFix select: the flag says %q", got)
	}
	if err := a.Flags.Parse([]string{"-sendfix=both"}); err == nil {
		t.Error("-sendfix=both was accepted")
	}
	if err := a.Flags.Parse([]string{"-sendfix=buffer"}); err != nil {
		t.Error(err)
	}
}

// TestSyncPattern checks that the waits on a WaitGroup, a Cond and a mutex
// are the sync pattern's: -recv=false leaves them reported (norecv), and
// -sync=false, on by default, switches them off and them alone (nosync).
func TestSyncPattern(t *testing.T) {
	if goroutineleak.Analyzer.Flags.Lookup("sync").Value.String() != "true" {
		t.Error("sync is off by default")
	}
	norecv, err := goroutineleak.New(goroutineleak.Config{Patterns: map[string]bool{"recv": false}})
	if err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, analysistest.TestData(), norecv, "norecv")
	nosync, err := goroutineleak.New(goroutineleak.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := nosync.Flags.Parse([]string{"-sync=false"}); err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, analysistest.TestData(), nosync, "nosync")

	// What each package leaves unreported is reported by default: the
	// switched-off cases are leaks, so the two runs above test the flags.
	for pkg, want := range map[string]map[string]int{
		"norecv": {"recvleak": 1, "syncleak": 3},
		"nosync": {"recvleak": 1, "syncleak": 3},
	} {
		got := map[string]int{}
		for _, r := range analysistest.Run(ignoreWants{}, analysistest.TestData(), goroutineleak.Analyzer, pkg) {
			for _, d := range r.Diagnostics {
				got[d.Category]++
			}
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s with every pattern on: reports by category %v, want %v", pkg, got, want)
		}
	}
}

// ignoreWants runs an analyzer with analysistest without checking the
// // want comments.
type ignoreWants struct{}

func (ignoreWants) Errorf(string, ...any) {}

func TestGenericsAndCgo(t *testing.T) {
	checkDefault(t, "generic", "cgo")
}

func TestIgnoreDirective(t *testing.T) {
	checkDefault(t, "suppress")
}

// TestTestFailurePaths checks the testfail pattern, which is off by
// default: switched on, it reports goroutines that leak when their test
// fails.
func TestTestFailurePaths(t *testing.T) {
	t.Parallel()
	if goroutineleak.Analyzer.Flags.Lookup("testfail").Value.String() != "false" {
		t.Error("testfail is on by default")
	}
	a, err := goroutineleak.New(goroutineleak.Config{Patterns: map[string]bool{"testfail": true}})
	if err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, analysistest.TestData(), a, "testfail")
}

// TestSyncCoupled checks channel operations whose partner is held back by
// a lock, a WaitGroup, a callback or a shutdown.
// The waits on the lock, WaitGroup or Cond itself are syncleak's, with its
// URL; the channel operations are not.
func TestSyncCoupled(t *testing.T) {
	t.Parallel()
	results := defaultRun().Of(t, "locks", "shutdown", "shutdownmain", "waitgroups", "callbacks")
	syncWait := regexp.MustCompile(`^goroutine blocks for ever in \S+\.(Wait|Lock|RLock)\(\)`)
	var waits int
	for _, r := range results {
		for _, d := range r.Diagnostics {
			isSync := d.Category == "syncleak" && strings.HasSuffix(d.URL, "#syncleak")
			if syncWait.MatchString(d.Message) != isSync {
				t.Errorf("%s: category %q, URL %q", d.Message, d.Category, d.URL)
			}
			if isSync {
				waits++
			}
		}
	}
	if waits != 6 {
		t.Errorf("%d reports of sync waits, want 6", waits)
	}
}

// TestGo127 runs the analyzer on Go 1.27 code (generic methods, struct
// literals keyed by promoted fields): testdata/go127 is a module of its
// own, with go 1.27 in its go.mod. Only a test binary built by Go 1.27 or
// later can type-check it; .ci/run runs the tests under Go 1.27 too.
func TestGo127(t *testing.T) {
	t.Parallel()
	if !slices.Contains(build.Default.ReleaseTags, "go1.27") {
		t.Skipf("Go 1.27 code needs a Go 1.27 toolchain; this test binary was built by %s", runtime.Version())
	}
	dir := filepath.Join(analysistest.TestData(), "go127")
	for _, r := range analysistest.Run(t, dir, goroutineleak.Analyzer, "./...") {
		// The engine says nothing of code that does not compile: a
		// fixture that did not would pass its twins vacuously.
		for _, err := range r.Pass.TypeErrors {
			t.Errorf("%s does not compile: %v", r.Pass.Pkg.Path(), err)
		}
	}
}
