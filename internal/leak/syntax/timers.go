package syntax

import (
	"go/ast"
	"go/token"
	"go/types"
)

// What the engine knows of package time's timers.

// AfterFuncTimerC recognises t.C where every timer t can hold was made by
// time.AfterFunc (or is nil). Such a timer runs its function instead of
// sending: its C is nil, so a receive from it waits for ever. It returns
// one AfterFunc call that made the timer, or nil. The timer is followed
// through local variables and through the parameter of a function literal
// that a local variable holds and that is only ever called.
func AfterFuncTimerC(x *Index, ch ast.Expr) *ast.CallExpr {
	sel, ok := ast.Unparen(ch).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "C" || !IsNamed(x.Info.TypeOf(sel.X), "time", "Timer") {
		return nil
	}
	if CheckedNonNil(x, ch) {
		return nil // if t.C != nil { <-t.C }: the receive is skipped
	}
	return afterFuncTimer(x, sel.X, 0)
}

// CheckedNonNil reports whether e sits in the then-branch of an if whose
// condition requires e != nil (alone, or as one operand of &&).
func CheckedNonNil(x *Index, e ast.Expr) bool {
	cur := x.CursorOf(e)
	if !cur.Valid() {
		return false
	}
	want := types.ExprString(e)
	for enc := range cur.Enclosing((*ast.IfStmt)(nil)) {
		ifStmt := enc.Node().(*ast.IfStmt)
		if e.Pos() < ifStmt.Body.Pos() || e.End() > ifStmt.Body.End() {
			continue
		}
		for _, term := range conjuncts(ifStmt.Cond) {
			if operand := NonNilOperand(x.Info, term); operand != nil && types.ExprString(operand) == want {
				return true
			}
		}
	}
	return false
}

// NonNilOperand returns x when cond is x != nil (or nil != x), and nil
// otherwise.
func NonNilOperand(info *types.Info, cond ast.Expr) ast.Expr {
	b, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok || b.Op != token.NEQ {
		return nil
	}
	switch {
	case IsNilIdent(info, b.Y):
		return b.X
	case IsNilIdent(info, b.X):
		return b.Y
	}
	return nil
}

// conjuncts splits a && b && c into its operands.
func conjuncts(cond ast.Expr) []ast.Expr {
	if b, ok := ast.Unparen(cond).(*ast.BinaryExpr); ok && b.Op == token.LAND {
		return append(conjuncts(b.X), conjuncts(b.Y)...)
	}
	return []ast.Expr{ast.Unparen(cond)}
}

// maxTimerHops bounds how many variables afterFuncTimer follows.
const maxTimerHops = 4

func afterFuncTimer(x *Index, e ast.Expr, hops int) *ast.CallExpr {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		if IsFunc(StaticCallee(x.Info, e), "time", "AfterFunc") {
			return e
		}
	case *ast.Ident:
		v, ok := x.Info.Uses[e].(*types.Var)
		if !ok || hops == maxTimerHops {
			return nil
		}
		values, ok := x.ValuesOf(v)
		if !ok {
			if values, ok = x.ArgumentsOf(v); !ok {
				return nil
			}
		}
		var made *ast.CallExpr
		for _, value := range values {
			if value == nil || IsNilIdent(x.Info, value) {
				continue // a nil timer: t.C panics, which is no wait
			}
			if made = afterFuncTimer(x, value, hops+1); made == nil {
				return nil
			}
		}
		return made
	}
	return nil
}

// IsGiveUpChannel recognises a select case that receives from
// time.After(d), a timer's C or a context's Done().
func IsGiveUpChannel(x *Index, cc *ast.CommClause) bool {
	ch, send := CommChannel(cc)
	if ch == nil || send {
		return false
	}
	switch e := ast.Unparen(ch).(type) {
	case *ast.CallExpr:
		if IsFunc(StaticCallee(x.Info, e), "time", "After") {
			return true
		}
		if sel, ok := ast.Unparen(e.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Done" {
			return IsNamed(x.Info.TypeOf(sel.X), "context", "Context")
		}
	case *ast.SelectorExpr:
		return e.Sel.Name == "C" && IsNamed(x.Info.TypeOf(e.X), "time", "Timer")
	}
	return false
}
