package flow

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// Stage 3, goroutines: where the package starts goroutines, what each one
// runs, and which live as long as the process.

// A spawn is one place where the package starts a goroutine.
type Spawn struct {
	Start  ast.Node         // the *ast.GoStmt, or the *ast.CallExpr of wg.Go / g.Go or of a wrapper
	Call   *ast.CallExpr    // for go statements: the call it runs
	Lit    *ast.FuncLit     // the goroutine's body, when it is a function literal
	Callee *types.Func      // otherwise the function it runs, when static
	Body   *ast.BlockStmt   // the goroutine's code when it is in this package
	Fn     ast.Node         // the *ast.FuncLit or *ast.FuncDecl whose body that is, or nil
	Parent ast.Node         // innermost *ast.FuncDecl or *ast.FuncLit around start
	Cur    inspector.Cursor // start's cursor
	InLoop bool             // start sits in a loop of parent: many goroutines run this body
	// Wrapper is the function of the program that starts the goroutine
	// for the caller (safe.Go(f), go withRecover(f), a helper handed the
	// channel); nil for go statements and wg.Go / g.Go.
	Wrapper *types.Func
	// Shared is the literal a local variable holds when go statements
	// start it at several places (go f() twice). Its uses belong to none
	// of those goroutines, and the rules that count goroutines leave it
	// alone; a rule on one start's own code (a way out that never comes
	// for this start) reads it.
	Shared *ast.FuncLit

	// ProcessLifetime marks goroutines started once per process (from
	// main.main, an init function or a sync.Once), which may run for ever.
	ProcessLifetime bool
}

// Goroutines is the result of stage 3.
type Goroutines struct {
	List   []*Spawn            // in source order
	ByNode map[ast.Node]*Spawn // by literal, or by call for named functions
	Life   *lifetimes          // which functions run once per process
}

// FindGoroutines lists the goroutines started in the declarations that the
// index found may start some: by go statements, by wg.Go and g.Go, and by
// wrappers that start a function they are given (see starts.go).
func FindGoroutines(x *syntax.Index, sum *Summaries) *Goroutines {
	gs := &Goroutines{ByNode: make(map[ast.Node]*Spawn), Life: &lifetimes{x: x}}
	for _, d := range x.Spawners {
		for cur := range x.DeclCursor(d).Preorder((*ast.GoStmt)(nil), (*ast.CallExpr)(nil)) {
			var s *Spawn
			switch n := cur.Node().(type) {
			case *ast.GoStmt:
				s = goStmtSpawn(sum, n)
			case *ast.CallExpr:
				if s = callSpawn(sum, cur, n); s == nil {
					continue
				}
			}
			s.Cur = cur
			if s.Lit != nil {
				s.Body, s.Fn = s.Lit.Body, s.Lit
			} else if decl := x.Decls[s.Callee]; decl != nil {
				s.Body, s.Fn = decl.Body, decl
			}
			gs.place(x, s)
			gs.List = append(gs.List, s)
			if s.Lit != nil {
				if gs.ByNode[s.Lit] == nil {
					gs.ByNode[s.Lit] = s
				}
			} else if s.Call != nil {
				gs.ByNode[s.Call] = s
			}
		}
	}
	return gs
}

// goStmtSpawn is the goroutine of a go statement. When the function it
// calls only wraps another that it is given (go withRecover(c.run)), the
// goroutine is that other function's.
func goStmtSpawn(sum *Summaries, n *ast.GoStmt) *Spawn {
	s := &Spawn{Start: n, Call: n.Call}
	switch fun := ast.Unparen(n.Call.Fun).(type) {
	case *ast.FuncLit:
		s.Lit = fun
		return s
	case *ast.Ident:
		lit, starts := closureStarts(sum, fun)
		switch {
		case starts == 1:
			s.Lit = lit
			return s
		case starts > 1:
			s.Shared = lit
			return s
		}
	}
	s.Callee = syntax.StaticCallee(sum.X.Info, n.Call)
	if s.Callee != nil && !n.Call.Ellipsis.IsValid() {
		for i, arg := range n.Call.Args {
			if sum.StartKindOf(s.Callee, i) == NotStarted {
				continue
			}
			if lit, callee := startedFunc(sum, arg); lit != nil || callee != nil {
				return &Spawn{Start: n, Lit: lit, Callee: callee, Wrapper: s.Callee}
			}
		}
	}
	return s
}

// callSpawn is the goroutine that a call starts: wg.Go(f), g.Go(f), or a
// call of a wrapper that starts a function it is given (safe.Go(f)); nil
// for other calls.
func callSpawn(sum *Summaries, cur inspector.Cursor, n *ast.CallExpr) *Spawn {
	if isGoMethod(sum.X.Info, n) {
		if len(n.Args) != 1 {
			return nil
		}
		s := &Spawn{Start: n}
		switch arg := ast.Unparen(n.Args[0]).(type) {
		case *ast.FuncLit:
			s.Lit = arg
		default:
			s.Callee = syntax.FuncValue(sum.X.Info, arg)
		}
		return s
	}
	if _, isGo := cur.Parent().Node().(*ast.GoStmt); isGo || n.Ellipsis.IsValid() || !passesFuncOrChan(sum.X.Info, n) {
		return nil
	}
	callee := syntax.StaticCallee(sum.X.Info, n)
	if callee == nil || isMethodExpr(sum.X.Info, n) {
		return nil
	}
	for i, arg := range n.Args {
		if !syntax.IsChan(sum.X.Info.TypeOf(arg)) {
			continue
		}
		if ops, ok := sum.paramOps(callee, i); ok && ops&paramInGoroutine != 0 && ops&paramEscapes == 0 {
			// The callee starts the goroutine that uses the channel; its
			// code is the callee's, reached through this call. A function
			// it is also given to run there stays with the caller's code.
			return &Spawn{Start: n, Call: n, Wrapper: callee}
		}
	}
	for i, arg := range n.Args {
		if sum.StartKindOf(callee, i) != Starts {
			continue
		}
		if lit, fn := startedFunc(sum, arg); lit != nil || fn != nil {
			return &Spawn{Start: n, Lit: lit, Callee: fn, Wrapper: callee}
		}
	}
	return nil
}

// passesFuncOrChan reports whether some argument of call is a function
// or a channel.
func passesFuncOrChan(info *types.Info, call *ast.CallExpr) bool {
	for _, arg := range call.Args {
		if t := info.TypeOf(arg); syntax.IsFuncType(t) || t != nil && syntax.IsChan(t) {
			return true
		}
	}
	return false
}

// startedFunc is the code of a function value that a wrapper starts: a
// literal, a local variable holding one literal that is only started, or
// a function or method named statically.
func startedFunc(sum *Summaries, arg ast.Expr) (*ast.FuncLit, *types.Func) {
	switch arg := ast.Unparen(arg).(type) {
	case *ast.FuncLit:
		return arg, nil
	case *ast.Ident:
		if lit := closureOnlyStarted(sum, arg); lit != nil {
			return lit, nil
		}
	}
	return nil, syntax.FuncValue(sum.X.Info, arg)
}

// closureOnlyStarted is the function literal that a local variable holds
// when the go statement that names it (go f(...)), or the wrapper it is
// handed to, is what runs it: the variable is given that one literal and
// is otherwise only started, once. The literal's code is then the goroutine's,
// as if it were written in the go statement.
func closureOnlyStarted(sum *Summaries, fun *ast.Ident) *ast.FuncLit {
	if lit, starts := closureStarts(sum, fun); starts == 1 {
		return lit
	}
	return nil
}

// closureStarts is the function literal that the local variable fun names
// holds, and how many times it is started, when the variable is given that
// one literal and every other mention of it starts it (see isStartOf);
// nil and 0 otherwise. Goroutines started at several places share the
// literal's uses, which count them as one: only a start counted once makes
// the literal's code the goroutine's.
func closureStarts(sum *Summaries, fun *ast.Ident) (*ast.FuncLit, int) {
	x := sum.X
	v, ok := x.Info.Uses[fun].(*types.Var)
	if !ok {
		return nil, 0
	}
	lit, ok := x.SoleValue(v).(*ast.FuncLit)
	if !ok {
		return nil, 0
	}
	owner := syntax.EnclosingFunc(x.CursorOf(fun))
	if owner == nil {
		return nil, 0
	}
	starts := 0
	for _, cur := range x.Mentions(owner, v) {
		if x.Info.Defs[cur.Node().(*ast.Ident)] == v {
			continue
		}
		if !isStartOf(sum, cur) {
			return nil, 0
		}
		starts++
	}
	return lit, starts
}

// isStartOf reports whether the function value at cur is started as a
// goroutine right there: go f(...), wg.Go(f), or a wrapper's started
// argument.
func isStartOf(sum *Summaries, cur inspector.Cursor) bool {
	call, ok := cur.Parent().Node().(*ast.CallExpr)
	if !ok {
		return false
	}
	kind, index := cur.ParentEdge()
	_, isGo := cur.Parent().Parent().Node().(*ast.GoStmt)
	switch kind {
	case edge.CallExpr_Fun:
		return isGo
	case edge.CallExpr_Args:
		if isGoMethod(sum.X.Info, call) {
			return true
		}
		callee := syntax.StaticCallee(sum.X.Info, call)
		if callee == nil || call.Ellipsis.IsValid() || isMethodExpr(sum.X.Info, call) {
			return false
		}
		switch sum.StartKindOf(callee, index) {
		case Starts:
			return !isGo
		case Runs:
			return isGo
		}
	}
	return false
}

// LitInStart reports whether the goroutine's literal is written in its
// start (go func() {...}(), wg.Go(func() {...})), not held in a variable.
func (s *Spawn) LitInStart() bool {
	return s.Lit != nil && s.Lit.Pos() >= s.Start.Pos() && s.Lit.End() <= s.Start.End()
}

// place fills in what the spawn's surroundings tell.
func (gs *Goroutines) place(x *syntax.Index, s *Spawn) {
	for enc := range s.Cur.Enclosing() {
		if enc == s.Cur {
			continue
		}
		switch n := enc.Node().(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			if s.Parent == nil {
				s.InLoop = true
			}
		case *ast.FuncLit:
			if s.Parent == nil {
				s.Parent = n
			}
			if isOnceBody(x.Info, enc) {
				s.ProcessLifetime = true
			}
		case *ast.FuncDecl:
			if s.Parent == nil {
				s.Parent = n
			}
			if gs.Life.RunsOnce(n) || x.Pkg.Path() == "runtime" {
				// The runtime's own workers live as long as the process.
				s.ProcessLifetime = true
			}
			return
		}
	}
}

// lifetimes tells which functions run once per process.
type lifetimes struct {
	x            *syntax.Index
	onceFromMain map[*types.Func]bool // see calledOnceFromMain
}

// RunsOnce reports whether decl runs once per process: main.main, an init
// function, TestMain, or a function that only those call, once.
func (l *lifetimes) RunsOnce(decl *ast.FuncDecl) bool {
	return l.isProcessLifetime(decl) || l.calledOnceFromMain(decl)
}

// isProcessLifetime reports whether decl runs once per process: main.main
// or an init function.
func (l *lifetimes) isProcessLifetime(decl *ast.FuncDecl) bool {
	if decl.Recv != nil {
		return false
	}
	switch decl.Name.Name {
	case "init", "TestMain":
		return true
	case "main":
		return l.x.Pkg.Name() == "main"
	}
	return false
}

// calledOnceFromMain reports whether, in a package main, decl is a function
// that runs once per process: every reference to it is a call, outside
// loops and function literals, from main, init or another such function
// (func main() { run() }).
func (l *lifetimes) calledOnceFromMain(decl *ast.FuncDecl) bool {
	if l.x.Pkg.Name() != "main" || decl.Recv != nil {
		return false
	}
	fn, ok := l.x.Info.Defs[decl.Name].(*types.Func)
	if !ok {
		return false
	}
	if r, ok := l.onceFromMain[fn]; ok {
		return r
	}
	if l.onceFromMain == nil {
		l.onceFromMain = make(map[*types.Func]bool)
	}
	l.onceFromMain[fn] = false // recursion: not proven
	refs := l.x.UsesOf(fn)
	result := len(refs) > 0
	for _, id := range refs {
		cur := l.x.CursorOf(id)
		call, ok := cur.Parent().Node().(*ast.CallExpr)
		if !ok || ast.Unparen(call.Fun) != id {
			result = false // used as a value: may run any number of times
			break
		}
		p := PlaceAt(cur)
		caller, ok := p.Owner.(*ast.FuncDecl)
		if !ok || p.InLoop || !l.RunsOnce(caller) {
			result = false
			break
		}
	}
	l.onceFromMain[fn] = result
	return result
}

// isGoMethod reports whether call is (*sync.WaitGroup).Go or
// (*errgroup.Group).Go, which start their argument as a goroutine.
func isGoMethod(info *types.Info, call *ast.CallExpr) bool {
	fn := syntax.StaticCallee(info, call)
	if fn == nil || fn.Name() != "Go" {
		return false
	}
	return syntax.IsMethodOf(fn, "sync", "WaitGroup") || syntax.IsMethodOf(fn, "golang.org/x/sync/errgroup", "Group")
}

// isOnceBody reports whether the function literal at cur is the argument of
// (*sync.Once).Do or sync.OnceFunc: code that runs once per process.
func isOnceBody(info *types.Info, cur inspector.Cursor) bool {
	call, ok := cur.Parent().Node().(*ast.CallExpr)
	if !ok {
		return false
	}
	fn := syntax.StaticCallee(info, call)
	if fn == nil {
		return false
	}
	return fn.Name() == "Do" && syntax.IsMethodOf(fn, "sync", "Once") ||
		syntax.IsFunc(fn, "sync", "OnceFunc", "OnceValue", "OnceValues")
}

// A place says in which function's code a position runs.
type place struct {
	Owner    ast.Node // *ast.FuncDecl or a *ast.FuncLit that is not called on the spot
	Deferred bool     // runs in a deferred call of owner
	InLoop   bool     // inside a loop of owner
}

// PlaceAt finds the function whose code runs at cur. Function literals
// that are called where they are written (func(){...}() and
// defer func(){...}()) run as part of the function around them.
func PlaceAt(cur inspector.Cursor) place {
	var p place
	pos := cur.Node().Pos()
	for enc := range cur.Enclosing() {
		switch n := enc.Node().(type) {
		case *ast.DeferStmt:
			p.Deferred = true
		case *ast.ForStmt, *ast.RangeStmt:
			if enc.Node().Pos() != pos { // the range statement itself is not in its own loop
				p.InLoop = true
			}
		case *ast.FuncLit:
			if IsCalledInPlace(enc) {
				continue
			}
			p.Owner = n
			return p
		case *ast.FuncDecl:
			p.Owner = n
			return p
		}
	}
	return p
}

// IsCalledInPlace reports whether the literal at cur is the function of a
// call that is not a go statement.
func IsCalledInPlace(cur inspector.Cursor) bool {
	call, ok := cur.Parent().Node().(*ast.CallExpr)
	if !ok || ast.Unparen(call.Fun) != cur.Node() {
		return false
	}
	_, isGo := cur.Parent().Parent().Node().(*ast.GoStmt)
	return !isGo
}
