package leakcheck_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/goroutineleak/goroutineleak/analyzers/goroutineleak"
	"github.com/goroutineleak/goroutineleak/internal/fixedit"
	"github.com/goroutineleak/goroutineleak/internal/leakcheck/leakchecktest"
	"github.com/goroutineleak/goroutineleak/leaktest"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// TestFixedFixtures applies the linter's suggested fixes to the leak
// variant of every fixture whose reports all come with a fix, builds the
// fixed program with the goroutineleak profile (the fixed source replaces
// the original through go build -overlay) and checks that it leaks
// nothing: the fix removes the leak at run time, not only in the linter's
// eyes.
func TestFixedFixtures(t *testing.T) {
	defer leaktest.Check(t)
	if testing.Short() {
		t.Skip("builds and runs the fixed fixtures under the goroutineleak profile; skipped with -short")
	}
	env := leakchecktest.ProfileEnv(t)
	pkgs, err := packages.Load(&packages.Config{Mode: packages.LoadAllSyntax}, "./testdata/fixtures/...")
	if err != nil || packages.PrintErrors(pkgs) > 0 {
		t.Fatalf("loading the fixtures: %v", err)
	}
	graph, err := checker.Analyze([]*analysis.Analyzer{goroutineleak.Analyzer}, pkgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	overlay := map[string]string{}
	var fixed []string
	for _, act := range graph.Roots {
		if act.Err != nil {
			t.Fatal(act.Err)
		}
		if len(act.Diagnostics) == 0 {
			continue
		}
		var fixes []analysis.SuggestedFix
		for _, d := range act.Diagnostics {
			if len(d.SuggestedFixes) == 0 {
				fixes = nil
				break
			}
			fixes = append(fixes, d.SuggestedFixes[0])
		}
		if fixes == nil {
			continue // a report with no fix: the fixed program would still leak
		}
		files, err := fixedit.Apply(act.Package.Fset, fixes)
		if err != nil {
			t.Fatal(err)
		}
		for name, content := range files {
			out := filepath.Join(dir, strings.ReplaceAll(act.Package.PkgPath, "/", "_")+"_"+filepath.Base(name))
			if err := os.WriteFile(out, content, 0o644); err != nil {
				t.Fatal(err)
			}
			overlay[name] = out
		}
		fixed = append(fixed, filepath.Base(act.Package.PkgPath))
	}
	if len(fixed) == 0 {
		t.Fatal("no fixture has a fix for each of its reports")
	}
	sort.Strings(fixed)
	data, err := json.Marshal(map[string]any{"Replace": overlay})
	if err != nil {
		t.Fatal(err)
	}
	overlayFile := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	args := []string{"build", "-overlay", overlayFile, "-o", bin + string(filepath.Separator)}
	for _, name := range fixed {
		args = append(args, "./testdata/fixtures/"+name)
	}
	if out, err := leakchecktest.GoCommand(env, args...).CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	for _, name := range fixed {
		t.Run(name, func(t *testing.T) {
			f := &fixture{name: name}
			for _, procs := range gomaxprocs {
				for range runs {
					f.checkTwin(t, "fixed leak variant, GOMAXPROCS="+procs, runFixture(t, filepath.Join(bin, name), "leak", procs))
				}
			}
		})
	}
}
