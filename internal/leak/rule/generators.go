package rule

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/contract"
	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// generatorVerdicts finds ranges over a generator's channel that can stop
// early: the generator's goroutine then blocks on its next send. A
// generator that stops on its context blocks there until that context is
// done: for ever when nothing cancels it, for the rest of the caller's
// caller's work when it is the caller's own, given on unchanged.
func generatorVerdicts(r *Input) []verdict.Verdict {
	if len(r.Generators.ByFunc) == 0 && !r.Generators.Imported {
		return nil
	}
	var out []verdict.Verdict
	for _, rs := range r.X.Wide().Ranges {
		call, direct := generatorCall(r.X, r.Generators, rs.X)
		if call == nil {
			continue
		}
		fn, fact, local, ctx := generatorOf(r, call, 1) // one receive and the buffer would take it all
		if fact == nil {
			continue
		}
		cur := r.X.CursorOf(rs)
		if !cur.Valid() {
			continue
		}
		var exit ast.Node
		flow.EachLeave(r.Sum, rs.Body, flow.LoopLabel(cur), func(n ast.Node) bool {
			if fact.Context > 0 && leavesOnContextDone(r.X, n, rs, call.Args[fact.Context-1]) {
				return true // the generator's goroutine stops on that very context
			}
			exit = n
			return false
		})
		if exit == nil || syntax.IsCall(exit) {
			continue
		}
		why := verdict.StopsGenerator{Generator: fn, Owner: flow.PlaceAt(cur).Owner, Exit: exit}
		out = append(out, generatorVerdict(rs, why, call, direct, fact, local, ctx))
	}
	return append(out, givenUpGenerators(r)...)
}

// generatorVerdict completes the reason why and makes the verdict at the
// range or select at, for the call of a generator (fact, and local when it
// is this package's) that gives it the context whose ctx says.
func generatorVerdict(at ast.Node, why verdict.StopsGenerator, call *ast.CallExpr, direct bool, fact *contract.FeedsResult, local *contract.GeneratorSummary, ctx string) verdict.Verdict {
	v := verdict.Verdict{Pattern: pattern.UnreadSend, At: at}
	if ctx != "" {
		why.Context, why.ContextArg = ctx, call.Args[fact.Context-1]
	}
	if local != nil {
		v.Spawn, why.Sends = local.Start, local.Sends
	}
	if !direct {
		why.Call = call // the call is elsewhere: relate it
	}
	v.Why = why
	return v
}

// generatorOf is the generator that call calls, what is known of it, and
// whose context the call gives it (see uncancelledContext), when its
// goroutine sends more than its buffer and received receives take; fact
// is nil otherwise, and when the call gives it a context the caller may
// cancel.
func generatorOf(r *Input, call *ast.CallExpr, received int) (*types.Func, *contract.FeedsResult, *contract.GeneratorSummary, string) {
	fn := syntax.StaticCallee(r.X.Info, call)
	fact, local := r.Generators.Of(fn)
	if fact == nil || fact.Result != 0 || int(fact.Sends) <= fact.Capacity+received {
		return nil, nil, nil, ""
	}
	ctx, ok := uncancelledContext(r, fact, call)
	if !ok {
		return nil, nil, nil, ""
	}
	return fn, fact, local, ctx
}

// uncancelledContext tells, for a call of a generator that stops on its
// context (fact.Context), whose context the call gives it when that is one
// the caller cannot cancel (see syntax.OutlivesCall); ok is false when the
// caller may cancel it. For other generators it returns "", true.
func uncancelledContext(r *Input, fact *contract.FeedsResult, call *ast.CallExpr) (string, bool) {
	if fact.Context == 0 {
		return "", true
	}
	if fact.Context > len(call.Args) || call.Ellipsis.IsValid() {
		return "", false
	}
	ctx := syntax.OutlivesCall(r.X, call.Args[fact.Context-1])
	return ctx, ctx != ""
}

// givenUpGenerators finds selects that wait for a generator's channel
// beside a case that gives up for good (a timeout, a context's Done()) and
// leaves: the function never receives from the channel again, and the
// generator's goroutine blocks on its send, even its one send. The
// channel is received nowhere else.
func givenUpGenerators(r *Input) []verdict.Verdict {
	var out []verdict.Verdict
	for _, sel := range r.X.Wide().Selects {
		for _, c := range sel.Body.List {
			cc := c.(*ast.CommClause)
			ch, send := syntax.CommChannel(cc)
			if ch == nil || send {
				continue
			}
			call, direct := generatorCall(r.X, r.Generators, ch)
			if call == nil {
				continue
			}
			fn, fact, local, ctx := generatorOf(r, call, 0)
			if fact == nil {
				continue
			}
			giveUp := leavingGiveUp(r, sel, cc)
			if giveUp == nil || fact.Context > 0 && sameContextDone(r.X, giveUp, call.Args[fact.Context-1]) {
				continue // no way to stop waiting, or the one that also stops the generator
			}
			cur := r.X.CursorOf(sel)
			if !cur.Valid() {
				continue
			}
			why := verdict.StopsGenerator{Generator: fn, Owner: flow.PlaceAt(cur).Owner, Exit: giveUp, GivesUp: true}
			out = append(out, generatorVerdict(sel, why, call, direct, fact, local, ctx))
		}
	}
	return out
}

// isTupleDef tells whether the identifier at cur is the first target of
// an assignment from one call (ch, err = f()).
func isTupleDef(cur inspector.Cursor) bool {
	as, ok := cur.Parent().Node().(*ast.AssignStmt)
	return ok && len(as.Lhs) > 1 && as.Lhs[0] == cur.Node()
}

// leavingGiveUp is the case of sel, other than recv, that gives up for
// good (a timeout, a context's Done()) and then never comes back to the
// select: the select is in no loop of its function, or the case's body
// leaves the function.
func leavingGiveUp(r *Input, sel *ast.SelectStmt, recv *ast.CommClause) *ast.CommClause {
	cur := r.X.CursorOf(sel)
	if !cur.Valid() {
		return nil
	}
	inLoop := false
	for enc := range cur.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncLit)(nil), (*ast.FuncDecl)(nil)) {
		switch enc.Node().(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			inLoop = true
		}
		break
	}
	for _, c := range sel.Body.List {
		cc := c.(*ast.CommClause)
		if cc == recv || !syntax.IsGiveUpChannel(r.X, cc) {
			continue
		}
		if !inLoop || leavesFunction(cc) {
			return cc
		}
	}
	return nil
}

// leavesFunction tells whether a select case's body ends in a return.
func leavesFunction(cc *ast.CommClause) bool {
	if len(cc.Body) == 0 {
		return false
	}
	_, ok := cc.Body[len(cc.Body)-1].(*ast.ReturnStmt)
	return ok
}

// leavesOnContextDone tells whether the leave n of the range rs is in a
// select case that receives from the Done() of the context ctx names: the
// range stops only once that context is done.
func leavesOnContextDone(x *syntax.Index, n ast.Node, rs *ast.RangeStmt, ctx ast.Expr) bool {
	cc := syntax.CaseAround(x, n, rs)
	return cc != nil && sameContextDone(x, cc, ctx)
}

// sameContextDone tells whether the case cc receives from the Done() of
// the context ctx names.
func sameContextDone(x *syntax.Index, cc *ast.CommClause, ctx ast.Expr) bool {
	ch, _ := syntax.CommChannel(cc)
	of := syntax.ContextOfDone(x, ch)
	return of != nil && syntax.ObjectOf(x, of) != nil && syntax.ObjectOf(x, of) == syntax.ObjectOf(x, ctx)
}

// generatorCall returns the call of a function whose first result the
// channel expression ch (ranged over, or received from) is: the call
// itself, or a local variable given it once (v := f(), v, err := f()) and
// used by nothing but ch, since other uses may receive too; direct says
// which.
func generatorCall(x *syntax.Index, g *contract.Generators, ch ast.Expr) (*ast.CallExpr, bool) {
	switch e := ast.Unparen(ch).(type) {
	case *ast.CallExpr:
		return e, true
	case *ast.Ident:
		v, ok := x.Info.Uses[e].(*types.Var)
		if !ok {
			return nil, false
		}
		decl := x.CursorAt(v.Pos())
		if !decl.Valid() {
			return nil, false
		}
		owner := syntax.EnclosingFunc(decl)
		if owner == nil || !givenGeneratorCall(x, g, decl) {
			return nil, false // a package's variable, or one no generator's call declares
		}
		for _, m := range x.Mentions(owner, v) {
			if id := m.Node().(*ast.Ident); id != e && x.Info.Defs[id] != v && !isTupleDef(m) {
				return nil, false
			}
		}
		if call, ok := x.SoleValue(v).(*ast.CallExpr); ok {
			return call, false
		}
		if call, ok := x.TupleSource(v, owner).(*ast.CallExpr); ok {
			return call, false
		}
	}
	return nil, false
}

// givenGeneratorCall tells whether the statement that declares the
// variable at decl calls a generator: a cheap test, made before the walk
// over the variable's uses.
func givenGeneratorCall(x *syntax.Index, g *contract.Generators, decl inspector.Cursor) bool {
	var values []ast.Expr
	switch p := decl.Parent().Node().(type) {
	case *ast.AssignStmt:
		values = p.Rhs
	case *ast.ValueSpec:
		values = p.Values
	}
	for _, e := range values {
		if call, ok := ast.Unparen(e).(*ast.CallExpr); ok {
			if fact, _ := g.Of(syntax.StaticCallee(x.Info, call)); fact != nil {
				return true
			}
		}
	}
	return false
}
