package fix

import (
	"go/ast"
	"go/types"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/rule"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Sends: a select on the context.

// sendSelectFix turns a goroutine's send into a select that also returns
// once a context is cancelled, when the path that abandons the goroutine
// certainly cancels it: it is taken on that context's Done(), or the
// context is derived in the abandoning function, which defers its cancel.
func sendSelectFix(r *rule.Input, uo useOf, why verdict.Reason) *verdict.Fix {
	u := uo.use
	send, ok := u.Node.(*ast.SendStmt)
	if !ok || u.Via != nil || u.Spawn == nil || u.Spawn.Lit == nil || u.InSelect {
		return nil
	}
	if !isStatement(r.X, send) || syntax.EnclosingFunc(r.X.CursorOf(send)) != u.Spawn.Lit {
		return nil // in a deferred literal, say: its return is not the goroutine's
	}
	ctx := syntax.ContextInScope(r.X, send.Pos())
	if ctx == nil || !cancelledOnAbandon(r.X, ctx, uo.local.Owner, why) {
		return doneSelectFix(r, send, u.Spawn, why)
	}
	ret, ok := returnOnCancel(r.X, u.Spawn.Lit, ctx.Name())
	if !ok {
		return nil
	}
	e := &editor{}
	e.insert(send.Pos(), "select {\ncase ")
	e.insert(send.End(), ":\ncase <-"+ctx.Name()+".Done():\n"+ret+"\n}")
	return e.fix(verdict.FixSendSelect, ctx.Name(), "")
}

// doneSelectFix is sendSelectFix for a done channel instead of a context:
// the path that abandons the goroutine is the case that receives from a
// local channel that nothing sends on and something closes, so once that
// case is taken the channel is closed for good, and a select case on it
// lets the goroutine return. Offered only for a goroutine that returns
// nothing, where the channel is in scope.
func doneSelectFix(r *rule.Input, send *ast.SendStmt, s *flow.Spawn, why verdict.Reason) *verdict.Fix {
	ab, ok := why.(verdict.Abandoned)
	if !ok || ab.Path == nil || ab.Path.Choice == nil {
		return nil
	}
	ch, isSend := syntax.CommChannel(ab.Path.Choice)
	id, ok := ast.Unparen(ch).(*ast.Ident)
	if ch == nil || isSend || !ok {
		return nil
	}
	done, ok := r.X.Info.Uses[id].(*types.Var)
	f := r.M.ByVar[done]
	if !ok || f == nil || f.Escapes || f.Defs != 1 || f.Count(func(u *flow.ChanUse) bool { return u.Kind == flow.OpClose }) == 0 ||
		f.Count(func(u *flow.ChanUse) bool { return u.Kind == flow.OpSend }) > 0 {
		return nil
	}
	if _, obj := r.X.Pkg.Scope().Innermost(send.Pos()).LookupParent(done.Name(), send.Pos()); obj != done {
		return nil // not in scope at the send, or shadowed
	}
	if sig, _ := r.X.Info.TypeOf(s.Lit).(*types.Signature); sig == nil || sig.Results().Len() != 0 {
		return nil
	}
	e := &editor{}
	e.insert(send.Pos(), "select {\ncase ")
	e.insert(send.End(), ":\ncase <-"+done.Name()+":\nreturn\n}")
	return e.fix(verdict.FixShutdownSelect, done.Name(), "")
}

// isStatement reports whether n is a statement of a block or a case.
func isStatement(x *syntax.Index, n ast.Stmt) bool {
	cur := x.CursorOf(n)
	if !cur.Valid() {
		return false
	}
	switch cur.Parent().Node().(type) {
	case *ast.BlockStmt, *ast.CaseClause:
		return true
	}
	return false
}

// cancelledOnAbandon reports whether ctx is cancelled whenever owner
// abandons the goroutine: owner derives ctx and defers its cancel, or the
// abandoning path is the case that receives from ctx.Done().
func cancelledOnAbandon(x *syntax.Index, ctx *types.Var, owner ast.Node, why verdict.Reason) bool {
	if ab, ok := why.(verdict.Abandoned); ok && ab.Path != nil && ab.Path.Choice != nil {
		if ch, send := syntax.CommChannel(ab.Path.Choice); ch != nil && !send {
			if call, ok := ast.Unparen(ch).(*ast.CallExpr); ok {
				if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Done" && syntax.ObjectOf(x, sel.X) == ctx {
					return true
				}
			}
		}
	}
	return derivedWithDeferredCancel(x, ctx, owner)
}

// derivedWithDeferredCancel recognises, in owner's body,
//
//	ctx, cancel := context.WithCancel(parent) // or WithTimeout, WithDeadline
//	defer cancel()
func derivedWithDeferredCancel(x *syntax.Index, ctx *types.Var, owner ast.Node) bool {
	body := syntax.BodyOf(owner)
	if body == nil {
		return false
	}
	var cancel types.Object
	for _, stmt := range body.List {
		switch st := stmt.(type) {
		case *ast.AssignStmt:
			if len(st.Lhs) != 2 || len(st.Rhs) != 1 {
				continue
			}
			call, ok := ast.Unparen(st.Rhs[0]).(*ast.CallExpr)
			if !ok {
				continue
			}
			if derives, _ := syntax.WithCancel(syntax.StaticCallee(x.Info, call)); !derives {
				continue
			}
			if id, ok := st.Lhs[0].(*ast.Ident); ok && x.Info.ObjectOf(id) == ctx {
				if c, ok := st.Lhs[1].(*ast.Ident); ok {
					cancel = x.Info.ObjectOf(c)
				}
			}
		case *ast.DeferStmt:
			if id, ok := ast.Unparen(st.Call.Fun).(*ast.Ident); ok && cancel != nil && x.Info.Uses[id] == cancel {
				return x.SoleValue(ctx) != nil
			}
		}
	}
	return false
}

// returnOnCancel is the statement that leaves fn once ctx is cancelled:
// return, or return ctx.Err() when fn returns just an error.
func returnOnCancel(x *syntax.Index, fn ast.Node, ctx string) (string, bool) {
	var sig *types.Signature
	switch fn := fn.(type) {
	case *ast.FuncLit:
		sig, _ = x.Info.TypeOf(fn).(*types.Signature)
	case *ast.FuncDecl:
		if obj, ok := x.Info.Defs[fn.Name].(*types.Func); ok {
			sig = obj.Type().(*types.Signature)
		}
	}
	switch {
	case sig == nil:
		return "", false
	case sig.Results().Len() == 0:
		return "return", true
	case sig.Results().Len() == 1 && types.Identical(sig.Results().At(0).Type(), types.Universe.Lookup("error").Type()):
		return "return " + ctx + ".Err()", true
	}
	return "", false
}
