package leak

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
)

// Rules on the code of each goroutine, for what does not depend on a local
// channel: endless loops, selects that can never proceed, and receives
// from channels that can never be ready.

// bodyVerdicts walks the code of each goroutine.
func (r *rules) bodyVerdicts() []verdict {
	var out []verdict
	walked := map[*ast.BlockStmt]bool{}
	for _, s := range r.gs.list {
		if s.body == nil {
			if v, ok := r.foreignLoop(s); ok {
				out = append(out, v)
			}
			continue
		}
		if s.lit == nil && !s.processLifetime {
			if l := r.sum.foreverLoop(s.callee); l != nil && l.via != nil {
				out = append(out, r.loopVerdict(s, l.loop, l.via))
			}
		}
		var root inspector.Cursor
		var ok bool
		if s.lit != nil {
			root, ok = s.cur.FindNode(s.body) // within the go statement: cheap
		} else if !walked[s.body] {
			walked[s.body] = true // a named function started from many places is walked once
			root = r.x.cursorOf(s.body)
			ok = root.Valid()
		}
		if !ok {
			continue
		}
		var calls []*ast.CallExpr // calls of this package's functions, followed below
		root.Inspect(nil, func(cur inspector.Cursor) bool {
			switch n := cur.Node().(type) {
			case *ast.CallExpr:
				if callee := staticCallee(r.x.info, n); callee != nil && r.x.decls[callee] != nil && callee != s.callee {
					calls = append(calls, n)
				}
			case *ast.FuncLit:
				return isCalledInPlace(cur)
			case *ast.GoStmt:
				return false // a goroutine of its own
			case *ast.LabeledStmt, *ast.ForStmt, *ast.RangeStmt:
				if _, labelled := cur.Parent().Node().(*ast.LabeledStmt); labelled {
					break // checked with its label
				}
				if loop := r.sum.endlessLoopStmt(n.(ast.Stmt)); loop != nil && !s.processLifetime {
					out = append(out, r.loopVerdict(s, loop, nil))
					return false
				}
				if rs, ok := n.(*ast.RangeStmt); ok {
					out = r.deadOpAt(out, s, cur, rs)
				}
			case *ast.ExprStmt:
				if v, ok := r.neverDoneWait(s, cur, n); ok {
					out = append(out, v)
				}
				if call := exprStmtCall(n); call != nil && !s.processLifetime {
					if callee := staticCallee(r.x.info, call); callee != nil {
						if l := r.sum.foreverLoop(callee); l != nil {
							out = append(out, r.loopVerdict(s, l.loop, call))
						}
					}
				}
			case *ast.SelectStmt, *ast.UnaryExpr, *ast.SendStmt:
				out = r.deadOpAt(out, s, cur, n)
			}
			return true
		})
		// What blocks for ever in a callee blocks the goroutine too.
		for _, call := range calls {
			for _, v := range r.calleeDeadOps(staticCallee(r.x.info, call)) {
				v.spawn, v.through = s, call
				out = append(out, v)
			}
		}
	}
	return out
}

// calleeDeadOps returns (once per function) the operations of fn, a
// function of this package, and of the functions it calls in turn, that
// can never proceed: receives, sends and selects on channels that can
// never be ready (see deadOp and deadSelect). The verdicts name no
// goroutine: the caller's goroutine is theirs.
func (r *rules) calleeDeadOps(fn *types.Func) []verdict {
	if ops, ok := r.deadInCallee[fn]; ok {
		return ops
	}
	r.deadInCallee[fn] = nil // recursion adds nothing
	decl := r.x.decls[fn]
	root := r.x.cursorOf(decl.Body)
	if !root.Valid() {
		return nil
	}
	var ops []verdict
	var calls []*types.Func
	root.Inspect(nil, func(cur inspector.Cursor) bool {
		switch n := cur.Node().(type) {
		case *ast.FuncLit:
			return isCalledInPlace(cur)
		case *ast.GoStmt:
			return false // a goroutine of its own
		case *ast.CallExpr:
			if callee := staticCallee(r.x.info, n); callee != nil && r.x.decls[callee] != nil {
				calls = append(calls, callee)
			}
		case *ast.RangeStmt, *ast.SelectStmt, *ast.UnaryExpr, *ast.SendStmt:
			ops = r.deadOpAt(ops, nil, cur, n)
		}
		return true
	})
	for _, callee := range calls {
		ops = append(ops, r.calleeDeadOps(callee)...)
	}
	r.deadInCallee[fn] = ops
	return ops
}

// foreignLoop finds `go pkg.F(...)` where facts say F loops for ever.
func (r *rules) foreignLoop(s *spawn) (verdict, bool) {
	if s.callee == nil || s.processLifetime {
		return verdict{}, false
	}
	var fact loopsForever
	if !r.sum.pass.ImportObjectFact(s.callee, &fact) {
		return verdict{}, false
	}
	return verdict{pattern: EndlessLoop, at: s.start, spawn: s,
		why: foreignLoop{callee: s.callee, ignoresContext: fact.IgnoresContext}}, true
}

// deadOpAt adds the verdict on the channel operation n at cur (a range, a
// select, a receive or a send) when it can never proceed: see deadOp and
// deadSelect. Receives and sends that are select cases are the select's.
func (r *rules) deadOpAt(out []verdict, s *spawn, cur inspector.Cursor, n ast.Node) []verdict {
	switch n := n.(type) {
	case *ast.RangeStmt:
		return r.deadOp(out, s, cur, n, n.X, opRange)
	case *ast.SelectStmt:
		if v, ok := r.deadSelect(s, n); ok {
			return append(out, v)
		}
	case *ast.UnaryExpr:
		if n.Op == token.ARROW && commClauseOf(cur) == nil {
			return r.deadOp(out, s, cur, n, n.X, opRecv)
		}
	case *ast.SendStmt:
		if cc, ok := cur.Parent().Node().(*ast.CommClause); !ok || cc.Comm != n {
			return r.deadOp(out, s, cur, n, n.Chan, opSend)
		}
	}
	return out
}

// deadOp adds a verdict on an operation whose channel, not a local
// variable, can never be ready: for a receive, ctx.Done() of a context
// that is never cancelled, nil, an unexported field that nothing in the
// package sends to or closes, or a channel made on the spot; for a send, an
// unbuffered channel made on the spot. (Local variables are the channel
// model's, and sends on other channels have receivers we may not see.)
// It also adds a verdict on an operation that waits holding a lock every
// partner needs (see lockedOp).
func (r *rules) deadOp(out []verdict, s *spawn, cur inspector.Cursor, at ast.Node, ch ast.Expr, kind opKind) []verdict {
	op := blockedOp{kind: kind, channel: shortExpr(ch)}
	pattern := UnguardedRecv
	if kind == opSend {
		pattern = UnreadSend
	}
	if dead, ok := r.m.deadNonLocal(ch, kind == opSend); ok {
		return append(out, verdict{pattern: pattern, at: at, spawn: s, why: deadChannel{blockedOp: op, dead: dead}})
	}
	if why, ok := r.lockedOp(cur, at, ch, op); ok {
		return append(out, verdict{pattern: pattern, at: at, spawn: s, why: why})
	}
	return out
}

// lockedOp finds an operation on an unbuffered channel field, x.f, made
// while holding a lock of the same object, x.mu, when every partner
// operation in the package is made holding that lock too. No partner can
// reach its operation while this one waits, so it waits for ever.
// Partners of a receive are sends only: a close made before the lock was
// taken would let the receive through.
func (r *rules) lockedOp(cur inspector.Cursor, at ast.Node, ch ast.Expr, op blockedOp) (lockedWait, bool) {
	field, base := r.fieldOnVar(ch)
	if field == nil {
		return lockedWait{}, false
	}
	f := r.m.fieldFlow(field)
	if f == nil || f.escapes || f.buffered || f.defs == 0 {
		return lockedWait{}, false
	}
	fn := enclosingFunc(cur)
	if fn == nil {
		return lockedWait{}, false
	}
	var mine []heldLock
	for _, l := range r.locks.heldAt(fn, at) {
		if l.root == base && l.path != "" {
			mine = append(mine, l)
		}
	}
	if len(mine) == 0 {
		return lockedWait{}, false
	}
	why := lockedWait{blockedOp: op, field: field.Name(), pkg: r.x.pkg.Name()}
	for i := range f.uses {
		u := &f.uses[i]
		partner := u.kind != opClose && u.kind.receives() != op.kind.receives()
		switch {
		case u.kind == opClose && op.kind.receives():
			return lockedWait{}, false
		case !partner || u.node == at:
			continue
		}
		pfield, pbase := r.fieldOnVar(u.at.Node().(ast.Expr))
		pfn := enclosingFunc(u.at)
		if u.via != nil || pfield != field || pfn == nil {
			return lockedWait{}, false
		}
		excluded := false
		for _, l := range r.locks.heldAt(pfn, u.node) {
			for _, m := range mine {
				if l.root == pbase && m.excludes(l) {
					excluded = true
					why.lock = m
				}
			}
		}
		if !excluded {
			return lockedWait{}, false
		}
		why.partners = append(why.partners, u.node)
	}
	if len(why.partners) == 0 {
		return lockedWait{}, false // no partner at all is deadNonLocal's
	}
	return why, true
}

// fieldOnVar splits a channel expression v.f, where v is a variable, into
// the field and the variable.
func (r *rules) fieldOnVar(ch ast.Expr) (*types.Var, types.Object) {
	sel, ok := ast.Unparen(ch).(*ast.SelectorExpr)
	if !ok {
		return nil, nil
	}
	id, ok := ast.Unparen(sel.X).(*ast.Ident)
	if !ok {
		return nil, nil
	}
	field, ok := r.x.info.Uses[sel.Sel].(*types.Var)
	base := r.x.info.Uses[id]
	if !ok || !field.IsField() || base == nil {
		return nil, nil
	}
	return field.Origin(), base
}

// deadSelect finds a select in a goroutine none of whose cases can ever
// proceed.
func (r *rules) deadSelect(s *spawn, sel *ast.SelectStmt) (verdict, bool) {
	if len(sel.Body.List) == 0 {
		return verdict{pattern: UnguardedRecv, at: sel, spawn: s, why: emptySelect{}}, true
	}
	var cases []deadness
	for _, clause := range sel.Body.List {
		cc := clause.(*ast.CommClause)
		if cc.Comm == nil {
			return verdict{}, false // default
		}
		dead, ok := r.m.deadCase(cc)
		if !ok {
			return verdict{}, false
		}
		cases = append(cases, dead)
	}
	return verdict{pattern: UnguardedRecv, at: sel, spawn: s, why: deadSelect{cases: cases}}, true
}

// loopVerdict is the verdict on an endless loop run by goroutine s,
// reached through call when the loop is in a callee. When a context in
// scope is never checked, it says so (fixes.go offers the fix).
func (r *rules) loopVerdict(s *spawn, loop ast.Stmt, call *ast.CallExpr) verdict {
	if ls, ok := loop.(*ast.LabeledStmt); ok {
		loop = ls.Stmt
	}
	why := endlessLoop{loop: loop, via: call}
	if r.x.ignoresContext(loop) {
		why.ctx = r.x.contextInScope(loop.Pos())
	}
	return verdict{pattern: EndlessLoop, at: loop, spawn: s, why: why}
}

func hasField(t types.Type, field *types.Var) bool {
	if t == nil {
		return false
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := range st.NumFields() {
		if st.Field(i).Origin() == field.Origin() {
			return true
		}
	}
	return false
}

// shortExpr prints an expression for a message, shortened.
func shortExpr(e ast.Expr) string {
	s := types.ExprString(e)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}
