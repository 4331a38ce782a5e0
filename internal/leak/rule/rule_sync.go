package rule

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Waits on sync primitives that nothing will release: a sync.Cond that
// nothing signals, a WaitGroup that is added to and never done, a mutex
// that a method left locked (see lockLeftVerdict). Only a Cond or
// WaitGroup (a field, or a variable) that the package uses for nothing
// but its methods, and never passes on, counts.

// syncWaitVerdict returns the verdict on call when it waits on a sync
// primitive that nothing will release: see deadCondWait, neverDoneWait
// and lockLeftVerdict. s is the goroutine, nil in a callee's code. The
// callee is looked up once, and only calls of package sync go further.
func syncWaitVerdict(r *Input, s *flow.Spawn, cur inspector.Cursor, call *ast.CallExpr) (verdict.Verdict, bool) {
	fn := syntax.StaticCallee(r.X.Info, call)
	switch {
	case fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "sync":
		return verdict.Verdict{}, false
	case syntax.IsMethodOf(fn, "sync", "Cond"):
		return deadCondWait(r, s, call)
	case syntax.IsMethodOf(fn, "sync", "WaitGroup"):
		return neverDoneWait(r, s, cur, call)
	case s != nil:
		return lockLeftVerdict(r, s, call)
	}
	return verdict.Verdict{}, false
}

// A sync.Cond that nothing in the package signals: a goroutine in its
// Wait never wakes.

// deadCondWait returns the verdict on call, c.Wait(), when nothing in the
// package calls c.Signal or c.Broadcast.
func deadCondWait(r *Input, s *flow.Spawn, call *ast.CallExpr) (verdict.Verdict, bool) {
	cond, sel := syncWait(r.X, call, "Cond")
	if cond == nil {
		return verdict.Verdict{}, false
	}
	uses := r.Sync.SyncUses(cond)
	if uses == nil || len(uses.Calls["Signal"])+len(uses.Calls["Broadcast"]) > 0 {
		return verdict.Verdict{}, false
	}
	return verdict.Verdict{Pattern: pattern.SyncWait, At: call, Spawn: s, Why: verdict.DeadCond{Cond: syntax.ShortExpr(sel.X), Name: cond.Name()}}, true
}

// syncWait recognises x.Wait() on a sync type (WaitGroup, Cond) of a
// variable or field that no other package can reach; it returns x's
// object and the selector.
func syncWait(x *syntax.Index, call *ast.CallExpr, typeName string) (*types.Var, *ast.SelectorExpr) {
	fn := syntax.StaticCallee(x.Info, call)
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || fn == nil || fn.Name() != "Wait" || !syntax.IsMethodOf(fn, "sync", typeName) {
		return nil, nil
	}
	v, ok := syntax.ObjectOf(x, sel.X).(*types.Var)
	if !ok || v.Pkg() != x.Pkg || v.IsField() && !syntax.Hidden(x, v) || v.Parent() == x.Pkg.Scope() && v.Exported() {
		return nil, nil
	}
	return v, sel
}

// A WaitGroup that is added to and never done: a goroutine that waits on
// it never gets past the Wait once an Add has run (and when it would close
// a channel next, that channel is never closed). Only a WaitGroup that
// nothing in the package calls Done (or Go) on, passes on or takes the
// address of counts, and whose every Add adds a positive constant.

// neverDoneWait returns the verdict on the call `wg.Wait()` at cur, in
// goroutine s (nil for a callee's), when nothing ever calls wg.Done.
func neverDoneWait(r *Input, s *flow.Spawn, cur inspector.Cursor, call *ast.CallExpr) (verdict.Verdict, bool) {
	wg, sel := syncWait(r.X, call, "WaitGroup")
	if wg == nil {
		return verdict.Verdict{}, false
	}
	uses := r.Sync.SyncUses(wg)
	if uses == nil || len(uses.Calls["Add"]) == 0 {
		return verdict.Verdict{}, false
	}
	for name, calls := range uses.Calls {
		switch name {
		case "Wait":
		case "Add":
			for _, c := range calls {
				if n, ok := flow.ConstInt(r.Sum.X, c.Args[0]); !ok || n <= 0 {
					return verdict.Verdict{}, false
				}
			}
		default:
			return verdict.Verdict{}, false // Done, Go
		}
	}
	var closed *ast.CallExpr
	if stmt, ok := cur.Parent().Node().(*ast.ExprStmt); ok {
		closed = closedAfter(r.X, cur.Parent(), stmt)
	}
	adds := make([]ast.Node, len(uses.Calls["Add"]))
	for i, c := range uses.Calls["Add"] {
		adds[i] = c
	}
	return verdict.Verdict{Pattern: pattern.SyncWait, At: call, Spawn: s, Why: verdict.UndoneWaitGroup{
		Wg:     syntax.ShortExpr(sel.X),
		Adds:   adds,
		Closes: closed,
	}}, true
}

// closedAfter returns the close(ch) statement that follows stmt in its
// block, or nil.
func closedAfter(x *syntax.Index, cur inspector.Cursor, stmt ast.Stmt) *ast.CallExpr {
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
		if call := flow.ExprStmtCall(st); call != nil && syntax.IsCloseCall(x.Info, call) {
			return call
		}
	}
	return nil
}
