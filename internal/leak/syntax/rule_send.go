package syntax

import (
	"go/ast"
	"go/types"
)

// objectOf is the variable an expression names: x, or x.f's field; nil
// for anything else.
func ObjectOf(x *Index, e ast.Expr) types.Object {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return x.Info.Uses[e]
	case *ast.SelectorExpr:
		return x.Info.Uses[e.Sel]
	case *ast.UnaryExpr: // &wg
		return ObjectOf(x, e.X)
	}
	return nil
}

func IsCall(n ast.Node) bool {
	_, ok := n.(*ast.CallExpr)
	return ok
}
