package syntax

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/edge"
)

// What the engine knows of package context, written once.

// NeverCancelled names the constructor ("Background" or "TODO") when e is
// context.Background() or context.TODO(), directly or through a local
// variable given that value once; otherwise it returns "".
func NeverCancelled(x *Index, e ast.Expr) string {
	e = ast.Unparen(e)
	if id, ok := e.(*ast.Ident); ok {
		v, ok := x.Info.Uses[id].(*types.Var)
		if !ok {
			return ""
		}
		if e = x.SoleValue(v); e == nil {
			return ""
		}
	}
	if call, ok := ast.Unparen(e).(*ast.CallExpr); ok {
		if fn := StaticCallee(x.Info, call); IsFunc(fn, "context", "Background", "TODO") {
			return fn.Name()
		}
	}
	return ""
}

// OutlivesCall names why the context e, used in a function, stays alive
// when that function returns: "Background" or "TODO" (see
// [NeverCancelled]), or "its caller's" for a parameter that the function
// never assigns (its caller cancels it, if at all, after the call). It
// returns "" for any other context, which the function may cancel itself.
func OutlivesCall(x *Index, e ast.Expr) string {
	if constructor := NeverCancelled(x, e); constructor != "" {
		return constructor
	}
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return ""
	}
	v, ok := x.Info.Uses[id].(*types.Var)
	if !ok || v.IsField() {
		return ""
	}
	decl := x.CursorAt(v.Pos())
	if !decl.Valid() || !IsParamOrResultIdent(decl) {
		return ""
	}
	for _, cur := range x.Mentions(EnclosingFunc(decl), v) {
		switch p := cur.Parent().Node().(type) {
		case *ast.AssignStmt:
			if k, _ := cur.ParentEdge(); k == edge.AssignStmt_Lhs {
				return "" // ctx, cancel = context.WithCancel(ctx)
			}
		case *ast.UnaryExpr:
			if p.Op == token.AND {
				return ""
			}
		}
	}
	return "its caller's"
}

// ContextOfDone returns ctx when e is ctx.Done() on a context.Context,
// and nil otherwise.
func ContextOfDone(x *Index, e ast.Expr) ast.Expr {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || len(call.Args) != 0 {
		return nil
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Done" || !IsNamed(x.Info.TypeOf(sel.X), "context", "Context") {
		return nil
	}
	return sel.X
}

// NeverDoneContext recognises ctx.Done() of a context that is never
// cancelled (see [NeverCancelled]). It returns the context's expression
// and the function that made it, or "".
func NeverDoneContext(x *Index, e ast.Expr) (ctx, constructor string) {
	of := ContextOfDone(x, e)
	if of == nil {
		return "", ""
	}
	if constructor := NeverCancelled(x, of); constructor != "" {
		return types.ExprString(of), constructor
	}
	return "", ""
}

// cancelFuncs are the functions of package context that derive a context
// and return its cancel function, each with whether the derived context
// ends only when cancelled (or when its parent ends): not the ones that
// also end at a deadline.
var cancelFuncs = map[string]bool{
	"WithCancel":        true,
	"WithCancelCause":   true,
	"WithTimeout":       false,
	"WithTimeoutCause":  false,
	"WithDeadline":      false,
	"WithDeadlineCause": false,
}

// WithCancel reports whether fn derives a context with a cancel function
// (context.WithCancel, WithTimeout, WithDeadline and their Cause forms),
// and whether that context ends only when it is cancelled.
func WithCancel(fn *types.Func) (derives, onlyCancel bool) {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "context" || fn.Signature().Recv() != nil {
		return false, false
	}
	onlyCancel, derives = cancelFuncs[fn.Name()]
	return derives, onlyCancel
}

// TestEnd says how a call of fn ends a test: "fails" for (*testing.T).Fatal,
// Fatalf and FailNow (and those of testing.B, F and TB), "is skipped" for
// Skip, Skipf and SkipNow; "" for any other function.
func TestEnd(fn *types.Func) string {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "testing" {
		return ""
	}
	switch fn.Name() {
	case "Fatal", "Fatalf", "FailNow":
		return "fails"
	case "Skip", "Skipf", "SkipNow":
		return "is skipped"
	}
	return ""
}
