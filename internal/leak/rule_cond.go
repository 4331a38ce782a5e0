package leak

import (
	"go/ast"
	"go/types"
)

// A sync.Cond that nothing in the package signals: a goroutine in its
// Wait never wakes. Only a Cond (a field, or a variable) that the package
// uses for nothing but Wait and its lock, and never passes on, counts.

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
	return verdict{pattern: UnguardedRecv, at: call, spawn: s, why: deadCond{cond: shortExpr(sel.X), name: cond.Name()}}, true
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

// parentWaits relates, to a verdict on goroutine s, the receives of its
// parent that wait for ever too: on a local channel of the parent that only
// s sends to or closes, after the statement of s where it blocks.
func (r *rules) parentWaits(s *spawn, v verdict) []ast.Node {
	if s == nil || s.body == nil || s.parent == nil {
		return nil
	}
	blocked := v.at
	if v.through != nil {
		blocked = v.through
	}
	var after ast.Stmt
	for _, st := range s.body.List {
		if st.Pos() <= blocked.Pos() && blocked.End() <= st.End() {
			after = st
		}
	}
	if after == nil {
		return nil
	}
	var out []ast.Node
	for _, l := range r.m.locals {
		f := l.flow
		if l.owner != s.parent || f.escapes {
			continue
		}
		var waits []ast.Node
		mine := false
		for i := range f.uses {
			u := &f.uses[i]
			switch {
			case u.kind == opSend || u.kind == opClose:
				if r.gs.spawnOf(u) != s || u.pos() < after.End() {
					mine = false
					waits = nil
					goto next
				}
				mine = true
			case u.kind.receives() && u.blocks() && u.place.owner == s.parent && u.via == nil:
				waits = append(waits, u.node)
			}
		}
		if mine {
			out = append(out, waits...)
		}
	next:
	}
	return out
}
