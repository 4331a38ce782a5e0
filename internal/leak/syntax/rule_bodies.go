package syntax

import (
	"go/ast"
	"go/types"
)

func HasField(t types.Type, field *types.Var) bool {
	if t == nil {
		return false
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := range st.NumFields() {
		if st.Field(i).Origin() == field.Origin() {
			return true
		}
	}
	return false
}

// shortExpr prints an expression for a message, shortened.
func ShortExpr(e ast.Expr) string {
	s := types.ExprString(e)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}
