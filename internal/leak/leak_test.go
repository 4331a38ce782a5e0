package leak_test

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/goroutineleak/goroutineleak/analyzers/goroutineleak"
	"github.com/goroutineleak/goroutineleak/internal/leak"
)

func testdata(analyzer string) string {
	dir, err := filepath.Abs(filepath.Join("..", "..", "analyzers", analyzer, "testdata"))
	if err != nil {
		panic(err)
	}
	return dir
}

var bundleTestdata = testdata("goroutineleak")

// analyzers are the analyzers whose testdata the tests here read.
var analyzers = []string{"recvleak", "sendleak", "loopleak", "syncleak", "goroutineleak"}

// A sharedRun is one analysistest run over several packages, made once
// per test binary and shared by the tests that read it: loading
// type-checks the packages and everything they import from source, which
// costs seconds each time.
type sharedRun struct {
	dir     string
	pkgs    []string // the packages run, by path under dir/src
	results []*analysistest.Result
	errors  []string // what analysistest reported; of sorts them by package
	err     error    // listing the packages failed
}

// newRun runs analysistest.Run once, on first use.
func newRun(a *analysis.Analyzer, dir string, pkgs func() ([]string, error)) func() *sharedRun {
	return sync.OnceValue(func() *sharedRun {
		r := &sharedRun{dir: dir}
		r.pkgs, r.err = pkgs()
		if r.err != nil {
			return r
		}
		rec := &recorder{}
		r.results = analysistest.Run(rec, dir, a, r.pkgs...)
		r.errors = rec.errors
		return r
	})
}

// all is goroutineleak.Analyzer run over all the packages of each
// analyzer's testdata, checked against their // want comments.
var all = func() map[string]func() *sharedRun {
	m := map[string]func() *sharedRun{}
	for _, analyzer := range analyzers {
		m[analyzer] = newRun(goroutineleak.Analyzer, testdata(analyzer), func() ([]string, error) { return testdataPackages(analyzer) })
	}
	return m
}()

// libFacts is leak.Analyzer run over package lib, for its facts.
var libFacts = newRun(leak.Analyzer, bundleTestdata, func() ([]string, error) { return []string{"lib"}, nil })

// of reports on t what analysistest reported about packages pkgs, or about
// no package in particular, and returns their results: what a test that
// ran analysistest.Run(t, dir, analyzer, pkgs...) would have seen. With no
// pkgs, it returns every result and reports no error.
func (r *sharedRun) of(t *testing.T, pkgs ...string) []*analysistest.Result {
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
func (r *sharedRun) owner(e string) string {
	e = filepath.ToSlash(e)
	owner := ""
	for _, pkg := range r.pkgs {
		if len(pkg) > len(owner) && (strings.HasPrefix(e, pkg+"/") || strings.Contains(e, "testdata/src/"+pkg+"/")) {
			owner = pkg
		}
	}
	return owner
}

// recorder is an analysistest.Testing that keeps the errors.
type recorder struct{ errors []string }

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestFacts checks the facts exported for package lib (its // want
// name:"fact" comments).
func TestFacts(t *testing.T) {
	t.Parallel()
	libFacts().of(t, "lib")
}

// TestFactsAreGobEncodable round-trips every fact type through gob, as go
// vet does between packages, and bounds their size.
func TestFactsAreGobEncodable(t *testing.T) {
	t.Parallel()
	results := libFacts().of(t, "lib")
	seen := map[reflect.Type]bool{}
	for _, r := range results {
		for _, fact := range r.Facts {
			for _, f := range fact {
				seen[reflect.TypeOf(f)] = true
				var buf bytes.Buffer
				if err := gob.NewEncoder(&buf).Encode(f); err != nil {
					t.Fatalf("gob-encoding %T: %v", f, err)
				}
				if buf.Len() > 256 {
					t.Errorf("fact %v takes %d bytes", f, buf.Len())
				}
				back := reflect.New(reflect.TypeOf(f).Elem()).Interface()
				if err := gob.NewDecoder(&buf).Decode(back); err != nil {
					t.Fatalf("gob-decoding %T: %v", f, err)
				}
				if !reflect.DeepEqual(back, f) {
					t.Errorf("fact %v came back as %v", f, back)
				}
			}
		}
	}
	for _, ft := range leak.Analyzer.FactTypes {
		if !seen[reflect.TypeOf(ft)] {
			t.Errorf("no fact of type %T was exported for lib", ft)
		}
	}
}

// TestRelated checks that reports name where the goroutine started and the
// path that abandons it.
func TestRelated(t *testing.T) {
	t.Parallel()
	results := all["sendleak"]().of(t, "send")
	var checked int
	for _, r := range results {
		for _, d := range r.Diagnostics {
			if len(d.Related) == 0 || d.Related[0].Message != "goroutine started here" {
				t.Errorf("%s: no related go statement", d.Message)
			}
			if d.Category != "sendleak" || !strings.Contains(d.URL, "#sendleak") {
				t.Errorf("%s: category %q, URL %q", d.Message, d.Category, d.URL)
			}
			if strings.Contains(d.Message, "FetchWithTimeout can return through the time.After case") {
				checked++
				wantRelated(t, d, "the time.After case is taken instead", "FetchWithTimeout returns here without receiving from out")
			}
		}
	}
	if checked != 1 {
		t.Errorf("found %d time.After reports on FetchWithTimeout, want 1", checked)
	}
}

func wantRelated(t *testing.T, d analysis.Diagnostic, msgs ...string) {
	t.Helper()
	var got []string
	for _, r := range d.Related {
		got = append(got, r.Message)
	}
	for _, m := range msgs {
		found := false
		for _, g := range got {
			found = found || g == m
		}
		if !found {
			t.Errorf("%s: related %q missing from %q", d.Message, m, got)
		}
	}
}

// TestContractRelated checks that a lifecycle-contract report relates,
// besides the go statement, where the goroutine waits for its release.
func TestContractRelated(t *testing.T) {
	t.Parallel()
	// recv's contracts are its own; user's come from lib, through facts.
	results := append(all["recvleak"]().of(t, "recv"), all["goroutineleak"]().of(t, "user")...)
	var checked, loops int
	for _, r := range results {
		for _, d := range r.Diagnostics {
			if !strings.Contains(d.Message, "starts a goroutine that runs until") {
				continue
			}
			checked++
			var waits bool
			for _, rel := range d.Related {
				waits = waits || strings.HasPrefix(rel.Message, "the goroutine waits here until ")
			}
			if !waits {
				t.Errorf("%s: no related position says where the goroutine waits", d.Message)
			}
			if strings.HasPrefix(d.Message, "newFlusher ") {
				loops++
				wantRelated(t, d, "the goroutine runs this loop until Stop is called")
			}
		}
	}
	if checked == 0 {
		t.Error("no contract report checked")
	}
	if loops != 1 {
		t.Errorf("%d reports on newFlusher, whose goroutine loops until it is stopped; want 1", loops)
	}
}

// TestEndsInFile checks, over every package of every analyzer's testdata,
// that each diagnostic and related position ends in the file where it
// starts, and each fix's edits too: editors, SARIF and go vet -json show a
// range across files wrong. (send/endoffile.go relates the implicit return
// at the closing brace of a file's last function.)
func TestEndsInFile(t *testing.T) {
	t.Parallel()
	for _, analyzer := range analyzers {
		// Expectations are the packages' own tests' (some set flags).
		for _, r := range all[analyzer]().of(t) {
			// The engine says nothing of code that does not compile, so a
			// broken fixture would pass its silent twins vacuously.
			for _, err := range r.Pass.TypeErrors {
				t.Errorf("%s does not compile: %v", r.Pass.Pkg.Path(), err)
			}
			fset := r.Pass.Fset
			check := func(what string, pos, end token.Pos) {
				if end.IsValid() && fset.File(pos) != fset.File(end) {
					t.Errorf("%s: %s ends in another file (%s)", fset.Position(pos), what, fset.Position(end))
				}
				if tf := fset.File(pos); end.IsValid() && tf != nil && int(end) > tf.Base()+tf.Size() {
					t.Errorf("%s: %s ends past the end of its file", fset.Position(pos), what)
				}
			}
			for _, d := range r.Diagnostics {
				check(d.Message, d.Pos, d.End)
				for _, rel := range d.Related {
					check(rel.Message, rel.Pos, rel.End)
				}
				for _, f := range d.SuggestedFixes {
					for _, e := range f.TextEdits {
						check(f.Message, e.Pos, e.End)
					}
				}
			}
		}
	}
}
