package leak_test

import (
	"bytes"
	"encoding/gob"
	"go/token"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/goroutineleak/goroutineleak/analyzers/goroutineleak"
	"github.com/goroutineleak/goroutineleak/internal/leak"
	"github.com/goroutineleak/goroutineleak/internal/sharedrun"
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

// newRun runs analysistest.Run with a once, on first use (see package
// sharedrun).
func newRun(a *analysis.Analyzer, dir string, pkgs func() ([]string, error)) func() *sharedrun.Run {
	return sharedrun.Once(dir, pkgs, func(t analysistest.Testing, dir string, pkgs ...string) []*analysistest.Result {
		return analysistest.Run(t, dir, a, pkgs...)
	})
}

// all is goroutineleak.Analyzer run over all the packages of each
// analyzer's testdata, checked against their // want comments.
var all = func() map[string]func() *sharedrun.Run {
	m := map[string]func() *sharedrun.Run{}
	for _, analyzer := range analyzers {
		m[analyzer] = newRun(goroutineleak.Analyzer, testdata(analyzer), func() ([]string, error) { return testdataPackages(analyzer) })
	}
	return m
}()

// libFacts is leak.Analyzer run over package lib, for its facts.
var libFacts = newRun(leak.Analyzer, bundleTestdata, func() ([]string, error) { return []string{"lib"}, nil })

// TestFacts checks the facts exported for package lib (its // want
// name:"fact" comments).
func TestFacts(t *testing.T) {
	t.Parallel()
	libFacts().Of(t, "lib")
}

// TestFactsAreGobEncodable round-trips every fact type through gob, as go
// vet does between packages, and bounds their size.
func TestFactsAreGobEncodable(t *testing.T) {
	t.Parallel()
	results := libFacts().Of(t, "lib")
	seen := map[reflect.Type]bool{}
	for _, r := range results {
		for _, fact := range r.Facts {
			for _, f := range fact {
				seen[reflect.TypeOf(f)] = true
				var buf bytes.Buffer
				if err := gob.NewEncoder(&buf).Encode(f); err != nil {
					t.Fatalf("gob-encoding %T: %v", f, err)
				}
				// Positions in facts (ReleasedBy.WaitsAt) are absolute:
				// the checkout's directory does not count against the
				// bound, which would otherwise depend on where it is.
				size := buf.Len() - bytes.Count(buf.Bytes(), []byte(bundleTestdata))*len(bundleTestdata)
				if size > 256 {
					t.Errorf("fact %v takes %d bytes, less the testdata directory's path", f, size)
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
	results := all["sendleak"]().Of(t, "send")
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
	results := append(all["recvleak"]().Of(t, "recv"), all["goroutineleak"]().Of(t, "user")...)
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
		for _, r := range all[analyzer]().Of(t) {
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
