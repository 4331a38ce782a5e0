package fix

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Lifecycle contracts: defer the release.

// releaseFix defers the release method right after the statement that
// makes the object (w := New(...)) or starts it (w.Start()), when that
// statement is in the function's own block, outside loops, and the
// method takes no arguments.
func releaseFix(x *syntax.Index, call ast.Node, why verdict.ContractDropped) *verdict.Fix {
	method := ""
	for _, m := range why.Methods {
		if releaseTakesNothing(x, why.Object, m) {
			method = m
			break
		}
	}
	body := syntax.BodyOf(why.Owner)
	if method == "" || body == nil {
		return nil
	}
	for _, m := range x.Mentions(why.Owner, why.Object) {
		if syntax.EnclosingFunc(m) != why.Owner {
			return nil // a function literal uses it, perhaps after the owner returns
		}
	}
	cur := x.CursorOf(call)
	if !cur.Valid() {
		return nil
	}
	stmt, ok := cur.Parent().Node().(ast.Stmt)
	if !ok {
		return nil
	}
	if as, ok := stmt.(*ast.AssignStmt); ok && len(as.Lhs) != 1 {
		return nil // w, err := New(): w may be nil where err is not
	}
	if _, ok := stmt.(*ast.ExprStmt); !ok && why.Method {
		return nil
	}
	for _, st := range body.List {
		if st == stmt {
			e := &editor{}
			e.insert(nextLine(x, stmt), "defer "+why.Object.Name()+"."+method+"()\n")
			return e.fix(verdict.FixDeferRelease, why.Object.Name(), method)
		}
	}
	return nil // in a nested block or a loop
}

// discardedFix defers the release of a starter's discarded result:
// `New(...)` becomes `defer New(...).Close()`, which makes the object at
// once and releases it when the function returns. Offered for a call that
// is a statement of its function's own block, outside loops.
func discardedFix(x *syntax.Index, at ast.Node, why verdict.ContractDiscarded) *verdict.Fix {
	call, ok := at.(*ast.CallExpr)
	if !ok {
		return nil
	}
	cur := x.CursorOf(call)
	if !cur.Valid() {
		return nil
	}
	stmt, ok := cur.Parent().Node().(*ast.ExprStmt)
	if !ok {
		return nil
	}
	body := syntax.BodyOf(syntax.EnclosingFunc(cur))
	if body == nil || !slices.Contains(body.List, ast.Stmt(stmt)) {
		return nil
	}
	t := x.Info.TypeOf(call)
	if t == nil {
		return nil
	}
	obj := types.NewVar(token.NoPos, x.Pkg, "", t)
	for _, m := range why.Methods {
		if releaseTakesNothing(x, obj, m) {
			e := &editor{}
			e.insert(call.Pos(), "defer ")
			e.insert(call.End(), "."+m+"()")
			return e.fix(verdict.FixDeferRelease, why.Starter.Name()+"(...)", m)
		}
	}
	return nil
}

// releaseTakesNothing reports whether the method m of v's type releases
// by its name (Stop, Close, Shutdown...) and takes no arguments. A release
// method named otherwise (Run) may do more than release: no fix defers it.
func releaseTakesNothing(x *syntax.Index, v *types.Var, m string) bool {
	switch strings.ToLower(m) {
	case "stop", "close", "shutdown", "cancel", "release", "rollback", "quit", "terminate", "kill", "halt", "dispose", "unsubscribe", "disconnect":
	default:
		return false
	}
	obj, _, _ := types.LookupFieldOrMethod(v.Type(), true, v.Pkg(), m)
	fn, ok := obj.(*types.Func)
	return ok && fn.Type().(*types.Signature).Params().Len() == 0
}
