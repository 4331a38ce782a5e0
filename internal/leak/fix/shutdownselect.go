package fix

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/rule"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Sends stranded by shutdown: a case on the stop channel.

// shutdownSelectFix turns a plain send x.f <- v that shutdown strands
// into a select that also returns once the receiver's loop has stopped:
// a case on the stop field x.stop that loop returns on, when nothing in
// the package sends on x.stop (only a close, which wakes every waiter,
// ends it) and it is given one value; or a case on ctx.Done() when the
// loop returns on the very ctx that is in scope at the send. Before
// shutdown the new case is never ready, so the select is the send;
// after it the send could only block for ever. When shutdown sends on
// x.stop (a case on it would take the signal), the case is on the field
// the stop case closes as it returns, closed nowhere else (etcd #6857's
// n.done). Offered when the send is a statement of the function it
// returns from, which returns nothing (or, for a context, just an error),
// or values no caller can see (resultsUnobserved), returned as zeros; and
// the stop case does not receive from x.f itself (a drain would take the
// value).
func shutdownSelectFix(r *rule.Input, at ast.Node, why verdict.AfterShutdown) *verdict.Fix {
	send, ok := at.(*ast.SendStmt)
	if !ok || why.StopCase == nil || !isStatement(r.X, send) {
		return nil
	}
	sel, ok := ast.Unparen(send.Chan).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	base, ok := ast.Unparen(sel.X).(*ast.Ident)
	if !ok || r.X.Info.Uses[base] == nil {
		return nil
	}
	field := syntax.ObjectOf(r.X, send.Chan)
	if field == nil || rule.MentionsObj(r.X, why.StopCase, field) {
		return nil
	}
	cur := r.X.CursorOf(send)
	fn := syntax.EnclosingFunc(cur)
	if !cur.Valid() || fn == nil {
		return nil
	}
	stopCh, _ := syntax.CommChannel(why.StopCase)
	var done, ret, subject string
	kind := verdict.FixShutdownSelect
	if ctxExpr := syntax.ContextOfDone(r.X, stopCh); ctxExpr != nil {
		id, ok := ast.Unparen(ctxExpr).(*ast.Ident)
		if !ok {
			return nil
		}
		ctx, ok := r.X.Info.Uses[id].(*types.Var)
		if !ok || lookupAt(r.X, send.Pos(), ctx.Name()) != ctx {
			return nil // another context, or none, at the send
		}
		if ret, ok = returnOnCancel(r.X, fn, ctx.Name()); !ok {
			return nil
		}
		done, subject, kind = ctx.Name()+".Done()", ctx.Name(), verdict.FixSendSelect
	} else {
		// The stop field itself, closed only; or, when shutdown sends on
		// it, the field the stop case closes as the loop returns.
		stop := closedOnlyField(r, stopCh)
		if stop == nil {
			stop = closedOnStop(r, why.StopCase)
		}
		if stop == nil {
			return nil
		}
		// x.stop must name the stop field of the struct x is.
		obj, index, _ := types.LookupFieldOrMethod(r.X.Info.TypeOf(sel.X), true, r.X.Pkg, stop.Name())
		if v, ok := obj.(*types.Var); !ok || v.Origin() != stop || len(index) != 1 {
			return nil
		}
		sig, ok := signatureOf(r.X, fn)
		if !ok {
			return nil
		}
		ret = "return"
		if sig.Results().Len() != 0 {
			// Zero values, only where no caller can see them.
			decl, ok := fn.(*ast.FuncDecl)
			if !ok || !resultsUnobserved(r.X, decl) {
				return nil
			}
			zeros, ok := zeroResults(r.X, sig)
			if !ok {
				return nil
			}
			ret += " " + zeros
		}
		done, subject = base.Name+"."+stop.Name(), base.Name+"."+stop.Name()
	}
	e := &editor{}
	e.insert(send.Pos(), "select {\ncase ")
	e.insert(send.End(), ":\ncase <-"+done+":\n"+ret+"\n}")
	return e.fix(kind, subject, "")
}

// closedOnlyField is the unexported channel field ch selects when the
// package only ever closes it and receives from it, and gives it one
// value: a receive from it waits until it is closed, and then never
// again. Nil otherwise.
func closedOnlyField(r *rule.Input, ch ast.Expr) *types.Var {
	sel, ok := ast.Unparen(ch).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	field, ok := r.X.Info.Uses[sel.Sel].(*types.Var)
	if !ok || !field.IsField() {
		return nil
	}
	f := r.M.FieldFlow(field)
	if f == nil || f.Escapes || f.Defs != 1 {
		return nil
	}
	closes := 0
	for i := range f.Uses {
		switch f.Uses[i].Kind {
		case flow.OpSend:
			return nil
		case flow.OpClose:
			closes++
		}
	}
	if closes == 0 {
		return nil
	}
	return field.Origin()
}

// lookupAt is the object name denotes at pos.
func lookupAt(x *syntax.Index, pos token.Pos, name string) types.Object {
	scope := x.Pkg.Scope().Innermost(pos)
	if scope == nil {
		return nil
	}
	_, obj := scope.LookupParent(name, pos)
	return obj
}

// signatureOf is the signature of a function declaration or literal.
func signatureOf(x *syntax.Index, fn ast.Node) (*types.Signature, bool) {
	switch fn := fn.(type) {
	case *ast.FuncLit:
		sig, ok := x.Info.TypeOf(fn).(*types.Signature)
		return sig, ok
	case *ast.FuncDecl:
		if obj, ok := x.Info.Defs[fn.Name].(*types.Func); ok {
			return obj.Type().(*types.Signature), true
		}
	}
	return nil, false
}
