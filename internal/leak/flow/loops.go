package flow

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"golang.org/x/tools/go/ast/inspector"
)

// MayLeave reports whether stmt contains a return statement outside of
// nested function literals.
func MayLeave(stmt ast.Stmt) bool {
	found := false
	ast.Inspect(stmt, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.ReturnStmt:
			found = true
		case *ast.FuncLit:
			return false
		}
		return !found
	})
	return found
}

func ExprStmtCall(stmt ast.Stmt) *ast.CallExpr {
	if es, ok := stmt.(*ast.ExprStmt); ok {
		if call, ok := ast.Unparen(es.X).(*ast.CallExpr); ok {
			return call
		}
	}
	return nil
}

// EndlessLoopStmt returns stmt (or the loop it labels) when it is a loop
// that nothing can end: no condition, no return, no break or goto out, no
// panic and no call that does not return.
func EndlessLoopStmt(sum *Summaries, stmt ast.Stmt) ast.Stmt {
	label := ""
	if ls, ok := stmt.(*ast.LabeledStmt); ok {
		label, stmt = ls.Label.Name, ls.Stmt
	}
	var body *ast.BlockStmt
	switch loop := stmt.(type) {
	case *ast.ForStmt:
		if loop.Cond != nil && !isConstTrue(sum.X, loop.Cond) {
			return nil
		}
		body = loop.Body
	case *ast.RangeStmt:
		if !isTickChannel(sum.X, loop.X) {
			return nil
		}
		body = loop.Body
	default:
		return nil
	}
	if canLeave(sum, body, label) {
		return nil
	}
	return stmt
}

func isConstTrue(x *syntax.Index, e ast.Expr) bool {
	tv := x.Info.Types[e]
	return tv.Value != nil && tv.Value.Kind() == constant.Bool && constant.BoolVal(tv.Value)
}

// isTickChannel recognises channels that deliver ticks for ever and are
// never closed: time.Tick(d) and the C field of a *time.Ticker.
func isTickChannel(x *syntax.Index, e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		return syntax.IsFunc(syntax.StaticCallee(x.Info, e), "time", "Tick")
	case *ast.SelectorExpr:
		if e.Sel.Name != "C" {
			return false
		}
		return syntax.IsNamed(x.Info.TypeOf(e.X), "time", "Ticker")
	}
	return false
}

// canLeave reports whether control can leave a loop with the given body (and
// label, or "") other than by looping: a return, a break or goto out, a
// labelled continue of an outer loop, a panic or a call that does not return.
func canLeave(sum *Summaries, body *ast.BlockStmt, label string) bool {
	return FirstLeave(sum, body, label) != nil
}

// FirstLeave is the first statement or call by which control can leave the
// loop with the given body and label, or nil.
func FirstLeave(sum *Summaries, body *ast.BlockStmt, label string) ast.Node {
	var first ast.Node
	EachLeave(sum, body, label, func(n ast.Node) bool {
		first = n
		return false
	})
	return first
}

// EachLeave calls yield with each return, break or goto out, labelled
// continue of an outer loop, and call that never returns, by which control
// can leave the loop with the given body and label; it stops when yield
// returns false.
func EachLeave(sum *Summaries, body *ast.BlockStmt, label string, yield func(ast.Node) bool) {
	inner := map[string]bool{} // labels declared inside the body
	ast.Inspect(body, func(n ast.Node) bool {
		if ls, ok := n.(*ast.LabeledStmt); ok {
			inner[ls.Label.Name] = true
		}
		return true
	})
	leaves(sum, body, label, inner, true, yield)
}

// leaves walks n; breakExits says whether an unlabelled break here would
// leave the loop being examined. It returns false once yield has.
func leaves(sum *Summaries, n ast.Node, label string, inner map[string]bool, breakExits bool, yield func(ast.Node) bool) bool {
	more := true
	ast.Inspect(n, func(n ast.Node) bool {
		if !more {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			more = yield(n)
		case *ast.BranchStmt:
			leaves := false
			switch {
			case n.Tok == token.GOTO:
				leaves = n.Label == nil || !inner[n.Label.Name]
			case n.Label != nil:
				isOwn := n.Label.Name == label
				leaves = !inner[n.Label.Name] && (!isOwn || n.Tok != token.CONTINUE)
			case n.Tok == token.BREAK:
				leaves = breakExits
			}
			if leaves {
				more = yield(n)
			}
		case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			// An unlabelled break inside these ends them, not our loop.
			for _, child := range childStmts(n) {
				if more = leaves(sum, child, label, inner, false, yield); !more {
					break
				}
			}
			return false
		case *ast.CallExpr:
			if sum.neverReturns(n) {
				more = yield(n)
			}
		}
		return more
	})
	return more
}

// childStmts lists the parts of a breakable statement to walk.
func childStmts(n ast.Node) []ast.Node {
	var out []ast.Node
	add := func(ns ...ast.Node) {
		for _, x := range ns {
			if x != nil {
				out = append(out, x)
			}
		}
	}
	switch n := n.(type) {
	case *ast.ForStmt:
		add(n.Init, n.Cond, n.Post, n.Body)
	case *ast.RangeStmt:
		add(n.X, n.Body)
	case *ast.SwitchStmt:
		add(n.Init, n.Tag, n.Body)
	case *ast.TypeSwitchStmt:
		add(n.Init, n.Assign, n.Body)
	case *ast.SelectStmt:
		add(n.Body)
	}
	return out
}

// IgnoresContext reports whether a context.Context is in scope at loop and
// the loop never mentions it.
func IgnoresContext(x *syntax.Index, loop ast.Stmt) bool {
	ctxVars := contextsInScope(x, loop.Pos())
	if len(ctxVars) == 0 {
		return false
	}
	mentioned := false
	ast.Inspect(loop, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := x.Info.Uses[id].(*types.Var); ok && ctxVars[v] {
				mentioned = true
			}
		}
		return !mentioned
	})
	return !mentioned
}

// contextsInScope lists the local variables of type context.Context visible
// at pos.
func contextsInScope(x *syntax.Index, pos token.Pos) map[*types.Var]bool {
	vars := map[*types.Var]bool{}
	for scope := x.Pkg.Scope().Innermost(pos); scope != nil && scope != x.Pkg.Scope(); scope = scope.Parent() {
		for _, name := range scope.Names() {
			if v, ok := scope.Lookup(name).(*types.Var); ok && v.Pos() < pos && syntax.IsNamed(v.Type(), "context", "Context") {
				vars[v] = true
			}
		}
	}
	return vars
}

// LoopLabel is the label of the loop statement at cur, or "".
func LoopLabel(cur inspector.Cursor) string {
	if ls, ok := cur.Parent().Node().(*ast.LabeledStmt); ok {
		return ls.Label.Name
	}
	return ""
}

// RangeCanLeave reports whether a range over a channel has a way out other
// than the channel being closed (a sentinel value, say).
func RangeCanLeave(sum *Summaries, u *ChanUse) bool {
	rs, ok := u.Node.(*ast.RangeStmt)
	if !ok {
		return false // a callee's range, which its summary says has no other way out
	}
	return canLeave(sum, rs.Body, RangeLabel(u))
}

// RangeLabel is the label of the range statement of u, or "".
func RangeLabel(u *ChanUse) string {
	for enc := range u.At.Enclosing((*ast.RangeStmt)(nil)) {
		return LoopLabel(enc)
	}
	return ""
}
