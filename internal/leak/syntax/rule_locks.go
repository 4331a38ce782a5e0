package syntax

import (
	"go/ast"
	"go/types"
)

// fieldOnVar splits a channel expression v.f, where v is a variable, into
// the field and the variable.
func FieldOnVar(x *Index, ch ast.Expr) (*types.Var, types.Object) {
	sel, ok := ast.Unparen(ch).(*ast.SelectorExpr)
	if !ok {
		return nil, nil
	}
	id, ok := ast.Unparen(sel.X).(*ast.Ident)
	if !ok {
		return nil, nil
	}
	field, ok := x.Info.Uses[sel.Sel].(*types.Var)
	base := x.Info.Uses[id]
	if !ok || !field.IsField() || base == nil {
		return nil, nil
	}
	return field.Origin(), base
}
