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
	fn := staticCallee(r.x.info, call)
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || fn == nil || fn.Name() != "Wait" || !isMethodOf(fn, "sync", "Cond") {
		return verdict{}, false
	}
	cond, ok := r.objectOf(sel.X).(*types.Var)
	if !ok || cond.Pkg() != r.x.pkg || cond.IsField() && !r.x.hidden(cond) || cond.Parent() == r.x.pkg.Scope() && cond.Exported() {
		return verdict{}, false
	}
	for _, id := range r.x.usesOf(originOf(cond)) {
		use := r.x.cursorOf(id)
		if !use.Valid() {
			return verdict{}, false
		}
		if p, ok := use.Parent().Node().(*ast.SelectorExpr); ok && p.Sel == id {
			use = use.Parent() // x.cond
		}
		switch p := use.Parent().Node().(type) {
		case *ast.SelectorExpr:
			if p.X == use.Node() && (p.Sel.Name == "Wait" || p.Sel.Name == "L") {
				continue
			}
		case *ast.AssignStmt:
			if i := use.ParentEdgeIndex(); i < len(p.Lhs) && p.Lhs[i] == use.Node() {
				continue // given a value
			}
		case *ast.KeyValueExpr:
			if p.Key == use.Node() {
				continue
			}
		}
		return verdict{}, false // Signal, Broadcast, or passed on
	}
	return verdict{pattern: UnguardedRecv, at: call, spawn: s, why: deadCond{cond: shortExpr(sel.X), name: cond.Name()}}, true
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
