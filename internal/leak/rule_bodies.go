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
func bodyVerdicts(r *rules) []verdict {
	var out []verdict
	walked := map[*ast.BlockStmt]bool{}
	for _, s := range r.gs.list {
		first := len(out)
		if s.body == nil {
			if v, ok := foreignLoopOf(r, s); ok {
				out = append(out, v)
			}
			continue
		}
		if s.lit == nil && !s.processLifetime {
			if l := r.sum.foreverLoop(s.callee); l != nil && l.via != nil {
				out = append(out, loopVerdict(r.x, s, l.loop, l.via))
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
				if target := r.targets.oneTarget(n); target != nil && target != s.fn {
					calls = append(calls, n)
				}
				if v, ok := syncWaitVerdict(r, s, cur, n); ok {
					out = append(out, v)
				}
			case *ast.FuncLit:
				return isCalledInPlace(cur)
			case *ast.GoStmt:
				return false // a goroutine of its own
			case *ast.LabeledStmt, *ast.ForStmt, *ast.RangeStmt:
				if _, labelled := cur.Parent().Node().(*ast.LabeledStmt); labelled {
					break // checked with its label
				}
				if loop := endlessLoopStmt(r.sum, n.(ast.Stmt)); loop != nil && !s.processLifetime {
					out = append(out, loopVerdict(r.x, s, loop, nil))
					return false
				}
				if rs, ok := n.(*ast.RangeStmt); ok {
					out = deadOpAt(r, out, s, cur, rs)
				}
			case *ast.ExprStmt:
				if call := exprStmtCall(n); call != nil && !s.processLifetime {
					if callee := staticCallee(r.x.info, call); callee != nil {
						if l := r.sum.foreverLoop(callee); l != nil {
							out = append(out, loopVerdict(r.x, s, l.loop, call))
						}
					}
				}
			case *ast.SelectStmt, *ast.UnaryExpr, *ast.SendStmt:
				out = deadOpAt(r, out, s, cur, n)
			}
			return true
		})
		// What blocks for ever in a callee blocks the goroutine too.
		for _, call := range calls {
			for _, v := range calleeDeadOps(r, r.targets.oneTarget(call)) {
				v.spawn, v.through = s, call
				out = append(out, v)
			}
		}
		for i := first; i < len(out); i++ {
			out[i].alsoWaits = parentWaits(r, s, out[i])
		}
	}
	return out
}

// calleeDeadOps returns (once per function) the operations of fn, a
// function declaration or literal of this package, and of the functions
// it calls in turn (see oneTarget), that can never proceed: receives,
// sends and selects on channels that can never be ready (see deadOp and
// deadSelect). The verdicts name no goroutine: the caller's goroutine is
// theirs.
func calleeDeadOps(r *rules, fn ast.Node) []verdict {
	if ops, ok := r.deadInCallee[fn]; ok {
		return ops
	}
	r.deadInCallee[fn] = nil // recursion adds nothing
	root := r.x.cursorOf(bodyOf(fn))
	if !root.Valid() {
		return nil
	}
	var ops []verdict
	var calls []ast.Node
	root.Inspect(nil, func(cur inspector.Cursor) bool {
		switch n := cur.Node().(type) {
		case *ast.FuncLit:
			return isCalledInPlace(cur)
		case *ast.GoStmt:
			return false // a goroutine of its own
		case *ast.CallExpr:
			if target := r.targets.oneTarget(n); target != nil {
				calls = append(calls, target)
			}
			if v, ok := syncWaitVerdict(r, nil, cur, n); ok {
				ops = append(ops, v)
			}
		case *ast.RangeStmt, *ast.SelectStmt, *ast.UnaryExpr, *ast.SendStmt:
			ops = deadOpAt(r, ops, nil, cur, n)
		}
		return true
	})
	for _, callee := range calls {
		ops = append(ops, calleeDeadOps(r, callee)...)
	}
	r.deadInCallee[fn] = ops
	return ops
}

// foreignLoop finds `go pkg.F(...)` where facts say F loops for ever.
func foreignLoopOf(r *rules, s *spawn) (verdict, bool) {
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
func deadOpAt(r *rules, out []verdict, s *spawn, cur inspector.Cursor, n ast.Node) []verdict {
	switch n := n.(type) {
	case *ast.RangeStmt:
		return deadOp(r, out, s, cur, n, n.X, opRange)
	case *ast.SelectStmt:
		if v, ok := deadSelectOf(r, s, n); ok {
			return append(out, v)
		}
	case *ast.UnaryExpr:
		if n.Op == token.ARROW && commClauseOf(cur) == nil {
			return deadOp(r, out, s, cur, n, n.X, opRecv)
		}
	case *ast.SendStmt:
		if cc, ok := cur.Parent().Node().(*ast.CommClause); !ok || cc.Comm != n {
			return deadOp(r, out, s, cur, n, n.Chan, opSend)
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
func deadOp(r *rules, out []verdict, s *spawn, cur inspector.Cursor, at ast.Node, ch ast.Expr, kind opKind) []verdict {
	op := blockedOp{kind: kind, channel: shortExpr(ch)}
	pattern := UnguardedRecv
	if kind == opSend {
		pattern = UnreadSend
	}
	if dead, ok := r.m.deadNonLocal(ch, kind == opSend); ok {
		return append(out, verdict{pattern: pattern, at: at, spawn: s, why: deadChannel{blockedOp: op, dead: dead}})
	}
	if dead, ok := fillsForever(r, cur, ch, kind); ok {
		return append(out, verdict{pattern: pattern, at: at, spawn: s, why: deadChannel{blockedOp: op, dead: dead}})
	}
	if why, ok := lockedOp(r, cur, at, ch, op); ok {
		return append(out, verdict{pattern: pattern, at: at, spawn: s, why: why})
	}
	return out
}

// fillsForever finds a send, made again and again, on a buffered field
// that nothing in the package receives from: once the buffer is full, the
// send blocks for ever. The send is in a loop, or in a function whose every
// call is in a loop.
func fillsForever(r *rules, cur inspector.Cursor, ch ast.Expr, kind opKind) (deadness, bool) {
	if kind != opSend {
		return deadness{}, false
	}
	field := r.m.fieldOf(ch)
	if field == nil {
		return deadness{}, false
	}
	f := r.m.fieldFlow(field)
	if f == nil || f.escapes || f.defs == 0 || !f.buffered || f.count(func(u *chanUse) bool { return u.kind.receives() }) > 0 {
		return deadness{}, false
	}
	if !repeats(r.x, cur, 0) {
		return deadness{}, false
	}
	return deadness{kind: deadFieldFills, channel: field.Name(), detail: r.x.pkg.Name()}, true
}

// repeats tells whether the code at cur runs in a loop: one around it in
// its function, or around every call of its function (depth bounds how
// far up the calls this looks).
func repeats(x *index, cur inspector.Cursor, depth int) bool {
	for enc := range cur.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		switch n := enc.Node().(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		case *ast.FuncDecl:
			fn, ok := x.info.Defs[n.Name].(*types.Func)
			if !ok || depth >= 2 {
				return false
			}
			calls := x.usesOf(fn)
			for _, id := range calls {
				use := x.cursorOf(id)
				if sel, ok := use.Parent().Node().(*ast.SelectorExpr); ok && sel.Sel == id {
					use = use.Parent()
				}
				if call, ok := use.Parent().Node().(*ast.CallExpr); !ok || call.Fun != use.Node() || !repeats(x, use, depth+1) {
					return false
				}
			}
			return len(calls) > 0
		default:
			return false
		}
	}
	return false
}

// deadSelect finds a select in a goroutine none of whose cases can ever
// proceed.
func deadSelectOf(r *rules, s *spawn, sel *ast.SelectStmt) (verdict, bool) {
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
func loopVerdict(x *index, s *spawn, loop ast.Stmt, call *ast.CallExpr) verdict {
	if ls, ok := loop.(*ast.LabeledStmt); ok {
		loop = ls.Stmt
	}
	why := endlessLoop{loop: loop, via: call}
	if ignoresContext(x, loop) {
		why.ctx = contextInScope(x, loop.Pos())
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

// parentWaits relates, to a verdict on goroutine s, the receives of its
// parent that wait for ever too: on a local channel of the parent that only
// s sends to or closes, after the statement of s where it blocks.
func parentWaits(r *rules, s *spawn, v verdict) []ast.Node {
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
		if l.owner == s.parent && !l.flow.escapes {
			out = append(out, waitsEndedOnlyAfter(r, l.flow, s, after)...)
		}
	}
	return out
}

// waitsEndedOnlyAfter returns the parent's blocking receives on f when
// goroutine s alone sends to or closes f, and only after the statement
// after; nil otherwise.
func waitsEndedOnlyAfter(r *rules, f *chanFlow, s *spawn, after ast.Stmt) []ast.Node {
	var waits []ast.Node
	ended := false
	for i := range f.uses {
		u := &f.uses[i]
		switch {
		case u.kind == opSend || u.kind == opClose:
			if r.gs.spawnOf(u) != s || u.pos() < after.End() {
				return nil
			}
			ended = true
		case u.kind.receives() && u.blocks() && u.place.owner == s.parent && u.via == nil:
			waits = append(waits, u.node)
		}
	}
	if !ended {
		return nil
	}
	return waits
}
