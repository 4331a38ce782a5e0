package flow

import (
	"go/ast"
	"go/types"
	"sort"

	"golang.org/x/tools/go/analysis"

	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// Stage 2, summaries: what each function of the package does, computed on
// demand and memoised, and exported as facts for the packages that import
// this one. A summary says what a function does with its channel
// parameters (and, through uses.go, what any code does with a channel
// variable), whether it loops for ever, and whether it never returns.
// Facts of other packages answer the same questions for their functions.

// Summaries answers, once per function, what it does.
type Summaries struct {
	X    *syntax.Index
	pass *analysis.Pass // facts of other packages, and facts to export: read here only, so that each stage reads its own facts

	params   map[*types.Func]*paramSummary
	forever  map[*types.Func]*foreverLoop
	noReturn map[*types.Func]bool
	starts   map[*types.Func][]StartKind // see startKinds
}

func NewSummaries(pass *analysis.Pass, x *syntax.Index) *Summaries {
	return &Summaries{
		X:        x,
		pass:     pass,
		params:   make(map[*types.Func]*paramSummary),
		forever:  make(map[*types.Func]*foreverLoop),
		noReturn: make(map[*types.Func]bool),
		starts:   make(map[*types.Func][]StartKind),
	}
}

// ExportFacts summarises every function of the package that other packages
// may start as a goroutine or hand a channel to.
func (sum *Summaries) ExportFacts() {
	fns := make([]*types.Func, 0, len(sum.X.Decls))
	for fn := range sum.X.Decls {
		fns = append(fns, fn)
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].Pos() < fns[j].Pos() })
	for _, fn := range fns {
		if s := sum.ParamSummary(fn); s != nil && s.hasChan {
			fact := &ChanParams{Ops: s.ops}
			for i, n := range s.sends {
				if n > 0 {
					if fact.Sends == nil {
						fact.Sends = make([]uint8, len(s.sends))
					}
					fact.Sends[i] = uint8(min(n, ManySends))
				}
			}
			sum.pass.ExportObjectFact(fn, fact)
		}
		if loop := sum.ForeverLoop(fn); loop != nil {
			sum.pass.ExportObjectFact(fn, &LoopsForever{IgnoresContext: loop.ignoresCtx})
		} else if sum.funcNeverReturns(fn) {
			sum.pass.ExportObjectFact(fn, new(NoReturn))
		}
		sum.exportStarts(fn)
		if returnsOnlyNilError(sum.X, fn) {
			sum.pass.ExportObjectFact(fn, new(NilError))
		}
	}
}

// NeverFails reports whether a call of fn never returns an error: fn's
// every return gives nil for its error result (see NilError).
func (sum *Summaries) NeverFails(fn *types.Func) bool {
	if sum.X.Decls[fn] != nil {
		return returnsOnlyNilError(sum.X, fn)
	}
	return fn.Pkg() != nil && fn.Pkg() != sum.X.Pkg && sum.pass.ImportObjectFact(fn, new(NilError))
}

// returnsOnlyNilError reports whether fn, a function of this package whose
// last result is an error, has return statements, each of them with the
// results written out and nil for the error.
func returnsOnlyNilError(x *syntax.Index, fn *types.Func) bool {
	decl := x.Decls[fn]
	if decl == nil || decl.Body == nil || !syntax.ReturnsError(fn) {
		return false
	}
	returns, ok := 0, true
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			returns++
			ok = ok && len(n.Results) > 0 && syntax.IsNilIdent(x.Info, n.Results[len(n.Results)-1])
		}
		return ok
	})
	return ok && returns > 0
}

// paramSummary is what a function of this package does with each of its
// parameters (chanParams).
type paramSummary struct {
	ops        []paramOp
	sends      []int        // per parameter: the most sends on it along one path of a call (many in a loop)
	BlockingAt [][]ast.Node // per parameter: where the function, or a function of this package it passes it to, blocks on it, for reports
	hasChan    bool
}

// ParamSummary computes (once) the summary of a function declared in this
// package, or returns nil for functions declared elsewhere.
func (sum *Summaries) ParamSummary(fn *types.Func) *paramSummary {
	if s, ok := sum.params[fn]; ok {
		return s
	}
	decl := sum.X.Decls[fn]
	if decl == nil {
		return nil
	}
	sig := fn.Type().(*types.Signature)
	n := sig.Params().Len()
	s := &paramSummary{ops: make([]paramOp, n), sends: make([]int, n), BlockingAt: make([][]ast.Node, n)}
	for i := range s.ops {
		s.ops[i] = paramEscapes // the answer while it is being computed: recursion gives up
	}
	sum.params[fn] = s
	for i := range s.ops {
		p := sig.Params().At(i)
		if !syntax.IsChan(p.Type()) || sig.Variadic() && i == len(s.ops)-1 {
			s.ops[i] = 0
			continue
		}
		s.hasChan = true
		if p.Name() == "" || p.Name() == "_" {
			s.ops[i] = 0
			continue
		}
		f := sum.FlowOf(p, decl)
		s.ops[i] = sum.opsOf(f)
		if s.ops[i]&paramEscapes == 0 {
			// The code that uses it: decl's own, or the one goroutine
			// it starts that does all of it.
			var code ast.Node = decl
			if lit := sum.startedUser(f, decl); lit != nil {
				s.ops[i] |= paramInGoroutine
				code = lit
			}
			s.sends[i] = sum.sendsInCall(f, code)
			for _, u := range f.Uses {
				if u.Place.Owner != code {
					continue
				}
				switch {
				case u.Via == nil && u.Blocks():
					s.BlockingAt[i] = append(s.BlockingAt[i], u.Node)
				case u.Via != nil && u.Callee != nil:
					// Passed on to a function of this package: where it
					// blocks, this one does.
					if callee := sum.ParamSummary(u.Callee); callee != nil && u.Arg < len(callee.BlockingAt) {
						s.BlockingAt[i] = append(s.BlockingAt[i], callee.BlockingAt[u.Arg]...)
					}
				}
			}
		}
	}
	return s
}

// sendsInCall counts the sends of one run of code (a function
// declaration, or a literal it starts) on the channel of f: the most
// along one path (many in a loop).
func (sum *Summaries) sendsInCall(f *ChanFlow, code ast.Node) int {
	nodes := map[ast.Node]int{}
	for i := range f.Uses {
		u := &f.Uses[i]
		if u.Kind == OpSend && !u.InSelect && u.Place.Owner == code && !u.Place.Deferred {
			nodes[u.Node] = sum.SendsOf(u)
		}
	}
	if len(nodes) == 0 {
		return 0
	}
	n := CountSends(sum, syntax.BodyOf(code).List, nodes)
	return max(n.Fall, n.Ret)
}

// startedUser is the function literal that does everything decl does with
// the channel of f, when decl starts it once as a goroutine
// (go func() {...}(), wg.Go(func() {...}), safe.Go(func() {...})) and its
// own code does nothing with the channel; nil otherwise. The caller then
// hands the channel to a goroutine, not to a call that returns.
func (sum *Summaries) startedUser(f *ChanFlow, decl *ast.FuncDecl) *ast.FuncLit {
	var lit *ast.FuncLit
	for i := range f.Uses {
		l, ok := f.Uses[i].Place.Owner.(*ast.FuncLit)
		if !ok || lit != nil && l != lit {
			return nil
		}
		lit = l
	}
	if lit == nil {
		return nil
	}
	cur := sum.X.CursorOf(lit)
	if !cur.Valid() || sum.invocation(cur, decl, 0) != Starts {
		return nil
	}
	return lit
}

// SendsOf is how many times the blocking send u sends: once, or as often
// as its callee sends on the parameter it passes the channel to.
func (sum *Summaries) SendsOf(u *ChanUse) int {
	if u.Via == nil {
		return 1
	}
	if s := sum.ParamSummary(u.Callee); s != nil {
		if u.Arg < len(s.sends) && s.sends[u.Arg] > 0 {
			return s.sends[u.Arg]
		}
		return 1
	}
	var fact ChanParams
	if sum.pass.ImportObjectFact(u.Callee, &fact) && u.Arg < len(fact.Sends) && fact.Sends[u.Arg] > 0 {
		if fact.Sends[u.Arg] == ManySends {
			return Many
		}
		return int(fact.Sends[u.Arg])
	}
	return 1
}

// opsOf condenses a channel's flow into paramOp bits. A range that has a
// way out besides the channel's close counts as a plain receive.
func (sum *Summaries) opsOf(f *ChanFlow) paramOp {
	if f.Escapes || f.Defs > 0 || f.IsNil {
		return paramEscapes
	}
	var ops paramOp
	for _, u := range f.Uses {
		switch u.Kind {
		case OpRecv:
			ops |= paramRecv
			if !u.InSelect {
				ops |= paramBlockingRecv
			}
		case OpRange:
			if RangeCanLeave(sum, &u) {
				ops |= paramRecv | paramBlockingRecv
			} else {
				ops |= paramRecv | paramBlockingRange
			}
		case OpSend:
			ops |= paramSend
			if !u.InSelect {
				ops |= paramBlockingSend
			}
		case OpClose:
			ops |= paramClose
		}
	}
	return ops
}

// paramOps tells what fn does with its parameter i, from this package's
// summaries or from facts about other packages.
func (sum *Summaries) paramOps(fn *types.Func, i int) (paramOp, bool) {
	if s := sum.ParamSummary(fn); s != nil {
		if i < len(s.ops) {
			return s.ops[i], true
		}
		return 0, false
	}
	var fact ChanParams
	if fn.Pkg() == nil || !sum.pass.ImportObjectFact(fn, &fact) || i >= len(fact.Ops) {
		return 0, false
	}
	return fact.Ops[i], true
}

// A foreverLoop is an endless loop that a function runs as one of its
// top-level statements.
type foreverLoop struct {
	Loop       ast.Stmt      // *ast.ForStmt or *ast.RangeStmt
	Via        *ast.CallExpr // set when the loop is in a callee reached through a top-level call
	ignoresCtx bool
}

// ForeverLoop returns (once) the endless loop that fn of this package runs
// unconditionally, or nil.
func (sum *Summaries) ForeverLoop(fn *types.Func) *foreverLoop {
	if l, ok := sum.forever[fn]; ok {
		return l
	}
	sum.forever[fn] = nil // recursion finds nothing
	decl := sum.X.Decls[fn]
	if decl == nil {
		return nil
	}
	var found *foreverLoop
	for _, stmt := range decl.Body.List {
		if l := EndlessLoopStmt(sum, stmt); l != nil {
			found = &foreverLoop{Loop: l, ignoresCtx: IgnoresContext(sum.X, l)}
			break
		}
		if call := ExprStmtCall(stmt); call != nil {
			if callee := syntax.StaticCallee(sum.X.Info, call); callee != nil && sum.X.Decls[callee] != nil {
				if inner := sum.ForeverLoop(callee); inner != nil {
					found = &foreverLoop{Loop: inner.Loop, Via: call, ignoresCtx: inner.ignoresCtx}
					break
				}
			}
		}
		if MayLeave(stmt) {
			break // a return before the loop: the loop runs only on some paths
		}
	}
	sum.forever[fn] = found
	return found
}

// neverReturns reports whether call ends the goroutine or the process:
// panic, os.Exit, log.Fatal, runtime.Goexit, t.Fatal and the like, and
// functions that end in one of them.
func (sum *Summaries) neverReturns(call *ast.CallExpr) bool {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && sum.X.Info.Uses[id] == types.Universe.Lookup("panic") {
		return true
	}
	fn := syntax.StaticCallee(sum.X.Info, call)
	if fn == nil {
		return false
	}
	if isKnownNoReturn(fn) {
		return true
	}
	if sum.X.Decls[fn] != nil {
		return sum.funcNeverReturns(fn)
	}
	return fn.Pkg() != nil && sum.pass.ImportObjectFact(fn, new(NoReturn))
}

// MayReturn is the negation of neverReturns, as control-flow graphs want it.
func (sum *Summaries) MayReturn(call *ast.CallExpr) bool { return !sum.neverReturns(call) }

// funcNeverReturns computes (once) whether a function of this package
// never returns: it has no return statement and its last statement is a
// call that never returns. This is syntactic and cheap; an endless loop
// is a loopsForever fact instead.
func (sum *Summaries) funcNeverReturns(fn *types.Func) bool {
	if r, ok := sum.noReturn[fn]; ok {
		return r
	}
	sum.noReturn[fn] = false // recursion: assume it returns
	decl := sum.X.Decls[fn]
	if decl == nil || len(decl.Body.List) == 0 {
		return false
	}
	call := ExprStmtCall(decl.Body.List[len(decl.Body.List)-1])
	r := call != nil && sum.neverReturns(call) && !MayLeave(decl.Body)
	sum.noReturn[fn] = r
	return r
}

// isKnownNoReturn lists the standard functions that never return.
func isKnownNoReturn(fn *types.Func) bool {
	pkg := fn.Pkg()
	if pkg == nil {
		return false
	}
	switch pkg.Path() {
	case "os", "syscall":
		return fn.Name() == "Exit"
	case "runtime":
		return fn.Name() == "Goexit"
	case "log":
		switch fn.Name() {
		case "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln":
			return true
		}
	case "testing":
		return syntax.TestEnd(fn) != ""
	case "k8s.io/klog", "k8s.io/klog/v2":
		// These exit through function variables that no summary follows.
		switch fn.Name() {
		case "Fatal", "Fatalf", "Fatalln", "FatalDepth", "Exit", "Exitf", "Exitln", "ExitDepth":
			return true
		}
	case "github.com/sirupsen/logrus", "go.uber.org/zap":
		switch fn.Name() {
		case "Fatal", "Fatalf", "Fatalln", "Fatalw":
			return true
		}
	}
	return false
}
