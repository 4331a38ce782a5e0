package leak

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/analysis"
)

// These tests check what the rules decide, on small inputs, without the
// words: a comment "// verdict: pattern/cause" marks each line where a
// verdict is expected, and lines without one expect none. The analysistest
// suites under analyzers/ check the words.

// The inputs of these tests, and the scale tests' generated packages, are
// type-checked against the standard library from source; one importer,
// with one file set, does that once per test binary (a fresh importer per
// input took most of the package's test time).
var (
	sourceMu   sync.Mutex
	sourceFset = token.NewFileSet()
	sourceImp  = importer.ForCompiler(sourceFset, "source", nil)
)

// passOf type-checks src as package p and returns a pass over it with no
// facts of other packages, that keeps none of its own.
func passOf(tb testing.TB, src string) *analysis.Pass {
	tb.Helper()
	sourceMu.Lock() // the importer is not safe for concurrent use
	defer sourceMu.Unlock()
	file, err := parser.ParseFile(sourceFset, "p.go", src, parser.ParseComments)
	if err != nil {
		tb.Fatal(err)
	}
	info := &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
		Scopes:     map[ast.Node]*types.Scope{},
		Implicits:  map[ast.Node]types.Object{},
		Instances:  map[*ast.Ident]types.Instance{},
	}
	pkg, err := (&types.Config{Importer: sourceImp}).Check("p", sourceFset, []*ast.File{file}, info)
	if err != nil {
		tb.Fatal(err)
	}
	return &analysis.Pass{
		Fset: sourceFset, Files: []*ast.File{file}, Pkg: pkg, TypesInfo: info,
		ImportObjectFact:  func(types.Object, analysis.Fact) bool { return false },
		ImportPackageFact: func(*types.Package, analysis.Fact) bool { return false },
		ExportObjectFact:  func(types.Object, analysis.Fact) {},
		ExportPackageFact: func(analysis.Fact) {},
	}
}

// AnalyzeSource runs the engine over src, a package p of its own, for the
// scale tests (package leak_test).
func AnalyzeSource(tb testing.TB, src string) *Result {
	tb.Helper()
	res, err := run(passOf(tb, src))
	if err != nil {
		tb.Fatal(err)
	}
	return res.(*Result)
}

// verdictsOf runs the pipeline over one file of package p and returns its
// verdicts as "line: pattern/cause", in position order.
func verdictsOf(t *testing.T, src string) []string {
	t.Helper()
	pass := passOf(t, src)
	fset := pass.Fset
	res, err := run(pass)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range res.(*Result).verdicts {
		got = append(got, fmt.Sprintf("%d: %s/%s", fset.Position(v.At.Pos()).Line, v.Pattern.Category(), v.Why.Cause()))
	}
	slices.Sort(got)
	return got
}

func TestVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string // the body of package p, after its imports
	}{
		{"receive with no sender", `
func f() {
	ch := make(chan int)
	go func() { <-ch }() // verdict: recvleak/no partner
}`},
		{"twin: the parent sends", `
func f() {
	ch := make(chan int)
	go func() { <-ch }()
	ch <- 1
}`},
		{"range that nothing closes", `
func f(xs []int) {
	ch := make(chan int)
	go func() {
		for range ch { // verdict: recvleak/never closed
		}
	}()
	for _, x := range xs {
		ch <- x
	}
}`},
		{"twin: the parent closes", `
func f(xs []int) {
	ch := make(chan int)
	go func() {
		for range ch {
		}
	}()
	for _, x := range xs {
		ch <- x
	}
	close(ch)
}`},
		{"early return abandons a receiver", `
func f(fail bool) error {
	ch := make(chan int)
	go func() { <-ch }() // verdict: recvleak/abandoned
	if fail {
		return nil
	}
	ch <- 1
	return nil
}`},
		{"timeout abandons a sender", `
func f() int {
	out := make(chan int)
	go func() { out <- 1 }() // verdict: sendleak/abandoned
	select {
	case v := <-out:
		return v
	case <-time.After(time.Second):
		return 0
	}
}`},
		{"twin: a buffer of one", `
func f() int {
	out := make(chan int, 1)
	go func() { out <- 1 }()
	select {
	case v := <-out:
		return v
	case <-time.After(time.Second):
		return 0
	}
}`},
		{"first response wins", `
func f() int {
	out := make(chan int)
	for i := 0; i < 3; i++ {
		go func() { out <- i }() // verdict: sendleak/few receives
	}
	return <-out
}`},
		{"two sends, one receive", `
func f() int {
	out := make(chan int)
	go func() { out <- 1; out <- 2 }() // verdict: sendleak/extra sends
	return <-out
}`},
		{"consumer stops ranging", `
func f(n int) int {
	out := make(chan int)
	go func() {
		for i := range n {
			out <- i // verdict: sendleak/stops ranging
		}
		close(out)
	}()
	for v := range out {
		if v > 3 {
			return v
		}
	}
	return 0
}`},
		{"ctx.Done of Background", `
func f() {
	ctx := context.Background()
	go func() { <-ctx.Done() }() // verdict: recvleak/dead channel
}`},
		{"empty select, and a select with a nil case", `
func f() {
	go func() { select {} }() // verdict: recvleak/empty select
	go func() {
		var ch chan int
		select { // verdict: recvleak/dead select
		case <-ch:
		}
	}()
}`},
		{"loop that ignores its context", `
func f(ctx context.Context) {
	go func() {
		for { // verdict: loopleak/endless loop
			time.Sleep(time.Second)
		}
	}()
}`},
		{"twin: the loop checks ctx", `
func f(ctx context.Context) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}()
}`},
		{"a directive without a reason", `
func f() {
	ch := make(chan int)
	go func() {
		// verdict below: directive/directive without reason
		//goroutineleak:ignore
		<-ch // verdict: recvleak/no partner
	}()
}`},
		{"an operation in a callee", `
type conn struct{ closed chan struct{} }

func (c *conn) wait() { <-c.closed } // verdict: recvleak/dead channel

func serve(c *conn) {
	go func() { c.wait() }()
}`},
		{"twin: the callee's channel is closed", `
type conn struct{ closed chan struct{} }

func (c *conn) wait()  { <-c.closed }
func (c *conn) Close() { close(c.closed) }

func serve(c *conn) {
	go func() { c.wait() }()
}`},
		{"a test that fails before it receives", `
func check(t *testing.T, fail bool) {
	errc := make(chan error)
	go func() { errc <- nil }() // verdict: testleak/abandoned
	if fail {
		t.Fatal("failed")
	}
	<-errc
}`},
		{"a caller stops ranging over a generator", `
func count(n int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := range n {
			out <- i
		}
	}()
	return out
}

func first(n int) int {
	for v := range count(n) { // verdict: sendleak/stops generator
		return v
	}
	return -1
}`},
		{"twin: the caller drains the generator", `
func count(n int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := range n {
			out <- i
		}
	}()
	return out
}

func total(n int) (t int) {
	for v := range count(n) {
		t += v
	}
	return t
}`},
		{"lifecycle contract dropped", `
type worker struct{ quit chan struct{} }

func newWorker() *worker {
	w := &worker{quit: make(chan struct{})}
	go w.run()
	return w
}

func (w *worker) run()    { <-w.quit }
func (w *worker) Stop()   { close(w.quit) }
func (w *worker) Submit() {}

func use() {
	w := newWorker() // verdict: recvleak/contract dropped
	w.Submit()
}`},
		{"twin: the caller stops it", `
type worker struct{ quit chan struct{} }

func newWorker() *worker {
	w := &worker{quit: make(chan struct{})}
	go w.run()
	return w
}

func (w *worker) run()    { <-w.quit }
func (w *worker) Stop()   { close(w.quit) }
func (w *worker) Submit() {}

func use() {
	w := newWorker()
	defer w.Stop()
	w.Submit()
}`},
		{"receive holding the lock every sender holds", `
type c struct {
	mu sync.Mutex
	ch chan int
}

func (c *c) recv() {
	c.mu.Lock()
	defer c.mu.Unlock()
	<-c.ch // verdict: recvleak/locked wait
}

func (c *c) Send() {
	c.mu.Lock()
	c.ch <- 1
	c.mu.Unlock()
}

func start() *c {
	c := &c{ch: make(chan int)}
	go c.recv()
	return c
}`},
		{"twin: the sender unlocks first", `
type c struct {
	mu sync.Mutex
	ch chan int
}

func (c *c) recv() {
	c.mu.Lock()
	defer c.mu.Unlock()
	<-c.ch
}

func (c *c) Send() {
	c.mu.Lock()
	c.mu.Unlock()
	c.ch <- 1
}

func start() *c {
	c := &c{ch: make(chan int)}
	go c.recv()
	return c
}`},
		{"twin: unlocked on one path before the receive", `
type c struct {
	mu sync.Mutex
	ch chan int
}

func (c *c) recv(b bool) {
	c.mu.Lock()
	if b {
		c.mu.Unlock()
	}
	<-c.ch
}

func (c *c) Send() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ch <- 1
}

func start() *c {
	c := &c{ch: make(chan int)}
	go c.recv(true)
	return c
}`},
		{"twin: a call through a function value may unlock", `
type c struct {
	mu   sync.Mutex
	ch   chan int
	hook func()
}

func (c *c) recv() {
	c.mu.Lock()
	c.hook()
	<-c.ch
}

func (c *c) Send() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ch <- 1
}

func start() *c {
	c := &c{ch: make(chan int)}
	c.hook = c.mu.Unlock
	go c.recv()
	return c
}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "package p\n\nimport (\n\t\"context\"\n\t\"sync\"\n\t\"testing\"\n\t\"time\"\n)\n\nvar _ = context.Background\nvar _ sync.Mutex\nvar _ = time.After\nvar _ testing.T\n" + tc.src + "\n"
			var want []string
			for i, line := range strings.Split(src, "\n") {
				// A directive takes its whole line: its verdict is announced
				// on the line above.
				if _, v, ok := strings.Cut(line, "// verdict below: "); ok {
					want = append(want, fmt.Sprintf("%d: %s", i+2, v))
				} else if _, v, ok := strings.Cut(line, "// verdict: "); ok {
					want = append(want, fmt.Sprintf("%d: %s", i+1, v))
				}
			}
			slices.Sort(want)
			if got := verdictsOf(t, src); !slices.Equal(got, want) {
				t.Errorf("verdicts\n got %q\nwant %q", got, want)
			}
		})
	}
}
