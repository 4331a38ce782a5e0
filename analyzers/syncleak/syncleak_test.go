package syncleak_test

import (
	"strings"
	"testing"

	"github.com/goroutineleak/goroutineleak/analyzers/syncleak"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestSyncLeak checks the waits on a WaitGroup, a Cond and a mutex that
// nothing releases, each beside a twin that is released; the receive and
// send leaks in the same package are other analyzers' and not reported.
func TestSyncLeak(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData(), syncleak.Analyzer, "syncwait")
	var n int
	for _, r := range results {
		for _, d := range r.Diagnostics {
			n++
			if d.Category != "syncleak" || !strings.HasSuffix(d.URL, "#syncleak") {
				t.Errorf("%s: category %q, URL %q; want syncleak, ...#syncleak", d.Message, d.Category, d.URL)
			}
		}
	}
	if n == 0 {
		t.Error("no report")
	}
}

func TestDoc(t *testing.T) {
	a := syncleak.Analyzer
	if a.Name != "syncleak" || !strings.HasPrefix(a.Doc, "report goroutines that block for ever on a mutex, WaitGroup or Cond\n") || !strings.HasSuffix(a.URL, "#syncleak") {
		t.Errorf("analyzer %q, doc %q, URL %q", a.Name, a.Doc, a.URL)
	}
}
