package flow

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// Goroutines started through wrappers. Real code starts many goroutines
// through a function of its own (safe.Go(f), stopper.runAsync(f), go
// withRecover(f)) that recovers panics or counts them in a WaitGroup. A
// summary says which function parameters a function starts as a goroutine
// and which it calls itself, so that stage 3 sees f as the goroutine; a
// fact carries it to the packages that import the wrapper.

// StartsFuncs is attached to a function that starts some of its function
// parameters as goroutines, or calls them before it returns. Kinds[i] is
// what it does with parameter i.
type StartsFuncs struct {
	Kinds []StartKind
}

func (*StartsFuncs) AFact() {}

func (f *StartsFuncs) String() string {
	parts := make([]string, len(f.Kinds))
	for i, k := range f.Kinds {
		parts[i] = k.String()
	}
	return "startsFuncs(" + strings.Join(parts, "; ") + ")"
}

// A StartKind says what a function does with one of its function
// parameters.
type StartKind uint8

const (
	NotStarted StartKind = iota // not called, called in a loop, or stored: nothing we rely on
	Runs                        // called once by the function's own code, before it returns
	Starts                      // started once as a goroutine (go f(), wg.Go(f), another wrapper)
)

func (k StartKind) String() string {
	switch k {
	case Runs:
		return "runs"
	case Starts:
		return "starts"
	}
	return "-"
}

// StartKindOf says what fn does with its parameter i, from this package's
// summaries or from facts about other packages.
func (sum *Summaries) StartKindOf(fn *types.Func, i int) StartKind {
	if fn == nil || fn.Pkg() != nil && fn.Pkg().Path() == "testing" {
		// t.Run starts its subtest in a goroutine but waits for it: to the
		// test, the subtest's code is its own.
		return NotStarted
	}
	var kinds []StartKind
	if sum.X.Decls[fn] != nil {
		kinds = sum.startKinds(fn)
	} else {
		var fact StartsFuncs
		if fn.Pkg() == nil || !sum.pass.ImportObjectFact(fn, &fact) {
			return NotStarted
		}
		kinds = fact.Kinds
	}
	if i < len(kinds) {
		return kinds[i]
	}
	return NotStarted
}

// startKinds computes (once) what fn, a function of this package, does
// with each of its function parameters; nil when it has none it starts or
// runs.
func (sum *Summaries) startKinds(fn *types.Func) []StartKind {
	if k, ok := sum.starts[fn]; ok {
		return k
	}
	sum.starts[fn] = nil // recursion: nothing is started
	decl := sum.X.Decls[fn]
	sig := fn.Signature()
	var kinds []StartKind
	for i := range sig.Params().Len() {
		p := sig.Params().At(i)
		if !syntax.IsFuncType(p.Type()) || p.Name() == "" || p.Name() == "_" {
			continue
		}
		kind := NotStarted
		for _, cur := range sum.X.Mentions(decl, p) {
			if sum.X.Info.Defs[cur.Node().(*ast.Ident)] == p {
				continue
			}
			kind = max(kind, sum.invocation(cur, decl, 0))
		}
		if kind != NotStarted {
			if kinds == nil {
				kinds = make([]StartKind, sig.Params().Len())
			}
			kinds[i] = kind
		}
	}
	sum.starts[fn] = kinds
	return kinds
}

// maxStartDepth bounds how many function literals around a call of a
// parameter are followed.
const maxStartDepth = 4

// invocation says how the function value at cur, an expression in the
// code of owner, is called: by owner's own code once (Runs), once as a
// goroutine (Starts), or neither as far as we can tell (NotStarted).
// Calls in a loop, which run the value many times, and deferred calls
// count as neither.
func (sum *Summaries) invocation(cur inspector.Cursor, owner ast.Node, depth int) StartKind {
	for {
		if _, ok := cur.Parent().Node().(*ast.ParenExpr); !ok {
			break
		}
		cur = cur.Parent()
	}
	call, ok := cur.Parent().Node().(*ast.CallExpr)
	if !ok {
		return NotStarted
	}
	kind, index := cur.ParentEdge()
	callCur := cur.Parent()
	switch kind {
	case edge.CallExpr_Fun:
		return sum.callRuns(callCur, owner, depth)
	case edge.CallExpr_Args:
		if call.Ellipsis.IsValid() {
			return NotStarted
		}
		if isGoMethod(sum.X.Info, call) {
			return sum.startedAt(callCur, owner, depth)
		}
		callee := syntax.StaticCallee(sum.X.Info, call)
		if callee == nil || isMethodExpr(sum.X.Info, call) {
			return NotStarted
		}
		switch sum.StartKindOf(callee, index) {
		case Starts:
			return sum.startedAt(callCur, owner, depth)
		case Runs:
			return sum.callRuns(callCur, owner, depth)
		}
	}
	return NotStarted
}

// callRuns says how the call at cur runs its function: as a goroutine when
// it is a go statement, else as the code around it runs.
func (sum *Summaries) callRuns(cur inspector.Cursor, owner ast.Node, depth int) StartKind {
	if _, isGo := cur.Parent().Node().(*ast.GoStmt); isGo {
		return sum.startedAt(cur, owner, depth)
	}
	return sum.codeRuns(cur, owner, depth)
}

// startedAt says how the start at cur (a go statement's call or a wg.Go
// call) starts its goroutine: Starts when the code around it runs.
func (sum *Summaries) startedAt(cur inspector.Cursor, owner ast.Node, depth int) StartKind {
	if sum.codeRuns(cur, owner, depth) == NotStarted {
		return NotStarted
	}
	return Starts
}

// codeRuns says how the code at cur runs: once in owner's own code (Runs),
// once in a literal that owner starts (Starts), or neither.
func (sum *Summaries) codeRuns(cur inspector.Cursor, owner ast.Node, depth int) StartKind {
	p := PlaceAt(cur)
	switch {
	case p.InLoop, p.Deferred:
		// Many runs, or one at the end (a recover handler): not the
		// goroutine's work.
		return NotStarted
	case p.Owner == owner:
		return Runs
	}
	lit, ok := p.Owner.(*ast.FuncLit)
	if !ok || depth >= maxStartDepth {
		return NotStarted
	}
	litCur := sum.X.CursorOf(lit)
	if !litCur.Valid() {
		return NotStarted
	}
	return sum.invocation(litCur, owner, depth+1)
}

// exportStarts exports the StartsFuncs fact of fn when it starts or runs
// a function parameter.
func (sum *Summaries) exportStarts(fn *types.Func) {
	if kinds := sum.startKinds(fn); kinds != nil {
		sum.pass.ExportObjectFact(fn, &StartsFuncs{Kinds: kinds})
	}
}
