package rule

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Rules on the code of each goroutine, for what does not depend on a local
// channel: endless loops, selects that can never proceed, and receives
// from channels that can never be ready.

// bodyVerdicts walks the code of each goroutine.
func bodyVerdicts(r *Input) []verdict.Verdict {
	var out []verdict.Verdict
	walked := map[*ast.BlockStmt]bool{}
	deadInCallee := map[ast.Node][]verdict.Verdict{} // what blocks for ever in each callee, found once
	for _, s := range r.Gs.List {
		first := len(out)
		if s.Body == nil {
			if v, ok := foreignLoopOf(r, s); ok {
				out = append(out, v)
			}
			continue
		}
		if s.Lit == nil && !s.ProcessLifetime {
			if l := r.Sum.ForeverLoop(s.Callee); l != nil && l.Via != nil {
				out = append(out, loopVerdict(r.X, s, l.Loop, l.Via))
			}
		}
		var root inspector.Cursor
		var ok bool
		if s.LitInStart() {
			root, ok = s.Cur.FindNode(s.Body) // within the go statement: cheap
		} else if !walked[s.Body] {
			walked[s.Body] = true // a named function started from many places is walked once
			root = r.X.CursorOf(s.Body)
			ok = root.Valid()
		}
		if !ok {
			continue
		}
		var calls []*ast.CallExpr // calls of this package's functions, followed below
		root.Inspect(nil, func(cur inspector.Cursor) bool {
			switch n := cur.Node().(type) {
			case *ast.CallExpr:
				if target := r.Targets.OneTarget(n); target != nil && target != s.Fn {
					calls = append(calls, n)
				}
				if v, ok := syncWaitVerdict(r, s, cur, n); ok {
					out = append(out, v)
				}
			case *ast.FuncLit:
				return flow.IsCalledInPlace(cur)
			case *ast.GoStmt:
				return false // a goroutine of its own
			case *ast.LabeledStmt, *ast.ForStmt, *ast.RangeStmt:
				if _, labelled := cur.Parent().Node().(*ast.LabeledStmt); labelled {
					break // checked with its label
				}
				if loop := flow.EndlessLoopStmt(r.Sum, n.(ast.Stmt)); loop != nil && !s.ProcessLifetime {
					out = append(out, loopVerdict(r.X, s, loop, nil))
					return false
				}
				if rs, ok := n.(*ast.RangeStmt); ok {
					out = deadOpAt(r, out, s, cur, rs)
				}
			case *ast.ExprStmt:
				if call := flow.ExprStmtCall(n); call != nil && !s.ProcessLifetime {
					if callee := syntax.StaticCallee(r.X.Info, call); callee != nil {
						if l := r.Sum.ForeverLoop(callee); l != nil {
							out = append(out, loopVerdict(r.X, s, l.Loop, call))
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
			for _, v := range calleeDeadOps(r, deadInCallee, r.Targets.OneTarget(call)) {
				v.Spawn, v.Through = s, call
				out = append(out, v)
			}
		}
		for i := first; i < len(out); i++ {
			out[i].AlsoWaits = parentWaits(r, s, out[i])
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
func calleeDeadOps(r *Input, memo map[ast.Node][]verdict.Verdict, fn ast.Node) []verdict.Verdict {
	if ops, ok := memo[fn]; ok {
		return ops
	}
	memo[fn] = nil // recursion adds nothing
	root := r.X.CursorOf(syntax.BodyOf(fn))
	if !root.Valid() {
		return nil
	}
	var ops []verdict.Verdict
	var calls []ast.Node
	root.Inspect(nil, func(cur inspector.Cursor) bool {
		switch n := cur.Node().(type) {
		case *ast.FuncLit:
			return flow.IsCalledInPlace(cur)
		case *ast.GoStmt:
			return false // a goroutine of its own
		case *ast.CallExpr:
			if target := r.Targets.OneTarget(n); target != nil {
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
		ops = append(ops, calleeDeadOps(r, memo, callee)...)
	}
	memo[fn] = ops
	return ops
}

// foreignLoop finds `go pkg.F(...)` where facts say F loops for ever.
func foreignLoopOf(r *Input, s *flow.Spawn) (verdict.Verdict, bool) {
	if s.Callee == nil || s.ProcessLifetime {
		return verdict.Verdict{}, false
	}
	fact, ok := flow.ImportedLoop(r.Sum, s.Callee)
	if !ok {
		return verdict.Verdict{}, false
	}
	return verdict.Verdict{Pattern: pattern.EndlessLoop, At: s.Start, Spawn: s,
		Why: verdict.ForeignLoop{Callee: s.Callee, IgnoresContext: fact.IgnoresContext}}, true
}

// deadOpAt adds the verdict on the channel operation n at cur (a range, a
// select, a receive or a send) when it can never proceed: see deadOp and
// deadSelect. Receives and sends that are select cases are the select's.
func deadOpAt(r *Input, out []verdict.Verdict, s *flow.Spawn, cur inspector.Cursor, n ast.Node) []verdict.Verdict {
	switch n := n.(type) {
	case *ast.RangeStmt:
		return deadOp(r, out, s, cur, n, n.X, flow.OpRange)
	case *ast.SelectStmt:
		if v, ok := deadSelectOf(r, s, n); ok {
			return append(out, v)
		}
	case *ast.UnaryExpr:
		if n.Op == token.ARROW && flow.CommClauseOf(cur) == nil {
			return deadOp(r, out, s, cur, n, n.X, flow.OpRecv)
		}
	case *ast.SendStmt:
		if cc, ok := cur.Parent().Node().(*ast.CommClause); !ok || cc.Comm != n {
			return deadOp(r, out, s, cur, n, n.Chan, flow.OpSend)
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
func deadOp(r *Input, out []verdict.Verdict, s *flow.Spawn, cur inspector.Cursor, at ast.Node, ch ast.Expr, kind flow.OpKind) []verdict.Verdict {
	op := verdict.BlockedOp{Kind: kind, Channel: syntax.ShortExpr(ch)}
	pat := pattern.UnguardedRecv
	if kind == flow.OpSend {
		pat = pattern.UnreadSend
	}
	if dead, ok := r.M.DeadNonLocal(ch, kind == flow.OpSend); ok {
		return append(out, verdict.Verdict{Pattern: pat, At: at, Spawn: s, Why: verdict.DeadChannel{BlockedOp: op, Dead: dead}})
	}
	if dead, ok := fillsForever(r, cur, ch, kind); ok {
		return append(out, verdict.Verdict{Pattern: pat, At: at, Spawn: s, Why: verdict.DeadChannel{BlockedOp: op, Dead: dead}})
	}
	if dead, ok := rangesForever(r, s, cur, ch, kind); ok {
		return append(out, verdict.Verdict{Pattern: pat, At: at, Spawn: s, Why: verdict.DeadChannel{BlockedOp: op, Dead: dead}})
	}
	if why, ok := lockedOp(r, cur, at, ch, op); ok {
		return append(out, verdict.Verdict{Pattern: pat, At: at, Spawn: s, Why: why})
	}
	return out
}

// fillsForever finds a send, made again and again, on a buffered field
// that nothing in the package receives from: once the buffer is full, the
// send blocks for ever. The send is in a loop, or in a function whose every
// call is in a loop.
func fillsForever(r *Input, cur inspector.Cursor, ch ast.Expr, kind flow.OpKind) (model.Deadness, bool) {
	if kind != flow.OpSend {
		return model.Deadness{}, false
	}
	field := r.M.FieldOf(ch)
	if field == nil {
		return model.Deadness{}, false
	}
	f := r.M.FieldFlow(field)
	if f == nil || f.Escapes || f.Defs == 0 || !f.Buffered || f.Count(func(u *flow.ChanUse) bool { return u.Kind.Receives() }) > 0 {
		return model.Deadness{}, false
	}
	if !repeats(r.X, cur, 0) {
		return model.Deadness{}, false
	}
	return model.Deadness{Kind: model.DeadFieldFills, Channel: field.Name(), Detail: r.X.Pkg.Name()}, true
}

// rangesForever finds a range, by a goroutine that does not live as long
// as the process, over an unexported field (or package-level channel)
// that the package sends on but never closes, with no other way out of the loop: once the last value is
// received, the range waits for ever. (A field nothing sends on either is
// deadField's.) Ranges in callees are left out: whether the goroutine
// that reaches them lives for ever is not known there.
func rangesForever(r *Input, s *flow.Spawn, cur inspector.Cursor, ch ast.Expr, kind flow.OpKind) (model.Deadness, bool) {
	if kind != flow.OpRange || s == nil || s.ProcessLifetime {
		return model.Deadness{}, false
	}
	field := r.M.FieldOf(ch)
	if field == nil {
		field = r.M.PackageVarOf(ch)
	}
	if field == nil {
		return model.Deadness{}, false
	}
	f := r.M.FieldFlow(field)
	if f == nil || f.Escapes || f.Defs == 0 || f.Count(func(u *flow.ChanUse) bool { return u.Kind == flow.OpClose }) > 0 {
		return model.Deadness{}, false
	}
	if flow.FirstLeave(r.Sum, cur.Node().(*ast.RangeStmt).Body, flow.LoopLabel(cur)) != nil {
		return model.Deadness{}, false
	}
	what := "field " + field.Name()
	if !field.IsField() {
		what = "package variable " + field.Name()
	}
	return model.Deadness{Kind: model.DeadFieldNeverClosed, Channel: what, Detail: r.X.Pkg.Name()}, true
}

// repeats tells whether the code at cur runs in a loop: one around it in
// its function, or around every call of its function (depth bounds how
// far up the calls this looks).
func repeats(x *syntax.Index, cur inspector.Cursor, depth int) bool {
	for enc := range cur.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		switch n := enc.Node().(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		case *ast.FuncDecl:
			fn, ok := x.Info.Defs[n.Name].(*types.Func)
			if !ok || depth >= 2 {
				return false
			}
			calls := x.UsesOf(fn)
			for _, id := range calls {
				use := x.CursorOf(id)
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

// deadSelectOf finds a select in a goroutine none of whose cases can ever
// proceed.
func deadSelectOf(r *Input, s *flow.Spawn, sel *ast.SelectStmt) (verdict.Verdict, bool) {
	if len(sel.Body.List) == 0 {
		return verdict.Verdict{Pattern: pattern.UnguardedRecv, At: sel, Spawn: s, Why: verdict.EmptySelect{}}, true
	}
	var cases []model.Deadness
	for _, clause := range sel.Body.List {
		cc := clause.(*ast.CommClause)
		if cc.Comm == nil {
			return verdict.Verdict{}, false // default
		}
		dead, ok := r.M.DeadCase(cc)
		if !ok {
			return verdict.Verdict{}, false
		}
		cases = append(cases, dead)
	}
	return verdict.Verdict{Pattern: pattern.UnguardedRecv, At: sel, Spawn: s, Why: verdict.DeadSelect{Cases: cases}}, true
}

// loopVerdict is the verdict on an endless loop run by goroutine s,
// reached through call when the loop is in a callee. When a context in
// scope is never checked, it says so (package fix offers the fix).
func loopVerdict(x *syntax.Index, s *flow.Spawn, loop ast.Stmt, call *ast.CallExpr) verdict.Verdict {
	if ls, ok := loop.(*ast.LabeledStmt); ok {
		loop = ls.Stmt
	}
	why := verdict.EndlessLoop{Loop: loop, Via: call}
	if flow.IgnoresContext(x, loop) {
		why.Ctx = syntax.ContextInScope(x, loop.Pos())
	}
	return verdict.Verdict{Pattern: pattern.EndlessLoop, At: loop, Spawn: s, Why: why}
}

// parentWaits relates, to a verdict on goroutine s, the receives of its
// parent that wait for ever too: on a local channel of the parent that only
// s sends to or closes, after the statement of s where it blocks.
func parentWaits(r *Input, s *flow.Spawn, v verdict.Verdict) []ast.Node {
	if s == nil || s.Body == nil || s.Parent == nil {
		return nil
	}
	blocked := v.At
	if v.Through != nil {
		blocked = v.Through
	}
	var after ast.Stmt
	for _, st := range s.Body.List {
		if st.Pos() <= blocked.Pos() && blocked.End() <= st.End() {
			after = st
		}
	}
	if after == nil {
		return nil
	}
	var out []ast.Node
	for _, l := range r.M.Locals {
		if l.Owner == s.Parent && !l.Flow.Escapes {
			out = append(out, waitsEndedOnlyAfter(r, l.Flow, s, after)...)
		}
	}
	return out
}

// waitsEndedOnlyAfter returns the parent's blocking receives on f when
// goroutine s alone sends to or closes f, and only after the statement
// after; nil otherwise.
func waitsEndedOnlyAfter(r *Input, f *flow.ChanFlow, s *flow.Spawn, after ast.Stmt) []ast.Node {
	var waits []ast.Node
	ended := false
	for i := range f.Uses {
		u := &f.Uses[i]
		switch {
		case u.Kind == flow.OpSend || u.Kind == flow.OpClose:
			if r.Gs.SpawnOf(u) != s || u.Pos() < after.End() {
				return nil
			}
			ended = true
		case u.Kind.Receives() && u.Blocks() && u.Place.Owner == s.Parent && u.Via == nil:
			waits = append(waits, u.Node)
		}
	}
	if !ended {
		return nil
	}
	return waits
}
