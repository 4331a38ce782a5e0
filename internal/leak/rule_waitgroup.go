package leak

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
)

// A WaitGroup that is added to and never done: a goroutine that waits on
// it never gets past the Wait once an Add has run (and when it would close
// a channel next, that channel is never closed). Only a WaitGroup that
// nothing in the package calls Done (or Go) on, passes on or takes the
// address of counts, and whose every Add adds a positive constant.

// neverDoneWait returns the verdict on the call `wg.Wait()` at cur, in
// goroutine s (nil for a callee's), when nothing ever calls wg.Done.
func (r *rules) neverDoneWait(s *spawn, cur inspector.Cursor, call *ast.CallExpr) (verdict, bool) {
	fn := staticCallee(r.x.info, call)
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || fn == nil || fn.Name() != "Wait" || !isMethodOf(fn, "sync", "WaitGroup") {
		return verdict{}, false
	}
	var closed *ast.CallExpr
	if stmt, ok := cur.Parent().Node().(*ast.ExprStmt); ok {
		closed = closedAfter(cur.Parent(), stmt)
	}
	wg, ok := r.objectOf(sel.X).(*types.Var)
	if !ok || wg.Pkg() != r.x.pkg || wg.IsField() && !r.x.hidden(wg) || wg.Parent() == r.x.pkg.Scope() && wg.Exported() {
		return verdict{}, false
	}
	var adds []ast.Node
	for _, id := range r.x.usesOf(originOf(wg)) {
		use := r.x.cursorOf(id)
		if !use.Valid() {
			return verdict{}, false
		}
		if p, ok := use.Parent().Node().(*ast.SelectorExpr); ok && p.Sel == id {
			use = use.Parent() // s.wg: the field's use is the selector
		}
		method, ok := use.Parent().Node().(*ast.SelectorExpr)
		if !ok || method.X != use.Node() {
			return verdict{}, false // passed on, or its address taken
		}
		c, ok := use.Parent().Parent().Node().(*ast.CallExpr)
		if !ok || c.Fun != method {
			return verdict{}, false // a method value
		}
		switch method.Sel.Name {
		case "Wait":
		case "Add":
			if n, ok := r.sum.constInt(c.Args[0]); !ok || n <= 0 {
				return verdict{}, false
			}
			adds = append(adds, c)
		default:
			return verdict{}, false // Done, Go
		}
	}
	if len(adds) == 0 {
		return verdict{}, false
	}
	return verdict{pattern: UnguardedRecv, at: call, spawn: s, why: neverDone{
		wg:     shortExpr(sel.X),
		adds:   adds,
		closes: closed,
	}}, true
}

// closedAfter returns the close(ch) statement that follows stmt in its
// block, or nil.
func closedAfter(cur inspector.Cursor, stmt ast.Stmt) *ast.CallExpr {
	block, ok := cur.Parent().Node().(*ast.BlockStmt)
	if !ok {
		return nil
	}
	after := false
	for _, st := range block.List {
		if st == stmt {
			after = true
			continue
		}
		if !after {
			continue
		}
		if call := exprStmtCall(st); call != nil {
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && id.Name == "close" && len(call.Args) == 1 {
				return call
			}
		}
	}
	return nil
}
