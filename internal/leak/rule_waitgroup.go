package leak

import (
	"go/ast"

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
	wg, sel := r.syncWait(call, "WaitGroup")
	if wg == nil {
		return verdict{}, false
	}
	uses := r.syncUses(wg)
	if uses == nil || len(uses.calls["Add"]) == 0 {
		return verdict{}, false
	}
	for name, calls := range uses.calls {
		switch name {
		case "Wait":
		case "Add":
			for _, c := range calls {
				if n, ok := r.sum.constInt(c.Args[0]); !ok || n <= 0 {
					return verdict{}, false
				}
			}
		default:
			return verdict{}, false // Done, Go
		}
	}
	var closed *ast.CallExpr
	if stmt, ok := cur.Parent().Node().(*ast.ExprStmt); ok {
		closed = r.closedAfter(cur.Parent(), stmt)
	}
	adds := make([]ast.Node, len(uses.calls["Add"]))
	for i, c := range uses.calls["Add"] {
		adds[i] = c
	}
	return verdict{pattern: UnguardedRecv, at: call, spawn: s, why: neverDone{
		wg:     shortExpr(sel.X),
		adds:   adds,
		closes: closed,
	}}, true
}

// closedAfter returns the close(ch) statement that follows stmt in its
// block, or nil.
func (r *rules) closedAfter(cur inspector.Cursor, stmt ast.Stmt) *ast.CallExpr {
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
		if call := exprStmtCall(st); call != nil && isCloseCall(r.x.info, call) {
			return call
		}
	}
	return nil
}
