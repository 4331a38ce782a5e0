package leak

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
)

// A foreverLoop is an endless loop that a function runs as one of its
// top-level statements.
type foreverLoop struct {
	loop       ast.Stmt      // *ast.ForStmt or *ast.RangeStmt
	via        *ast.CallExpr // set when the loop is in a callee reached through a top-level call
	ignoresCtx bool
}

// foreverLoop returns (once) the endless loop that fn of this package runs
// unconditionally, or nil.
func (c *checker) foreverLoop(fn *types.Func) *foreverLoop {
	if l, ok := c.forever[fn]; ok {
		return l
	}
	c.forever[fn] = nil // recursion finds nothing
	decl := c.decls[fn]
	if decl == nil {
		return nil
	}
	var found *foreverLoop
	for _, stmt := range decl.Body.List {
		if l := c.endlessLoopStmt(stmt); l != nil {
			found = &foreverLoop{loop: l, ignoresCtx: c.ignoresContext(l)}
			break
		}
		if call := exprStmtCall(stmt); call != nil {
			if callee := staticCallee(c.info, call); callee != nil && c.decls[callee] != nil {
				if inner := c.foreverLoop(callee); inner != nil {
					found = &foreverLoop{loop: inner.loop, via: call, ignoresCtx: inner.ignoresCtx}
					break
				}
			}
		}
		if mayLeave(stmt) {
			break // a return before the loop: the loop runs only on some paths
		}
	}
	c.forever[fn] = found
	return found
}

// mayLeave reports whether stmt contains a return statement outside of
// nested function literals.
func mayLeave(stmt ast.Stmt) bool {
	found := false
	ast.Inspect(stmt, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.ReturnStmt:
			found = true
		case *ast.FuncLit:
			return false
		}
		return !found
	})
	return found
}

func exprStmtCall(stmt ast.Stmt) *ast.CallExpr {
	if es, ok := stmt.(*ast.ExprStmt); ok {
		if call, ok := ast.Unparen(es.X).(*ast.CallExpr); ok {
			return call
		}
	}
	return nil
}

// endlessLoopStmt returns stmt (or the loop it labels) when it is a loop
// that nothing can end: no condition, no return, no break or goto out, no
// panic and no call that does not return.
func (c *checker) endlessLoopStmt(stmt ast.Stmt) ast.Stmt {
	label := ""
	if ls, ok := stmt.(*ast.LabeledStmt); ok {
		label, stmt = ls.Label.Name, ls.Stmt
	}
	var body *ast.BlockStmt
	switch loop := stmt.(type) {
	case *ast.ForStmt:
		if loop.Cond != nil && !c.isConstTrue(loop.Cond) {
			return nil
		}
		body = loop.Body
	case *ast.RangeStmt:
		if !c.isTickChannel(loop.X) {
			return nil
		}
		body = loop.Body
	default:
		return nil
	}
	if c.canLeave(body, label) {
		return nil
	}
	return stmt
}

func (c *checker) isConstTrue(e ast.Expr) bool {
	tv := c.info.Types[e]
	return tv.Value != nil && tv.Value.Kind() == constant.Bool && constant.BoolVal(tv.Value)
}

// isTickChannel recognises channels that deliver ticks for ever and are
// never closed: time.Tick(d) and the C field of a *time.Ticker.
func (c *checker) isTickChannel(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		return isFunc(staticCallee(c.info, e), "time", "Tick")
	case *ast.SelectorExpr:
		if e.Sel.Name != "C" {
			return false
		}
		return isNamed(c.info.TypeOf(e.X), "time", "Ticker")
	}
	return false
}

// canLeave reports whether control can leave a loop with the given body (and
// label, or "") other than by looping: a return, a break or goto out, a
// labelled continue of an outer loop, a panic or a call that does not return.
func (c *checker) canLeave(body *ast.BlockStmt, label string) bool {
	return c.firstLeave(body, label) != nil
}

// firstLeave is the first statement or call by which control can leave the
// loop with the given body and label, or nil.
func (c *checker) firstLeave(body *ast.BlockStmt, label string) ast.Node {
	var first ast.Node
	c.eachLeave(body, label, func(n ast.Node) bool {
		first = n
		return false
	})
	return first
}

// eachLeave calls yield with each return, break or goto out, labelled
// continue of an outer loop, and call that never returns, by which control
// can leave the loop with the given body and label; it stops when yield
// returns false.
func (c *checker) eachLeave(body *ast.BlockStmt, label string, yield func(ast.Node) bool) {
	inner := map[string]bool{} // labels declared inside the body
	ast.Inspect(body, func(n ast.Node) bool {
		if ls, ok := n.(*ast.LabeledStmt); ok {
			inner[ls.Label.Name] = true
		}
		return true
	})
	c.leaves(body, label, inner, true, yield)
}

// leaves walks n; breakExits says whether an unlabelled break here would
// leave the loop being examined. It returns false once yield has.
func (c *checker) leaves(n ast.Node, label string, inner map[string]bool, breakExits bool, yield func(ast.Node) bool) bool {
	more := true
	ast.Inspect(n, func(n ast.Node) bool {
		if !more {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			more = yield(n)
		case *ast.BranchStmt:
			leaves := false
			switch {
			case n.Tok == token.GOTO:
				leaves = n.Label == nil || !inner[n.Label.Name]
			case n.Label != nil:
				isOwn := n.Label.Name == label
				leaves = !inner[n.Label.Name] && (!isOwn || n.Tok != token.CONTINUE)
			case n.Tok == token.BREAK:
				leaves = breakExits
			}
			if leaves {
				more = yield(n)
			}
		case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			// An unlabelled break inside these ends them, not our loop.
			for _, child := range childStmts(n) {
				if more = c.leaves(child, label, inner, false, yield); !more {
					break
				}
			}
			return false
		case *ast.CallExpr:
			if c.neverReturns(n) {
				more = yield(n)
			}
		}
		return more
	})
	return more
}

// childStmts lists the parts of a breakable statement to walk.
func childStmts(n ast.Node) []ast.Node {
	var out []ast.Node
	add := func(ns ...ast.Node) {
		for _, x := range ns {
			if x != nil {
				out = append(out, x)
			}
		}
	}
	switch n := n.(type) {
	case *ast.ForStmt:
		add(n.Init, n.Cond, n.Post, n.Body)
	case *ast.RangeStmt:
		add(n.X, n.Body)
	case *ast.SwitchStmt:
		add(n.Init, n.Tag, n.Body)
	case *ast.TypeSwitchStmt:
		add(n.Init, n.Assign, n.Body)
	case *ast.SelectStmt:
		add(n.Body)
	}
	return out
}

// neverReturns reports whether call ends the goroutine or the process:
// panic, os.Exit, log.Fatal, runtime.Goexit, t.Fatal and the like, and
// functions that end in one of them.
func (c *checker) neverReturns(call *ast.CallExpr) bool {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && c.info.Uses[id] == types.Universe.Lookup("panic") {
		return true
	}
	fn := staticCallee(c.info, call)
	if fn == nil {
		return false
	}
	if isKnownNoReturn(fn) {
		return true
	}
	if c.decls[fn] != nil {
		return c.funcNeverReturns(fn)
	}
	return fn.Pkg() != nil && c.pass.ImportObjectFact(fn, new(noReturn))
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

// funcNeverReturns computes (once) whether a function of this package
// never returns: it has no return statement and its last statement is a
// call that never returns. This is syntactic and cheap; an endless loop
// is a loopsForever fact instead.
func (c *checker) funcNeverReturns(fn *types.Func) bool {
	if r, ok := c.noReturn[fn]; ok {
		return r
	}
	c.noReturn[fn] = false // recursion: assume it returns
	decl := c.decls[fn]
	if decl == nil || len(decl.Body.List) == 0 {
		return false
	}
	call := exprStmtCall(decl.Body.List[len(decl.Body.List)-1])
	r := call != nil && c.neverReturns(call) && !mayLeave(decl.Body)
	c.noReturn[fn] = r
	return r
}

// ignoresContext reports whether a context.Context is in scope at loop and
// the loop never mentions it.
func (c *checker) ignoresContext(loop ast.Stmt) bool {
	ctxVars := c.contextsInScope(loop.Pos())
	if len(ctxVars) == 0 {
		return false
	}
	mentioned := false
	ast.Inspect(loop, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := c.info.Uses[id].(*types.Var); ok && ctxVars[v] {
				mentioned = true
			}
		}
		return !mentioned
	})
	return !mentioned
}

// contextsInScope lists the local variables of type context.Context visible
// at pos.
func (c *checker) contextsInScope(pos token.Pos) map[*types.Var]bool {
	vars := map[*types.Var]bool{}
	for scope := c.pass.Pkg.Scope().Innermost(pos); scope != nil && scope != c.pass.Pkg.Scope(); scope = scope.Parent() {
		for _, name := range scope.Names() {
			if v, ok := scope.Lookup(name).(*types.Var); ok && v.Pos() < pos && isNamed(v.Type(), "context", "Context") {
				vars[v] = true
			}
		}
	}
	return vars
}

// firstContext is the context variable in scope at pos with the smallest
// position (for messages and fixes), or nil.
func (c *checker) firstContext(pos token.Pos) *types.Var {
	var first *types.Var
	for v := range c.contextsInScope(pos) {
		if first == nil || v.Pos() < first.Pos() {
			first = v
		}
	}
	return first
}
