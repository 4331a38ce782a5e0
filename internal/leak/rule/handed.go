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

// Callbacks handed to another package. A function literal given to a
// function of another package (an error handler in an option, a dialer, a
// handler) runs when and where that package decides: on its own
// goroutines, once per event, for as long as they come. A plain send in
// it, on an unbuffered channel of the function that hands it over, needs
// that function to receive. When every receive is a select case beside a
// timeout or a context's Done() on which the function gives up and does
// not come back, the function can stop receiving while the callback still
// runs, and the next send blocks the other package's goroutine for ever.
// Where the function gives up only by failing its test (t.Fatal on the
// timeout), the goroutine leaks only when the test fails: the testleak
// pattern.
//
// The callback cannot be one the callee runs in place before the receive:
// its unbuffered send would block its own caller, so code that works runs
// it later, on another goroutine.

// handedVerdicts finds such sends. Only the declarations that hand a
// function to a callee can hold one (syntax.Index.Spawners lists them),
// so the others are not walked.
func handedVerdicts(r *Input) []verdict.Verdict {
	var out []verdict.Verdict
	decided := map[*types.Var]bool{}
	for _, d := range r.X.Spawners {
		decl, ok := d.(*ast.FuncDecl)
		if !ok || decl.Body == nil {
			continue
		}
		for cur := range r.X.DeclCursor(decl).Preorder((*ast.SendStmt)(nil)) {
			send := cur.Node().(*ast.SendStmt)
			id, ok := ast.Unparen(send.Chan).(*ast.Ident)
			if !ok {
				continue
			}
			v, ok := r.X.Info.Uses[id].(*types.Var)
			if !ok || v.IsField() || decided[v] {
				continue
			}
			decided[v] = true
			out = append(out, handedSends(r, v, cur)...)
		}
	}
	return out
}

// handedSends decides on the channel v, which the send at cur names: v is
// an unbuffered channel made by one function, sent on only by callbacks
// that function hands to other packages, and received only in that
// function's own selects that can give up for good.
func handedSends(r *Input, v *types.Var, cur inspector.Cursor) []verdict.Verdict {
	lit, ok := flow.PlaceAt(cur).Owner.(*ast.FuncLit)
	if !ok {
		return nil
	}
	litCur := r.X.CursorOf(lit)
	if !litCur.Valid() {
		return nil
	}
	owner := flow.PlaceAt(litCur.Parent()).Owner
	if owner == nil || v.Pos() < owner.Pos() || v.Pos() >= owner.End() || !unbufferedMake(r.X, v) {
		return nil
	}
	type sent struct {
		send   *ast.SendStmt
		handed *ast.CallExpr
	}
	var sends []sent
	var receive ast.Node
	var giveUp *ast.CommClause
	handedBy := map[*ast.FuncLit]*ast.CallExpr{}
	for _, m := range r.X.Mentions(owner, v) {
		id := m.Node().(*ast.Ident)
		if r.X.Info.Defs[id] == v {
			continue
		}
		place := flow.PlaceAt(m)
		if place.Deferred {
			return nil
		}
		switch p := m.Parent().Node().(type) {
		case *ast.SendStmt:
			lit, ok := place.Owner.(*ast.FuncLit)
			if !ok || p.Chan != ast.Expr(id) || isSelectComm(m.Parent()) {
				return nil
			}
			call, seen := handedBy[lit]
			if !seen {
				call = handingCall(r, lit, owner)
				handedBy[lit] = call
			}
			if call == nil {
				return nil
			}
			sends = append(sends, sent{p, call})
		case *ast.UnaryExpr:
			if p.Op != token.ARROW || place.Owner != owner {
				return nil
			}
			cc := flow.CommClauseOf(m.Parent())
			if cc == nil {
				return nil
			}
			if failsTest(r.X, cc) {
				return nil // a test that asserts nothing comes: the callback is not expected to run
			}
			sel := r.X.CursorOf(cc).Parent().Parent().Node().(*ast.SelectStmt)
			leave := leavingGiveUp(r, sel, cc)
			if leave == nil {
				return nil
			}
			if receive == nil {
				receive, giveUp = p, leave
			}
		default:
			return nil // closed, passed on, stored, compared: the channel is not only the callback's and the function's
		}
	}
	if receive == nil {
		return nil
	}
	var out []verdict.Verdict
	for _, s := range sends {
		why := verdict.HandedCallback{
			BlockedOp: verdict.BlockedOp{Kind: flow.OpSend, Channel: v.Name(), Unbuffered: true},
			Callee:    types.ExprString(s.handed.Fun),
			Handed:    s.handed,
			Owner:     owner,
			Receive:   receive,
			GiveUp:    giveUp,
		}
		v := verdict.Verdict{Pattern: pattern.UnreadSend, At: s.send, Why: why}
		if failsTest(r.X, giveUp) {
			v.Pattern = pattern.TestFailure // the function gives up only when its test fails
		}
		out = append(out, v)
	}
	return out
}

// unbufferedMake tells whether the local variable v is given one value,
// make(chan T) without a buffer.
func unbufferedMake(x *syntax.Index, v *types.Var) bool {
	call, ok := ast.Unparen(x.SoleValue(v)).(*ast.CallExpr)
	if !ok {
		return false
	}
	capacity, ok := flow.MakeChanCap(x, call)
	return ok && capacity == 0
}

// isSelectComm tells whether the statement at cur is the communication of
// a select case.
func isSelectComm(cur inspector.Cursor) bool {
	cc, ok := cur.Parent().Node().(*ast.CommClause)
	return ok && cc.Comm == cur.Node()
}

// failsTest tells whether the select case cc ends the test in its own
// statements (t.Fatal, require), or marks it failed and returns.
func failsTest(x *syntax.Index, cc *ast.CommClause) bool {
	for _, st := range cc.Body {
		if model.EndsTest(x, st) != "" {
			return true
		}
	}
	if n := len(cc.Body); n > 0 {
		if _, ok := cc.Body[n-1].(*ast.ReturnStmt); ok {
			return marksFailedBefore(x, cc.Body, n-1)
		}
	}
	return false
}

// handingCall is the call by which owner hands lit to a function of
// another package: lit is one of its arguments, or the one value of a
// local variable of owner that owner only passes to such calls (and
// there is one). Nil otherwise, and for calls that start the literal as
// a goroutine (the rules on goroutines follow those) or that belong to
// package testing, which runs its callbacks in place or after the test.
func handingCall(r *Input, lit *ast.FuncLit, owner ast.Node) *ast.CallExpr {
	if r.Gs.ByNode[lit] != nil {
		return nil
	}
	cur := r.X.CursorOf(lit)
	if !cur.Valid() {
		return nil
	}
	if call := otherPackageCallOf(r, cur); call != nil {
		return call
	}
	var v *types.Var
	switch p := cur.Parent().Node().(type) {
	case *ast.AssignStmt:
		if i := cur.ParentEdgeIndex(); p.Tok == token.DEFINE && len(p.Lhs) == len(p.Rhs) && i < len(p.Lhs) {
			if id, ok := p.Lhs[i].(*ast.Ident); ok {
				v, _ = r.X.Info.Defs[id].(*types.Var)
			}
		}
	case *ast.ValueSpec:
		if i := cur.ParentEdgeIndex(); len(p.Names) == len(p.Values) && i < len(p.Names) {
			v, _ = r.X.Info.Defs[p.Names[i]].(*types.Var)
		}
	}
	if v == nil || r.X.SoleValue(v) != ast.Expr(lit) {
		return nil
	}
	var first *ast.CallExpr
	for _, m := range r.X.Mentions(owner, v) {
		if r.X.Info.Defs[m.Node().(*ast.Ident)] == v {
			continue
		}
		call := otherPackageCallOf(r, m)
		if call == nil {
			return nil
		}
		if first == nil {
			first = call
		}
	}
	return first
}

// otherPackageCallOf is the call whose argument the expression at cur is,
// when its callee is a function or method of another package than
// testing's; nil otherwise.
func otherPackageCallOf(r *Input, cur inspector.Cursor) *ast.CallExpr {
	call, ok := cur.Parent().Node().(*ast.CallExpr)
	if !ok || ast.Unparen(call.Fun) == cur.Node() {
		return nil
	}
	fn := syntax.StaticCallee(r.X.Info, call)
	if fn == nil {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			fn, _ = r.X.Info.Uses[sel.Sel].(*types.Func) // an interface method
		}
	}
	if fn == nil || fn.Pkg() == nil || fn.Pkg() == r.X.Pkg || fn.Pkg().Path() == "testing" {
		return nil
	}
	return call
}
