// Package sharedrun lets the tests of one test binary share an
// analysistest run over several packages: loading type-checks the
// packages and everything they import from source, and an analyzer with
// facts analyses all of it, which costs seconds a run. Each test still
// sees the errors of its own packages, as if it had made the run itself.
package sharedrun

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"
)

// A Run is one analysistest run over several packages.
type Run struct {
	dir     string
	pkgs    []string // the packages run, by path under dir/src
	results []*analysistest.Result
	errors  []string // what analysistest reported; Of sorts them by package
	err     error    // listing the packages failed
}

// Once returns a function that makes the run on its first call and returns
// it on every call. run is analysistest.Run or RunWithSuggestedFixes, with
// its analyzer, over dir and pkgs; pkgs lists the packages.
func Once(dir string, pkgs func() ([]string, error), run func(t analysistest.Testing, dir string, pkgs ...string) []*analysistest.Result) func() *Run {
	return sync.OnceValue(func() *Run {
		r := &Run{dir: dir}
		r.pkgs, r.err = pkgs()
		if r.err != nil {
			return r
		}
		rec := &Recorder{}
		r.results = run(rec, dir, r.pkgs...)
		r.errors = rec.Errors
		return r
	})
}

// Of reports on t what analysistest reported about packages pkgs, or about
// no package in particular, and returns their results: what a test that
// ran analysistest on pkgs would have seen. With no pkgs, it returns every
// result and reports no error.
func (r *Run) Of(t *testing.T, pkgs ...string) []*analysistest.Result {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(pkgs) == 0 {
		return r.results
	}
	for _, e := range r.errors {
		if owner := r.owner(e); owner == "" || slices.Contains(pkgs, owner) {
			t.Error(e)
		}
	}
	var out []*analysistest.Result
	for _, res := range r.results {
		if slices.Contains(pkgs, res.Pass.Pkg.Path()) {
			out = append(out, res)
		}
	}
	if len(out) != len(pkgs) {
		t.Fatalf("%d results for packages %q of %s", len(out), pkgs, r.dir)
	}
	return out
}

// owner returns the package run that an error of analysistest is about,
// or "" if none: the package whose directory starts the error's position,
// relative to testdata/src (want comments), to the working directory or
// absolute (fixes and golden files). The testdata directory is named
// testdata.
func (r *Run) owner(e string) string {
	e = filepath.ToSlash(e)
	owner := ""
	for _, pkg := range r.pkgs {
		if len(pkg) > len(owner) && (strings.HasPrefix(e, pkg+"/") || strings.Contains(e, "testdata/src/"+pkg+"/")) {
			owner = pkg
		}
	}
	return owner
}

// Recorder is an analysistest.Testing that keeps the errors.
type Recorder struct{ Errors []string }

func (r *Recorder) Errorf(format string, args ...any) {
	r.Errors = append(r.Errors, fmt.Sprintf(format, args...))
}
