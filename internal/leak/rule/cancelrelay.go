package rule

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/edge"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Cancel relays: a function derives a context (ctx, cancel :=
// context.WithCancel(...)) and starts a goroutine that waits for other
// contexts to end and then calls cancel: it relays their end to ctx (a
// context merged from two, or tied to a caller's). The function also
// hands cancel on (returns it, keeps it, calls or defers it), so ctx can
// end first; the goroutine, with no case on ctx.Done(), then keeps waiting
// for the others, which outlive the function's call: contexts its caller
// gave it, or Background().

// cancelRelayVerdicts finds those goroutines.
func cancelRelayVerdicts(r *Input) []verdict.Verdict {
	var out []verdict.Verdict
	for _, s := range r.Gs.List {
		if s.Lit == nil || s.ProcessLifetime || len(s.Lit.Body.List) < 2 {
			continue
		}
		wait, waited := relayWait(r.X, s.Lit.Body.List[0])
		if wait == nil {
			continue
		}
		cancel, derived := relayedCancel(r.X, s.Lit.Body.List[1:])
		if cancel == nil {
			continue
		}
		outlive := outlivesStarter(r.X, waited, derived)
		if outlive == "" {
			continue
		}
		handoff := handedOn(r.X, cancel, s)
		if handoff == nil {
			continue
		}
		names := make([]string, len(waited))
		for i, ctx := range waited {
			names[i] = syntax.ShortExpr(ctx)
		}
		out = append(out, verdict.Verdict{Pattern: pattern.UnguardedRecv, At: wait, Spawn: s, Why: verdict.RelaysCancel{
			Starter: s.Parent,
			Derived: derived.Name(),
			Cancel:  cancel.Name(),
			Waited:  names,
			Outlive: outlive,
			Handoff: handoff,
		}})
	}
	return out
}

// outlivesStarter tells whose the waited contexts are when each outlives
// the starter's call (see syntax.OutlivesCall) and none is the derived
// one: "its caller's" when one of them is, else the constructor of the
// never-cancelled ones; "" otherwise.
func outlivesStarter(x *syntax.Index, waited []ast.Expr, derived *types.Var) string {
	whose := ""
	for _, ctx := range waited {
		if syntax.ObjectOf(x, ctx) == derived {
			return ""
		}
		w := syntax.OutlivesCall(x, ctx)
		if w == "" {
			return ""
		}
		if whose == "" || w == "its caller's" {
			whose = w
		}
	}
	return whose
}

// relayWait recognises the statement that waits for other contexts: a
// select whose every case receives from a context's Done(), with no
// default and no case that leaves, or a plain <-ctx.Done(). It returns
// the statement to report and the contexts.
func relayWait(x *syntax.Index, stmt ast.Stmt) (ast.Node, []ast.Expr) {
	switch st := stmt.(type) {
	case *ast.ExprStmt:
		if u, ok := ast.Unparen(st.X).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			if ctx := syntax.ContextOfDone(x, u.X); ctx != nil {
				return u, []ast.Expr{ctx}
			}
		}
	case *ast.SelectStmt:
		var waited []ast.Expr
		for _, c := range st.Body.List {
			cc := c.(*ast.CommClause)
			ch, send := syntax.CommChannel(cc)
			if ch == nil || send || len(cc.Body) > 0 {
				return nil, nil // a default, a send, or a case with its own way out
			}
			ctx := syntax.ContextOfDone(x, ch)
			if ctx == nil {
				return nil, nil // another channel: whoever closes it may be the one to stop the goroutine
			}
			waited = append(waited, ctx)
		}
		if len(waited) > 0 {
			return st, waited
		}
	}
	return nil, nil
}

// relayedCancel finds, among the goroutine's statements after its wait,
// a call cancel() of a local variable given the cancel function of
// context.WithCancel (or WithTimeout, WithDeadline, their Cause forms)
// once, together with the context that call derived.
func relayedCancel(x *syntax.Index, stmts []ast.Stmt) (cancel, derived *types.Var) {
	for _, stmt := range stmts {
		call := flow.ExprStmtCall(stmt)
		if call == nil || len(call.Args) > 1 {
			continue
		}
		id, ok := ast.Unparen(call.Fun).(*ast.Ident)
		if !ok {
			continue
		}
		v, ok := x.Info.Uses[id].(*types.Var)
		if !ok || !syntax.IsNamed(v.Type(), "context", "CancelFunc") && !syntax.IsNamed(v.Type(), "context", "CancelCauseFunc") {
			continue
		}
		if ctx := derivedBy(x, v); ctx != nil {
			return v, ctx
		}
	}
	return nil, nil
}

// derivedBy is the context variable that `ctx, cancel :=
// context.WithCancel(parent)` (or one of its kin) gives cancel with, when
// that is cancel's only definition; nil otherwise.
func derivedBy(x *syntax.Index, cancel *types.Var) *types.Var {
	decl := x.CursorAt(cancel.Pos())
	if !decl.Valid() {
		return nil
	}
	as, ok := decl.Parent().Node().(*ast.AssignStmt)
	if !ok || len(as.Lhs) != 2 || len(as.Rhs) != 1 || as.Lhs[1] != decl.Node() {
		return nil
	}
	call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
	if !ok {
		return nil
	}
	if derives, _ := syntax.WithCancel(syntax.StaticCallee(x.Info, call)); !derives {
		return nil
	}
	for _, cur := range x.Mentions(syntax.EnclosingFunc(decl), cancel) {
		if k, _ := cur.ParentEdge(); cur.Node() != decl.Node() && k == edge.AssignStmt_Lhs {
			return nil // given another cancel function later
		}
	}
	id, ok := ast.Unparen(as.Lhs[0]).(*ast.Ident)
	if !ok {
		return nil
	}
	ctx, _ := x.Info.ObjectOf(id).(*types.Var)
	return ctx
}

// handedOn is the first mention of cancel by the starter outside the
// goroutine (not its definition): a return, a defer, a call, a store.
// Each lets the derived context end before the contexts the goroutine
// waits on.
func handedOn(x *syntax.Index, cancel *types.Var, s *flow.Spawn) ast.Node {
	decl := x.CursorAt(cancel.Pos())
	for _, cur := range x.Mentions(syntax.EnclosingFunc(decl), cancel) {
		n := cur.Node()
		if n == decl.Node() || s.Lit.Pos() <= n.Pos() && n.Pos() < s.Lit.End() {
			continue
		}
		for enc := range cur.Enclosing((*ast.ReturnStmt)(nil), (*ast.DeferStmt)(nil), (*ast.ExprStmt)(nil), (*ast.AssignStmt)(nil)) {
			return enc.Node()
		}
		return n
	}
	return nil
}
