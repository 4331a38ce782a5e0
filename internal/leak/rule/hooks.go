package rule

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Hooks run by a goroutine's event loop. A function installs a literal in
// a hook, an unexported field of function type that a goroutine of the
// package calls on every turn of its event loop (for { select {...} }, or
// a range over a channel). The literal's code runs on that goroutine, once
// per event, for as long as the goroutine runs: a send in it on an
// unbuffered channel of the function that installed it needs a receive per
// event. When that function receives only a fixed number of times (a test
// that counts a few events and returns), the next event blocks the
// goroutine for ever, and with it everything its loop would have done,
// stopping included.

// hookVerdicts finds such sends.
func hookVerdicts(r *Input) []verdict.Verdict {
	var out []verdict.Verdict
	seen := map[*types.Var]bool{}
	for _, s := range r.Gs.List {
		if !onlyStarted(r, s) {
			continue
		}
		for _, hc := range eventLoopHookCalls(r, s) {
			if seen[hc.field] {
				continue
			}
			seen[hc.field] = true
			hook, ok := model.HookOf(r.X, hc.field)
			if !ok || !valuesInSight(r.X, hook) {
				continue
			}
			for _, v := range hook.Values {
				if lit, ok := ast.Unparen(v.Value).(*ast.FuncLit); ok && v.To != nil {
					out = append(out, hookSendVerdicts(r, s, hc, hook, lit, v.To)...)
				}
			}
		}
	}
	return out
}

// A hookCall is a call of a hook field on a turn of a goroutine's event
// loop.
type hookCall struct {
	field *types.Var
	call  *ast.CallExpr
}

// onlyStarted reports whether the goroutine's code runs only as that
// goroutine: a literal in its go statement, or a function of this package
// that is named only in go statements. Its hook calls then run on it.
func onlyStarted(r *Input, s *flow.Spawn) bool {
	if s.Body == nil || s.Wrapper != nil {
		return false
	}
	if s.Lit != nil {
		return s.LitInStart()
	}
	if s.Callee == nil {
		return false
	}
	for _, id := range r.X.UsesOf(s.Callee) {
		cur := r.X.CursorOf(id)
		if !cur.Valid() {
			return false
		}
		if sel, ok := cur.Parent().Node().(*ast.SelectorExpr); ok && sel.Sel == id {
			cur = cur.Parent()
		}
		call, ok := cur.Parent().Node().(*ast.CallExpr)
		if !ok || call.Fun != cur.Node() {
			return false
		}
		if _, isGo := cur.Parent().Parent().Node().(*ast.GoStmt); !isGo {
			return false
		}
	}
	return true
}

// eventLoopHookCalls lists the calls of unexported function fields in the
// goroutine's own code (not in literals it holds) whose innermost loop is
// an event loop: a for without a condition, or a range over a channel.
func eventLoopHookCalls(r *Input, s *flow.Spawn) []hookCall {
	var out []hookCall
	ast.Inspect(s.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit, *ast.GoStmt, *ast.DeferStmt:
			return false
		case *ast.CallExpr:
			sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr)
			if !ok {
				break
			}
			field, ok := r.X.Info.Uses[sel.Sel].(*types.Var)
			if !ok || !field.IsField() || !syntax.IsFuncType(field.Type()) || !syntax.Hidden(r.X, field) {
				break
			}
			if cur := r.X.CursorOf(n); cur.Valid() && inEventLoop(r.X, cur, s.Body) {
				out = append(out, hookCall{field.Origin(), n})
			}
		}
		return true
	})
	return out
}

// inEventLoop reports whether the innermost loop around cur, inside body,
// runs once per event for as long as events come: a for without a
// condition, or a range over a channel.
func inEventLoop(x *syntax.Index, cur inspector.Cursor, body *ast.BlockStmt) bool {
	for enc := range cur.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		if enc.Node().Pos() < body.Pos() {
			return false
		}
		switch loop := enc.Node().(type) {
		case *ast.ForStmt:
			return loop.Cond == nil
		case *ast.RangeStmt:
			return syntax.IsChan(x.Info.TypeOf(loop.X))
		}
	}
	return false
}

// valuesInSight reports whether every value the hook is given is a
// literal, a function or method named here, or nil: no setter hands it a
// value we cannot follow (a test that later clears the hook through one).
func valuesInSight(x *syntax.Index, hook model.Hook) bool {
	for _, v := range hook.Values {
		switch e := ast.Unparen(v.Value).(type) {
		case *ast.FuncLit:
		case *ast.Ident:
			if !syntax.IsNilIdent(x.Info, e) && syntax.FuncValue(x.Info, e) == nil {
				return false
			}
		default:
			if syntax.FuncValue(x.Info, e) == nil {
				return false
			}
		}
	}
	return true
}

// hookSendVerdicts decides on the blocking sends of lit, installed in the
// hook by the assignment to `to`, on unbuffered channels of the function
// that installs it.
func hookSendVerdicts(r *Input, s *flow.Spawn, hc hookCall, hook model.Hook, lit *ast.FuncLit, to ast.Expr) []verdict.Verdict {
	toCur := r.X.CursorOf(to)
	if !toCur.Valid() {
		return nil
	}
	assign := toCur.Parent().Node()
	place := flow.PlaceAt(toCur)
	owner := place.Owner
	if owner == nil || owner == s.Fn || place.Deferred || place.InLoop {
		return nil
	}
	for _, v := range hook.Values {
		if v.Value != ast.Expr(lit) && owner.Pos() <= v.Value.Pos() && v.Value.Pos() < owner.End() {
			return nil // installed again, or cleared: the literal may be gone before the events come
		}
	}
	var out []verdict.Verdict
	seen := map[*types.Var]bool{}
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.SendStmt:
			id, ok := ast.Unparen(n.Chan).(*ast.Ident)
			if !ok {
				break
			}
			v, ok := r.X.Info.Uses[id].(*types.Var)
			if !ok || seen[v] || v.IsField() || v.Pos() < owner.Pos() || v.Pos() >= owner.End() || lit.Pos() <= v.Pos() && v.Pos() < lit.End() {
				break
			}
			seen[v] = true
			if why, ok := hookSendUnread(r, v, owner, lit, n); ok {
				why.Hook, why.Runner, why.Installed, why.Call = hc.field.Name(), s, assign, hc.call
				out = append(out, verdict.Verdict{Pattern: pattern.UnreadSend, At: n, Spawn: s, Why: why})
			}
		}
		return true
	})
	return out
}

// hookSendUnread decides on send, a send in the hook literal lit on the
// channel v of owner: it blocks, the channel is unbuffered and stays in
// owner's hands, and owner's own code receives from it a fixed number of
// times.
func hookSendUnread(r *Input, v *types.Var, owner ast.Node, lit *ast.FuncLit, send *ast.SendStmt) (verdict.HookSends, bool) {
	f := r.Sum.FlowOf(v, owner)
	if f.Escapes || f.IsNil || f.Made == nil || f.Capacity != 0 {
		return verdict.HookSends{}, false
	}
	var u *flow.ChanUse
	received := 0
	var last ast.Node
	for i := range f.Uses {
		use := &f.Uses[i]
		switch {
		case use.Node == send:
			u = use
		case use.Kind == flow.OpClose:
			return verdict.HookSends{}, false
		case use.Kind.Receives():
			n := receivesPerRun(r.X, use, owner)
			if n == 0 {
				return verdict.HookSends{}, false // received elsewhere, or for as long as it takes
			}
			received = flow.Sat(received + n)
			last = use.Node
		}
	}
	if u == nil || !u.Blocks() || u.Place.Owner != lit || u.Place.Deferred || received >= flow.Many {
		return verdict.HookSends{}, false
	}
	return verdict.HookSends{
		BlockedOp: verdict.BlockedOp{Kind: flow.OpSend, Channel: v.Name(), Unbuffered: true},
		Owner:     owner, Receive: last, Received: received,
	}, true
}

// receivesPerRun bounds how many times the receive u takes a value in one
// run of owner: in owner's own code, or in a local closure that owner only
// calls (check := func() { <-ch }; check(); check()). It returns 0 when
// the receive is elsewhere (a goroutine, a callee) or is a range.
func receivesPerRun(x *syntax.Index, u *flow.ChanUse, owner ast.Node) int {
	if u.Kind != flow.OpRecv || u.Via != nil || u.Place.Deferred {
		return 0
	}
	if u.Place.Owner == owner {
		return flow.TimesRun(x, u.At, owner)
	}
	lit, ok := u.Place.Owner.(*ast.FuncLit)
	if !ok {
		return 0
	}
	calls := closureCalls(x, lit, owner)
	if calls == 0 {
		return 0
	}
	return flow.Sat(calls * flow.TimesRun(x, u.At, lit))
}

// closureCalls bounds how many times owner calls lit, the one value of a
// local variable of owner that owner's own code only calls; 0 when lit is
// anything else.
func closureCalls(x *syntax.Index, lit *ast.FuncLit, owner ast.Node) int {
	cur := x.CursorOf(lit)
	if !cur.Valid() {
		return 0
	}
	var v *types.Var
	switch p := cur.Parent().Node().(type) {
	case *ast.AssignStmt:
		if i := cur.ParentEdgeIndex(); len(p.Lhs) == len(p.Rhs) && i < len(p.Lhs) {
			if id, ok := p.Lhs[i].(*ast.Ident); ok {
				v, _ = x.Info.ObjectOf(id).(*types.Var)
			}
		}
	case *ast.ValueSpec:
		if i := cur.ParentEdgeIndex(); len(p.Names) == len(p.Values) && i < len(p.Names) {
			v, _ = x.Info.Defs[p.Names[i]].(*types.Var)
		}
	}
	if v == nil || x.SoleValue(v) != ast.Expr(lit) {
		return 0
	}
	calls := 0
	for _, m := range x.Mentions(owner, v) {
		id := m.Node().(*ast.Ident)
		if x.Info.Defs[id] == v || id.Pos() == v.Pos() {
			continue
		}
		call, ok := m.Parent().Node().(*ast.CallExpr)
		place := flow.PlaceAt(m)
		if !ok || call.Fun != ast.Expr(id) || place.Owner != owner || place.Deferred {
			return 0
		}
		calls = flow.Sat(calls + flow.TimesRun(x, m, owner))
	}
	return calls
}
