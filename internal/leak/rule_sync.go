package leak

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
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
func (r *rules) syncWaitVerdict(s *spawn, cur inspector.Cursor, call *ast.CallExpr) (verdict, bool) {
	fn := staticCallee(r.x.info, call)
	switch {
	case fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "sync":
		return verdict{}, false
	case isMethodOf(fn, "sync", "Cond"):
		return r.deadCondWait(s, call)
	case isMethodOf(fn, "sync", "WaitGroup"):
		return r.neverDoneWait(s, cur, call)
	case s != nil:
		return r.lockLeftVerdict(s, call)
	}
	return verdict{}, false
}

// A sync.Cond that nothing in the package signals: a goroutine in its
// Wait never wakes.

// deadCondWait returns the verdict on call, c.Wait(), when nothing in the
// package calls c.Signal or c.Broadcast.
func (r *rules) deadCondWait(s *spawn, call *ast.CallExpr) (verdict, bool) {
	cond, sel := r.syncWait(call, "Cond")
	if cond == nil {
		return verdict{}, false
	}
	uses := r.syncUses(cond)
	if uses == nil || len(uses.calls["Signal"])+len(uses.calls["Broadcast"]) > 0 {
		return verdict{}, false
	}
	return verdict{pattern: SyncWait, at: call, spawn: s, why: deadCond{cond: shortExpr(sel.X), name: cond.Name()}}, true
}

// syncWait recognises x.Wait() on a sync type (WaitGroup, Cond) of a
// variable or field that no other package can reach; it returns x's
// object and the selector.
func (r *rules) syncWait(call *ast.CallExpr, typeName string) (*types.Var, *ast.SelectorExpr) {
	fn := staticCallee(r.x.info, call)
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || fn == nil || fn.Name() != "Wait" || !isMethodOf(fn, "sync", typeName) {
		return nil, nil
	}
	v, ok := r.objectOf(sel.X).(*types.Var)
	if !ok || v.Pkg() != r.x.pkg || v.IsField() && !r.x.hidden(v) || v.Parent() == r.x.pkg.Scope() && v.Exported() {
		return nil, nil
	}
	return v, sel
}

// syncUsesOf is what the package does with a WaitGroup or Cond variable
// or field: the calls of its methods, by name.
type syncUsesOf struct {
	calls map[string][]*ast.CallExpr
}

// syncUses classifies, once per variable or field, every use of v in the
// package: a call v.M(...), the field v.L (a Cond's lock), or an
// assignment that gives it a value. It returns nil when some use lets it
// go where the analysis cannot follow: passed on, its address taken, a
// method value.
func (r *rules) syncUses(v *types.Var) *syncUsesOf {
	obj := originOf(v)
	if u, ok := r.syncMemo[obj]; ok {
		return u
	}
	if r.syncMemo == nil {
		r.syncMemo = make(map[types.Object]*syncUsesOf)
	}
	r.syncMemo[obj] = nil
	uses := &syncUsesOf{calls: map[string][]*ast.CallExpr{}}
	for _, id := range r.x.usesOf(obj) {
		use := r.x.cursorOf(id)
		if !use.Valid() {
			return nil
		}
		if p, ok := use.Parent().Node().(*ast.SelectorExpr); ok && p.Sel == id {
			use = use.Parent() // x.wg: the field's use is the selector
		}
		switch p := use.Parent().Node().(type) {
		case *ast.SelectorExpr:
			if p.X != use.Node() {
				return nil
			}
			if p.Sel.Name == "L" {
				continue
			}
			c, ok := use.Parent().Parent().Node().(*ast.CallExpr)
			if !ok || c.Fun != p {
				return nil // a method value
			}
			uses.calls[p.Sel.Name] = append(uses.calls[p.Sel.Name], c)
		case *ast.AssignStmt:
			if i := use.ParentEdgeIndex(); i >= len(p.Lhs) || p.Lhs[i] != use.Node() {
				return nil
			}
		case *ast.KeyValueExpr:
			if p.Key != use.Node() {
				return nil
			}
		default:
			return nil // passed on, or its address taken
		}
	}
	r.syncMemo[obj] = uses
	return uses
}

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
	return verdict{pattern: SyncWait, at: call, spawn: s, why: neverDone{
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
