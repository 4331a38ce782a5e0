package leak

import (
	"go/ast"

	"golang.org/x/tools/go/ast/inspector"
)

// A WaitGroup that is added to and never done: a goroutine that waits on
// it and then closes a channel never gets past the Wait once an Add has
// run, so the channel is never closed. Only a WaitGroup that nothing in
// the package calls Done (or Go) on, passes on or takes the address of
// counts, and whose every Add adds a positive constant.

// neverDoneWait returns the verdict on the statement `wg.Wait()` at cur in
// goroutine s, when a close of a channel follows it in the same block and
// nothing ever calls wg.Done.
func (r *rules) neverDoneWait(s *spawn, cur inspector.Cursor, stmt *ast.ExprStmt) (verdict, bool) {
	call := exprStmtCall(stmt)
	if call == nil {
		return verdict{}, false
	}
	fn := staticCallee(r.x.info, call)
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || fn == nil || fn.Name() != "Wait" || !isMethodOf(fn, "sync", "WaitGroup") {
		return verdict{}, false
	}
	closed := closedAfter(cur, stmt)
	wg := r.objectOf(sel.X)
	if closed == nil || wg == nil {
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
	return verdict{pattern: UnguardedRecv, at: stmt, spawn: s, why: neverDone{
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
