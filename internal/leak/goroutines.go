package leak

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Stage 3, goroutines: where the package starts goroutines, what each one
// runs, and which live as long as the process.

// A spawn is one place where the package starts a goroutine.
type spawn struct {
	start  ast.Node         // the *ast.GoStmt, or the *ast.CallExpr of wg.Go / g.Go
	call   *ast.CallExpr    // for go statements: the call it runs
	lit    *ast.FuncLit     // the goroutine's body, when it is a function literal
	callee *types.Func      // otherwise the function it runs, when static
	body   *ast.BlockStmt   // the goroutine's code when it is in this package
	fn     ast.Node         // the *ast.FuncLit or *ast.FuncDecl whose body that is, or nil
	parent ast.Node         // innermost *ast.FuncDecl or *ast.FuncLit around start
	cur    inspector.Cursor // start's cursor
	inLoop bool             // start sits in a loop of parent: many goroutines run this body

	// processLifetime marks goroutines started once per process (from
	// main.main, an init function or a sync.Once), which may run for ever.
	processLifetime bool
}

// goroutines is the result of stage 3.
type goroutines struct {
	list   []*spawn            // in source order
	byNode map[ast.Node]*spawn // by literal, or by call for named functions
	life   *lifetimes          // which functions run once per process
}

// findGoroutines lists the goroutines started in the declarations that the
// index found may start some.
func findGoroutines(x *index) *goroutines {
	gs := &goroutines{byNode: make(map[ast.Node]*spawn), life: &lifetimes{x: x}}
	for _, d := range x.spawners {
		for cur := range x.declCursor(d).Preorder((*ast.GoStmt)(nil), (*ast.CallExpr)(nil)) {
			var s *spawn
			switch n := cur.Node().(type) {
			case *ast.GoStmt:
				s = &spawn{start: n, call: n.Call}
				switch fun := ast.Unparen(n.Call.Fun).(type) {
				case *ast.FuncLit:
					s.lit = fun
				default:
					s.callee = staticCallee(x.info, n.Call)
				}
			case *ast.CallExpr:
				if !isGoMethod(x.info, n) || len(n.Args) != 1 {
					continue
				}
				s = &spawn{start: n}
				switch arg := ast.Unparen(n.Args[0]).(type) {
				case *ast.FuncLit:
					s.lit = arg
				default:
					s.callee = funcValue(x.info, arg)
				}
			}
			s.cur = cur
			if s.lit != nil {
				s.body, s.fn = s.lit.Body, s.lit
			} else if decl := x.decls[s.callee]; decl != nil {
				s.body, s.fn = decl.Body, decl
			}
			gs.place(x, s)
			gs.list = append(gs.list, s)
			if s.lit != nil {
				gs.byNode[s.lit] = s
			} else if s.call != nil {
				gs.byNode[s.call] = s
			}
		}
	}
	return gs
}

// place fills in what the spawn's surroundings tell.
func (gs *goroutines) place(x *index, s *spawn) {
	for enc := range s.cur.Enclosing() {
		if enc == s.cur {
			continue
		}
		switch n := enc.Node().(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			if s.parent == nil {
				s.inLoop = true
			}
		case *ast.FuncLit:
			if s.parent == nil {
				s.parent = n
			}
			if isOnceBody(x.info, enc) {
				s.processLifetime = true
			}
		case *ast.FuncDecl:
			if s.parent == nil {
				s.parent = n
			}
			if gs.life.runsOnce(n) || x.pkg.Path() == "runtime" {
				// The runtime's own workers live as long as the process.
				s.processLifetime = true
			}
			return
		}
	}
}

// lifetimes tells which functions run once per process.
type lifetimes struct {
	x            *index
	onceFromMain map[*types.Func]bool         // see calledOnceFromMain
	funcRefs     map[*types.Func][]*ast.Ident // references to the package's functions
}

// runsOnce reports whether decl runs once per process: main.main, an init
// function, TestMain, or a function that only those call, once.
func (l *lifetimes) runsOnce(decl *ast.FuncDecl) bool {
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
		return l.x.pkg.Name() == "main"
	}
	return false
}

// calledOnceFromMain reports whether, in a package main, decl is a function
// that runs once per process: every reference to it is a call, outside
// loops and function literals, from main, init or another such function
// (func main() { run() }).
func (l *lifetimes) calledOnceFromMain(decl *ast.FuncDecl) bool {
	if l.x.pkg.Name() != "main" || decl.Recv != nil {
		return false
	}
	fn, ok := l.x.info.Defs[decl.Name].(*types.Func)
	if !ok {
		return false
	}
	if r, ok := l.onceFromMain[fn]; ok {
		return r
	}
	if l.onceFromMain == nil {
		l.onceFromMain = make(map[*types.Func]bool)
		l.funcRefs = make(map[*types.Func][]*ast.Ident)
		for id, obj := range l.x.info.Uses {
			if f, ok := obj.(*types.Func); ok && f.Pkg() == l.x.pkg {
				l.funcRefs[f] = append(l.funcRefs[f], id)
			}
		}
	}
	l.onceFromMain[fn] = false // recursion: not proven
	refs := l.funcRefs[fn]
	result := len(refs) > 0
	for _, id := range refs {
		cur := l.x.cursorOf(id)
		call, ok := cur.Parent().Node().(*ast.CallExpr)
		if !ok || ast.Unparen(call.Fun) != id {
			result = false // used as a value: may run any number of times
			break
		}
		p := placeAt(cur)
		caller, ok := p.owner.(*ast.FuncDecl)
		if !ok || p.inLoop || !l.runsOnce(caller) {
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
	fn := staticCallee(info, call)
	if fn == nil || fn.Name() != "Go" {
		return false
	}
	return isMethodOf(fn, "sync", "WaitGroup") || isMethodOf(fn, "golang.org/x/sync/errgroup", "Group")
}

// isOnceBody reports whether the function literal at cur is the argument of
// (*sync.Once).Do or sync.OnceFunc: code that runs once per process.
func isOnceBody(info *types.Info, cur inspector.Cursor) bool {
	call, ok := cur.Parent().Node().(*ast.CallExpr)
	if !ok {
		return false
	}
	fn := staticCallee(info, call)
	if fn == nil {
		return false
	}
	return fn.Name() == "Do" && isMethodOf(fn, "sync", "Once") ||
		isFunc(fn, "sync", "OnceFunc", "OnceValue", "OnceValues")
}

// A place says in which function's code a position runs.
type place struct {
	owner    ast.Node // *ast.FuncDecl or a *ast.FuncLit that is not called on the spot
	deferred bool     // runs in a deferred call of owner
	inLoop   bool     // inside a loop of owner
}

// placeAt finds the function whose code runs at cur. Function literals
// that are called where they are written (func(){...}() and
// defer func(){...}()) run as part of the function around them.
func placeAt(cur inspector.Cursor) place {
	var p place
	pos := cur.Node().Pos()
	for enc := range cur.Enclosing() {
		switch n := enc.Node().(type) {
		case *ast.DeferStmt:
			p.deferred = true
		case *ast.ForStmt, *ast.RangeStmt:
			if enc.Node().Pos() != pos { // the range statement itself is not in its own loop
				p.inLoop = true
			}
		case *ast.FuncLit:
			if isCalledInPlace(enc) {
				continue
			}
			p.owner = n
			return p
		case *ast.FuncDecl:
			p.owner = n
			return p
		}
	}
	return p
}

// isCalledInPlace reports whether the literal at cur is the function of a
// call that is not a go statement.
func isCalledInPlace(cur inspector.Cursor) bool {
	call, ok := cur.Parent().Node().(*ast.CallExpr)
	if !ok || ast.Unparen(call.Fun) != cur.Node() {
		return false
	}
	_, isGo := cur.Parent().Parent().Node().(*ast.GoStmt)
	return !isGo
}

// staticCallee is the generic origin of call's static callee, or nil.
func staticCallee(info *types.Info, call *ast.CallExpr) *types.Func {
	if fn := typeutil.StaticCallee(info, call); fn != nil {
		return fn.Origin()
	}
	return nil
}

// funcValue is the function that a function-valued expression such as
// f or s.run denotes statically, or nil.
func funcValue(info *types.Info, e ast.Expr) *types.Func {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		if fn, ok := info.Uses[e].(*types.Func); ok {
			return fn.Origin()
		}
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[e]; ok {
			if sel.Kind() == types.MethodVal {
				if fn, ok := sel.Obj().(*types.Func); ok && !types.IsInterface(sel.Recv()) {
					return fn.Origin()
				}
			}
			return nil
		}
		if fn, ok := info.Uses[e.Sel].(*types.Func); ok {
			return fn.Origin()
		}
	}
	return nil
}

// isMethodOf reports whether fn is a method of pkgPath.typeName (or of a
// pointer to it).
func isMethodOf(fn *types.Func, pkgPath, typeName string) bool {
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return false
	}
	return isNamed(sig.Recv().Type(), pkgPath, typeName)
}

// isNamed reports whether t (or *t) is the named type pkgPath.name.
func isNamed(t types.Type, pkgPath, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := n.Obj()
	return obj.Name() == name && obj.Pkg() != nil && obj.Pkg().Path() == pkgPath
}

func isFunc(fn *types.Func, pkgPath string, names ...string) bool {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != pkgPath {
		return false
	}
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		return false
	}
	for _, name := range names {
		if fn.Name() == name {
			return true
		}
	}
	return false
}

func isChan(t types.Type) bool {
	_, ok := t.Underlying().(*types.Chan)
	return ok
}
