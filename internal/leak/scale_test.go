package leak_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/goroutineleak/goroutineleak/internal/leak"
)

// Generated inputs of growing size: the analysis must finish on huge
// functions, and its cost must grow no worse than linearly with their size
// (see the benchmarks; no test here is timed).

// earlyReturns is one function with n goroutines, each abandoned by an
// early return: n reports.
func earlyReturns(n int) string {
	var b strings.Builder
	b.WriteString("package gen\n\nfunc Big(fail func() bool) {\n")
	for i := range n {
		fmt.Fprintf(&b, "\tch%d := make(chan int)\n\tgo func() { ch%d <- %d }()\n\tif fail() {\n\t\treturn\n\t}\n\t<-ch%d\n", i, i, i, i)
	}
	b.WriteString("}\n")
	return b.String()
}

// sharedChannel is one function starting n goroutines that send on one
// shared unbuffered channel, with an early return after every 50 of them,
// then a receive loop with a time.After case: every goroutine can be
// abandoned, so n reports.
func sharedChannel(n int) string {
	var b strings.Builder
	b.WriteString("package gen\n\nimport \"time\"\n\nfunc Gather(fail func() bool) int {\n\tout := make(chan int)\n")
	for i := range n {
		fmt.Fprintf(&b, "\tgo func() { out <- %d }()\n", i)
		if i%50 == 49 {
			b.WriteString("\tif fail() {\n\t\treturn -1\n\t}\n")
		}
	}
	fmt.Fprintf(&b, "\ttotal := 0\n\tfor i := 0; i < %d; i++ {\n\t\tselect {\n\t\tcase v := <-out:\n\t\t\ttotal += v\n\t\tcase <-time.After(time.Second):\n\t\t\treturn total\n\t\t}\n\t}\n\treturn total\n}\n", n)
	return b.String()
}

// deepNesting nests n ifs and loops around one goroutine and its receive.
func deepNesting(n int) string {
	var b strings.Builder
	b.WriteString("package gen\n\nfunc Deep(xs []int, fail func() bool) {\n\tch := make(chan int)\n\tgo func() { ch <- 1 }()\n")
	for i := range n {
		if i%2 == 0 {
			b.WriteString("\tif !fail() {\n")
		} else {
			b.WriteString("\tfor range xs {\n")
		}
	}
	b.WriteString("\t<-ch\n")
	for range n {
		b.WriteString("\t}\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// bigSelect is a goroutine looping over a select with n cases.
func bigSelect(n int) string {
	var b strings.Builder
	b.WriteString("package gen\n\nfunc Select(quit chan struct{}) {\n")
	for i := range n {
		fmt.Fprintf(&b, "\tc%d := make(chan int)\n\tdefer close(c%d)\n", i, i)
	}
	b.WriteString("\tgo func() {\n\t\tfor {\n\t\t\tselect {\n\t\t\tcase <-quit:\n\t\t\t\treturn\n")
	for i := range n {
		fmt.Fprintf(&b, "\t\t\tcase <-c%d:\n", i)
	}
	b.WriteString("\t\t\t}\n\t\t}\n\t}()\n}\n")
	return b.String()
}

// syncCoupled is one type whose n methods each send on a shared field
// holding its mutex, and n goroutines that each receive from it holding
// the mutex too, wait on a WaitGroup nothing marks done, and call a hook
// through a parameter: every receive is reported (locked wait), and every
// goroutine's Wait (never done).
func syncCoupled(n int) string {
	var b strings.Builder
	b.WriteString("package gen\n\nimport \"sync\"\n\ntype T struct {\n\tmu sync.Mutex\n\tch chan int\n\twg sync.WaitGroup\n}\n\n")
	b.WriteString("func New() *T { t := &T{ch: make(chan int)}; t.wg.Add(1); return t }\n\n")
	for i := range n {
		fmt.Fprintf(&b, "func (t *T) Send%d(ok bool) {\n\tt.mu.Lock()\n\tdefer t.mu.Unlock()\n\tif !ok {\n\t\treturn\n\t}\n\tt.ch <- %d\n}\n\n", i, i)
		fmt.Fprintf(&b, "func (t *T) Start%d(hook func()) {\n\tgo func() {\n\t\thook()\n\t\tt.mu.Lock()\n\t\t<-t.ch\n\t\tt.mu.Unlock()\n\t\tt.wg.Wait()\n\t}()\n}\n\n", i)
	}
	return b.String()
}

// load type-checks one generated file as a package of a scratch module.
func load(tb testing.TB, src string) []*packages.Package {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range map[string]string{"go.mod": "module gen\n\ngo 1.26\n", "gen.go": src} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	cfg := &packages.Config{Mode: packages.LoadAllSyntax, Dir: dir, Tests: false}
	pkgs, err := packages.Load(cfg, ".")
	if err != nil || packages.PrintErrors(pkgs) > 0 {
		tb.Fatalf("loading generated package: %v", err)
	}
	return pkgs
}

func analyze(tb testing.TB, pkgs []*packages.Package) *leak.Result {
	tb.Helper()
	graph, err := checker.Analyze([]*analysis.Analyzer{leak.Analyzer}, pkgs, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if len(graph.Roots) != 1 {
		tb.Fatalf("%d root actions, want 1", len(graph.Roots))
	}
	act := graph.Roots[0]
	if act.Err != nil {
		tb.Fatal(act.Err)
	}
	return act.Result.(*leak.Result)
}

func TestHugeFunction(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 1000 // each goroutine's escape search walks the whole function: 3000 take half a minute
	}
	res := leak.AnalyzeSource(t, earlyReturns(n))
	if got := len(res.Findings); got != n {
		t.Errorf("%d findings in a function with %d abandoned goroutines", got, n)
	}
}

func TestSharedChannel(t *testing.T) {
	const n = 1000
	res := leak.AnalyzeSource(t, sharedChannel(n))
	if got := len(res.Findings); got != n {
		t.Errorf("%d findings for %d goroutines abandoned on a shared channel", got, n)
	}
}

func TestSyncCoupled(t *testing.T) {
	const n = 300
	res := leak.AnalyzeSource(t, syncCoupled(n))
	if got := len(res.Findings); got != 2*n {
		t.Errorf("%d findings for %d goroutines each in a locked wait and a wait never done, want %d", got, n, 2*n)
	}
}

func TestDeepNestingAndBigSelect(t *testing.T) {
	if res := leak.AnalyzeSource(t, deepNesting(400)); len(res.Findings) != 1 {
		t.Errorf("deep nesting: %d findings, want 1", len(res.Findings))
	}
	if res := leak.AnalyzeSource(t, bigSelect(1000)); len(res.Findings) != 0 {
		t.Errorf("big select: %d findings, want 0: %v", len(res.Findings), res.Findings[0].Diagnostic.Message)
	}
}

func benchmarkGrowth(b *testing.B, gen func(int) string, sizes ...int) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			pkgs := load(b, gen(n))
			b.ResetTimer()
			for range b.N {
				analyze(b, pkgs)
			}
		})
	}
}

func BenchmarkEarlyReturns(b *testing.B) { benchmarkGrowth(b, earlyReturns, 100, 200, 400, 800, 1600) }
func BenchmarkSharedChannel(b *testing.B) {
	benchmarkGrowth(b, sharedChannel, 500, 1000, 2000, 4000)
}
func BenchmarkSyncCoupled(b *testing.B) { benchmarkGrowth(b, syncCoupled, 100, 200, 400, 800) }
func BenchmarkBigSelect(b *testing.B)   { benchmarkGrowth(b, bigSelect, 100, 200, 400, 800, 1600) }

// Go's parser refuses scopes nested deeper than about 500.
func BenchmarkDeepNesting(b *testing.B) { benchmarkGrowth(b, deepNesting, 25, 50, 100, 200, 400) }
