package contract

import (
	"go/ast"
	"go/types"
	"slices"

	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// Where a release method releases: the rules ask it of this package's
// contracts, to find the paths of a release method that return before
// they release (a Close that returns on an error before it closes the
// goroutine's stop channel).

// MethodDecls are the declarations of the contract's release methods, for
// a contract of this package; none for another package's.
func (c *Contract) MethodDecls(x *syntax.Index) []*ast.FuncDecl {
	if c.named == nil {
		return nil
	}
	var out []*ast.FuncDecl
	for _, name := range c.Methods {
		obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(c.named), false, c.named.Obj().Pkg(), name)
		if fn, ok := obj.(*types.Func); ok {
			if decl := x.Decls[fn]; decl != nil && decl.Body != nil {
				out = append(out, decl)
			}
		}
	}
	return out
}

// FirstRelease is the index of the first of decl's top-level statements
// that releases the goroutine: it closes or sends on a field the goroutine
// waits on, calls the stored cancel function, or calls another release
// method. -1 when none does.
func (c *Contract) FirstRelease(x *syntax.Index, decl *ast.FuncDecl) int {
	for i, stmt := range decl.Body.List {
		if c.releases(x, stmt) {
			return i
		}
	}
	return -1
}

func (c *Contract) releases(x *syntax.Index, stmt ast.Stmt) bool {
	found := false
	ast.Inspect(stmt, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SendStmt:
			found = c.isReleasedField(x, n.Chan)
		case *ast.CallExpr:
			switch {
			case syntax.IsCloseCall(x.Info, n):
				found = c.isReleasedField(x, n.Args[0])
			case c.isReleasedField(x, n.Fun): // the stored cancel
				found = true
			default:
				fn := syntax.StaticCallee(x.Info, n)
				found = fn != nil && syntax.IsMethodOfNamed(fn, c.named) && slices.Contains(c.Methods, fn.Name())
			}
		}
		return !found
	})
	return found
}

// isReleasedField reports whether e selects a field whose close, send or
// call releases the goroutine.
func (c *Contract) isReleasedField(x *syntax.Index, e ast.Expr) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	f, ok := x.Info.Uses[sel.Sel].(*types.Var)
	return ok && f.IsField() && c.released[f.Origin()]
}
