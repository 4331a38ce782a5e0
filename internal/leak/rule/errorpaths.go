package rule

import (
	"go/ast"
	"go/types"
	"slices"

	"github.com/goroutineleak/goroutineleak/internal/leak/contract"
	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Error paths of the function that starts a contract: a constructor that
// runs a method of the object it builds as a goroutine (go
// svc.dispatcher.run()) and then fails owns the object until it returns
// it. When it releases the object on one error return and not on another,
// the other drops the goroutine: the function itself says, by the release
// it wrote, that the object must be released before it gives up.

// errorPathVerdicts finds the error returns, after a go statement on an
// object under a contract, that skip the release another error return of
// the same function makes.
func errorPathVerdicts(r *Input) []verdict.Verdict {
	var out []verdict.Verdict
	for _, s := range r.Gs.List {
		decl, ok := s.Parent.(*ast.FuncDecl)
		if !ok || !returnsError(r.X, decl) {
			continue
		}
		c, object := contract.GoOnObject(r.X, r.Sum, r.M, s)
		if c == nil {
			continue
		}
		root := rootVar(r.X, object)
		if root == nil || root.Pos() < decl.Body.Pos() || root.Pos() >= decl.Body.End() {
			continue // not made here
		}
		out = append(out, skippedOnError(r, decl, s, object, root, c)...)
	}
	return out
}

// skippedOnError decides on one object whose goroutine s starts in decl.
func skippedOnError(r *Input, decl *ast.FuncDecl, s *flow.Spawn, object ast.Expr, root *types.Var, c *contract.Contract) []verdict.Verdict {
	name := types.ExprString(object)
	isRelease := func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return false
		}
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		return ok && slices.Contains(c.Methods, sel.Sel.Name) && types.ExprString(ast.Unparen(sel.X)) == name
	}
	var released, dropped []*ast.ReturnStmt
	var evidence ast.Node
	deferred := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			deferred = deferred || containsNode(n, isRelease)
		case *ast.ReturnStmt:
			if n.Pos() < s.Start.End() || len(n.Results) == 0 || syntax.IsNilIdent(r.X.Info, n.Results[len(n.Results)-1]) {
				return true
			}
			if mentionsVar(r.X, n, root) {
				return true // it hands the object on
			}
			if at := releaseBefore(r.X, n, decl, isRelease); at != nil {
				released = append(released, n)
				if evidence == nil {
					evidence = at
				}
			} else {
				dropped = append(dropped, n)
			}
		}
		return true
	})
	if deferred || len(released) == 0 {
		return nil
	}
	var out []verdict.Verdict
	for _, ret := range dropped {
		out = append(out, verdict.Verdict{Pattern: pattern.UnguardedRecv, At: ret, Spawn: s,
			Why: verdict.ErrorPathSkipsRelease{Starter: s.Callee, Object: name, Methods: c.Methods, Wait: c.Wait(), Loop: c.Loop(),
				Owner: decl, Release: evidence}})
	}
	return out
}

// releaseBefore finds a release (isRelease) in the statements that run
// before ret in its function: those before it in each block around it.
func releaseBefore(x *syntax.Index, ret *ast.ReturnStmt, decl *ast.FuncDecl, isRelease func(ast.Node) bool) ast.Node {
	child := x.CursorOf(ret)
	for cur := child.Parent(); cur.Valid() && child.Node() != decl.Body; cur = cur.Parent() {
		var stmts []ast.Stmt
		switch n := cur.Node().(type) {
		case *ast.BlockStmt:
			stmts = n.List
		case *ast.CaseClause:
			stmts = n.Body
		case *ast.CommClause:
			stmts = n.Body
		case *ast.FuncLit:
			return nil
		}
		for _, stmt := range stmts {
			if stmt == child.Node() {
				break
			}
			var found ast.Node
			ast.Inspect(stmt, func(n ast.Node) bool {
				if found == nil && isRelease(n) {
					found = n
				}
				return found == nil
			})
			if found != nil {
				return found
			}
		}
		child = cur
	}
	return nil
}

// rootVar is the local variable at the root of a selector chain (svc in
// svc.dispatcher), or nil.
func rootVar(x *syntax.Index, e ast.Expr) *types.Var {
	for {
		switch n := ast.Unparen(e).(type) {
		case *ast.SelectorExpr:
			e = n.X
		case *ast.Ident:
			v, _ := x.Info.Uses[n].(*types.Var)
			if v == nil || v.IsField() {
				return nil
			}
			return v
		default:
			return nil
		}
	}
}

// mentionsVar reports whether v appears in n.
func mentionsVar(x *syntax.Index, n ast.Node, v *types.Var) bool {
	return containsNode(n, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		return ok && x.Info.Uses[id] == v
	})
}

// containsNode reports whether some node in n satisfies pred.
func containsNode(n ast.Node, pred func(ast.Node) bool) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		found = found || pred(n)
		return !found
	})
	return found
}
