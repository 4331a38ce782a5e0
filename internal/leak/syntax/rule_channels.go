package syntax

import (
	"go/ast"
	"go/token"
)

// commChannel returns the channel a select case communicates on, and
// whether it sends on it; nil for the default case.
func CommChannel(cc *ast.CommClause) (ch ast.Expr, send bool) {
	var recv ast.Expr
	switch comm := cc.Comm.(type) {
	case *ast.SendStmt:
		return comm.Chan, true
	case *ast.ExprStmt:
		recv = comm.X
	case *ast.AssignStmt:
		if len(comm.Rhs) == 1 {
			recv = comm.Rhs[0]
		}
	}
	if u, ok := ast.Unparen(recv).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
		return u.X, false
	}
	return nil, false
}
