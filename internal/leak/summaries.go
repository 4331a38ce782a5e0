package leak

import (
	"go/ast"
	"go/types"
	"sort"

	"golang.org/x/tools/go/analysis"
)

// Stage 2, summaries: what each function of the package does, computed on
// demand and memoised, and exported as facts for the packages that import
// this one. A summary says what a function does with its channel
// parameters (and, through uses.go, what any code does with a channel
// variable), whether it loops for ever, and whether it never returns.
// Facts of other packages answer the same questions for their functions.

// summaries answers, once per function, what it does.
type summaries struct {
	x    *index
	pass *analysis.Pass // facts of other packages, and facts to export

	params   map[*types.Func]*paramSummary
	forever  map[*types.Func]*foreverLoop
	noReturn map[*types.Func]bool
}

func newSummaries(pass *analysis.Pass, x *index) *summaries {
	return &summaries{
		x:        x,
		pass:     pass,
		params:   make(map[*types.Func]*paramSummary),
		forever:  make(map[*types.Func]*foreverLoop),
		noReturn: make(map[*types.Func]bool),
	}
}

// exportFacts summarises every function of the package that other packages
// may start as a goroutine or hand a channel to.
func (sum *summaries) exportFacts() {
	fns := make([]*types.Func, 0, len(sum.x.decls))
	for fn := range sum.x.decls {
		fns = append(fns, fn)
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].Pos() < fns[j].Pos() })
	for _, fn := range fns {
		if s := sum.paramSummary(fn); s != nil && s.hasChan {
			fact := &chanParams{Ops: s.ops}
			for i, n := range s.sends {
				if n > 0 {
					if fact.Sends == nil {
						fact.Sends = make([]uint8, len(s.sends))
					}
					fact.Sends[i] = uint8(min(n, manySends))
				}
			}
			sum.pass.ExportObjectFact(fn, fact)
		}
		if loop := sum.foreverLoop(fn); loop != nil {
			sum.pass.ExportObjectFact(fn, &loopsForever{IgnoresContext: loop.ignoresCtx})
		} else if sum.funcNeverReturns(fn) {
			sum.pass.ExportObjectFact(fn, new(noReturn))
		}
	}
}

// paramSummary is what a function of this package does with each of its
// parameters (chanParams).
type paramSummary struct {
	ops        []paramOp
	sends      []int        // per parameter: the most sends on it along one path of a call (many in a loop)
	blockingAt [][]ast.Node // per parameter: where the function itself blocks on it, for reports
	hasChan    bool
}

// paramSummary computes (once) the summary of a function declared in this
// package, or returns nil for functions declared elsewhere.
func (sum *summaries) paramSummary(fn *types.Func) *paramSummary {
	if s, ok := sum.params[fn]; ok {
		return s
	}
	decl := sum.x.decls[fn]
	if decl == nil {
		return nil
	}
	sig := fn.Type().(*types.Signature)
	n := sig.Params().Len()
	s := &paramSummary{ops: make([]paramOp, n), sends: make([]int, n), blockingAt: make([][]ast.Node, n)}
	for i := range s.ops {
		s.ops[i] = paramEscapes // the answer while it is being computed: recursion gives up
	}
	sum.params[fn] = s
	for i := range s.ops {
		p := sig.Params().At(i)
		if !isChan(p.Type()) || sig.Variadic() && i == len(s.ops)-1 {
			s.ops[i] = 0
			continue
		}
		s.hasChan = true
		if p.Name() == "" || p.Name() == "_" {
			s.ops[i] = 0
			continue
		}
		f := sum.flowOf(p, decl)
		s.ops[i] = sum.opsOf(f)
		if s.ops[i]&paramEscapes == 0 {
			s.sends[i] = sum.sendsInCall(f, decl)
			for _, u := range f.uses {
				if u.via == nil && u.blocks() && u.place.owner == decl {
					s.blockingAt[i] = append(s.blockingAt[i], u.node)
				}
			}
		}
	}
	return s
}

// sendsInCall counts the sends of one call of decl on the channel of f:
// the most along one path (many in a loop).
func (sum *summaries) sendsInCall(f *chanFlow, decl *ast.FuncDecl) int {
	nodes := map[ast.Node]int{}
	for i := range f.uses {
		u := &f.uses[i]
		if u.kind == opSend && !u.inSelect && u.place.owner == decl && !u.place.deferred {
			nodes[u.node] = sum.sendsOf(u)
		}
	}
	if len(nodes) == 0 {
		return 0
	}
	n := countSends(sum, decl.Body.List, nodes)
	return max(n.fall, n.ret)
}

// sendsOf is how many times the blocking send u sends: once, or as often
// as its callee sends on the parameter it passes the channel to.
func (sum *summaries) sendsOf(u *chanUse) int {
	if u.via == nil {
		return 1
	}
	if s := sum.paramSummary(u.callee); s != nil {
		if u.arg < len(s.sends) && s.sends[u.arg] > 0 {
			return s.sends[u.arg]
		}
		return 1
	}
	var fact chanParams
	if sum.pass.ImportObjectFact(u.callee, &fact) && u.arg < len(fact.Sends) && fact.Sends[u.arg] > 0 {
		if fact.Sends[u.arg] == manySends {
			return many
		}
		return int(fact.Sends[u.arg])
	}
	return 1
}

// opsOf condenses a channel's flow into paramOp bits. A range that has a
// way out besides the channel's close counts as a plain receive.
func (sum *summaries) opsOf(f *chanFlow) paramOp {
	if f.escapes || f.defs > 0 || f.isNil {
		return paramEscapes
	}
	var ops paramOp
	for _, u := range f.uses {
		switch u.kind {
		case opRecv:
			ops |= paramRecv
			if !u.inSelect {
				ops |= paramBlockingRecv
			}
		case opRange:
			if rangeCanLeave(sum, &u) {
				ops |= paramRecv | paramBlockingRecv
			} else {
				ops |= paramRecv | paramBlockingRange
			}
		case opSend:
			ops |= paramSend
			if !u.inSelect {
				ops |= paramBlockingSend
			}
		case opClose:
			ops |= paramClose
		}
	}
	return ops
}

// paramOps tells what fn does with its parameter i, from this package's
// summaries or from facts about other packages.
func (sum *summaries) paramOps(fn *types.Func, i int) (paramOp, bool) {
	if s := sum.paramSummary(fn); s != nil {
		if i < len(s.ops) {
			return s.ops[i], true
		}
		return 0, false
	}
	var fact chanParams
	if fn.Pkg() == nil || !sum.pass.ImportObjectFact(fn, &fact) || i >= len(fact.Ops) {
		return 0, false
	}
	return fact.Ops[i], true
}

// A foreverLoop is an endless loop that a function runs as one of its
// top-level statements.
type foreverLoop struct {
	loop       ast.Stmt      // *ast.ForStmt or *ast.RangeStmt
	via        *ast.CallExpr // set when the loop is in a callee reached through a top-level call
	ignoresCtx bool
}

// foreverLoop returns (once) the endless loop that fn of this package runs
// unconditionally, or nil.
func (sum *summaries) foreverLoop(fn *types.Func) *foreverLoop {
	if l, ok := sum.forever[fn]; ok {
		return l
	}
	sum.forever[fn] = nil // recursion finds nothing
	decl := sum.x.decls[fn]
	if decl == nil {
		return nil
	}
	var found *foreverLoop
	for _, stmt := range decl.Body.List {
		if l := endlessLoopStmt(sum, stmt); l != nil {
			found = &foreverLoop{loop: l, ignoresCtx: ignoresContext(sum.x, l)}
			break
		}
		if call := exprStmtCall(stmt); call != nil {
			if callee := staticCallee(sum.x.info, call); callee != nil && sum.x.decls[callee] != nil {
				if inner := sum.foreverLoop(callee); inner != nil {
					found = &foreverLoop{loop: inner.loop, via: call, ignoresCtx: inner.ignoresCtx}
					break
				}
			}
		}
		if mayLeave(stmt) {
			break // a return before the loop: the loop runs only on some paths
		}
	}
	sum.forever[fn] = found
	return found
}

// neverReturns reports whether call ends the goroutine or the process:
// panic, os.Exit, log.Fatal, runtime.Goexit, t.Fatal and the like, and
// functions that end in one of them.
func (sum *summaries) neverReturns(call *ast.CallExpr) bool {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && sum.x.info.Uses[id] == types.Universe.Lookup("panic") {
		return true
	}
	fn := staticCallee(sum.x.info, call)
	if fn == nil {
		return false
	}
	if isKnownNoReturn(fn) {
		return true
	}
	if sum.x.decls[fn] != nil {
		return sum.funcNeverReturns(fn)
	}
	return fn.Pkg() != nil && sum.pass.ImportObjectFact(fn, new(noReturn))
}

// mayReturn is the negation of neverReturns, as control-flow graphs want it.
func (sum *summaries) mayReturn(call *ast.CallExpr) bool { return !sum.neverReturns(call) }

// funcNeverReturns computes (once) whether a function of this package
// never returns: it has no return statement and its last statement is a
// call that never returns. This is syntactic and cheap; an endless loop
// is a loopsForever fact instead.
func (sum *summaries) funcNeverReturns(fn *types.Func) bool {
	if r, ok := sum.noReturn[fn]; ok {
		return r
	}
	sum.noReturn[fn] = false // recursion: assume it returns
	decl := sum.x.decls[fn]
	if decl == nil || len(decl.Body.List) == 0 {
		return false
	}
	call := exprStmtCall(decl.Body.List[len(decl.Body.List)-1])
	r := call != nil && sum.neverReturns(call) && !mayLeave(decl.Body)
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
		switch fn.Name() {
		case "Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow":
			return true
		}
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
