package leak_test

import (
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/goroutineleak/goroutineleak/analyzers/goroutineleak"
	"github.com/goroutineleak/goroutineleak/internal/fixedit"
	"github.com/goroutineleak/goroutineleak/internal/sharedrun"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
)

// testdataPackages lists the packages under the src directory of an
// analyzer's testdata that hold Go files, so that tests over "all
// testdata" miss none.
func testdataPackages(analyzer string) ([]string, error) {
	src := filepath.Join(testdata(analyzer), "src")
	seen := map[string]bool{}
	var pkgs []string
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		pkg, err := filepath.Rel(src, filepath.Dir(path))
		if err != nil {
			return fmt.Errorf("naming the package of %s: %w", path, err)
		}
		if !seen[pkg] && !strings.Contains(pkg, ".") { // stubs of other modules are imported, not tested
			seen[pkg] = true
			pkgs = append(pkgs, filepath.ToSlash(pkg))
		}
		return nil
	})
	sort.Strings(pkgs)
	return pkgs, err
}

// TestFixesApply applies, package by package over all testdata, the fix
// that -fix applies (the first of each report) and checks that the fixed
// package compiles and that re-analysis reports exactly the reports that
// had no fix. Then it applies each other fix alone and checks that its
// report goes away. Each package's fixes are checked in a parallel
// subtest.
func TestFixesApply(t *testing.T) {
	if testing.Short() {
		t.Skip("re-analyses every testdata package once per fix; skipped with -short")
	}
	t.Parallel()
	var fixed, reports int
	for _, analyzer := range analyzers {
		// The packages' own tests check their expectations (some with flags
		// set); here only the fixes count.
		for _, r := range all[analyzer]().Of(t) {
			reports += len(r.Diagnostics)
			var first []analysis.SuggestedFix
			var alternatives []analysis.SuggestedFix
			unfixed := 0
			for _, d := range r.Diagnostics {
				if len(d.SuggestedFixes) == 0 {
					unfixed++
					continue
				}
				fixed++
				first = append(first, d.SuggestedFixes[0])
				alternatives = append(alternatives, d.SuggestedFixes[1:]...)
			}
			if len(first) == 0 {
				continue
			}
			if os.Getenv("GOROUTINELEAK_WRITE_GOLDEN") != "" {
				writeGolden(t, r.Pass.Fset, append(first, alternatives...))
			}
			pkg := r.Pass.Pkg.Path()
			t.Run(pkg, func(t *testing.T) {
				t.Parallel()
				if got := reanalyse(t, analyzer, pkg, r.Pass.Fset, first); got != unfixed {
					t.Errorf("after -fix, %d reports remain, want the %d that had no fix", got, unfixed)
				}
				for _, alt := range alternatives {
					if got := reanalyse(t, analyzer, pkg, r.Pass.Fset, []analysis.SuggestedFix{alt}); got >= len(r.Diagnostics) {
						t.Errorf("fix %q alone: %d reports remain of %d", alt.Message, got, len(r.Diagnostics))
					}
				}
			})
		}
	}
	t.Logf("%d of %d reports in the testdata come with a fix", fixed, reports)
}

// reanalyse writes a copy of the analyzer's testdata with the fixes
// applied to package pkg and its // want comments removed, and returns how
// many reports the analysis makes on it. The copy must compile.
func reanalyse(t *testing.T, analyzer, pkg string, fset *token.FileSet, fixes []analysis.SuggestedFix) int {
	t.Helper()
	src := testdata(analyzer)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	files, err := fixedit.Apply(fset, fixes)
	if err != nil {
		t.Fatal(err)
	}
	pkgDir := filepath.Join(dir, "src", filepath.FromSlash(pkg))
	entries, err := os.ReadDir(pkgDir)
	if err != nil {
		t.Fatal(err)
	}
	if dump := os.Getenv("GOROUTINELEAK_DUMP_FIXES"); dump != "" {
		for name, content := range files {
			_ = os.MkdirAll(dump, 0o755)
			_ = os.WriteFile(filepath.Join(dump, strings.ReplaceAll(pkg, "/", "_")+"_"+filepath.Base(name)), content, 0o644)
		}
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		name := filepath.Join(pkgDir, e.Name())
		content, ok := files[filepath.Join(src, "src", filepath.FromSlash(pkg), e.Name())]
		if !ok {
			if content, err = os.ReadFile(name); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(name, wantComment.ReplaceAll(content, nil), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rec := &sharedrun.Recorder{}
	analysistest.Run(rec, dir, goroutineleak.Analyzer, pkg)
	reports := 0
	for _, msg := range rec.Errors {
		if strings.Contains(msg, "unexpected diagnostic") {
			reports++
			continue
		}
		t.Errorf("the fixed package: %s", msg)
	}
	return reports
}

var wantComment = regexp.MustCompile(`// want .*`)

// writeGolden writes, for each file the fixes change, the .golden file
// that analysistest.RunWithSuggestedFixes compares with: every fix applied
// (GOROUTINELEAK_WRITE_GOLDEN=1; delete those of packages whose tests run
// with a pattern off, such as nosend).
func writeGolden(t *testing.T, fset *token.FileSet, fixes []analysis.SuggestedFix) {
	files, err := fixedit.Apply(fset, fixes)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(name+".golden", content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
