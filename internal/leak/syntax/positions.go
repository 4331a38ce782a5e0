package syntax

import (
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/analysis"
)

// KeywordEnd ends the highlighted range of a statement with a body at its
// keyword, so editors do not underline a whole loop.
func KeywordEnd(n ast.Node) token.Pos {
	switch n.(type) {
	case *ast.ForStmt, *ast.RangeStmt:
		return n.Pos() + token.Pos(len("for"))
	case *ast.SelectStmt:
		return n.Pos() + token.Pos(len("select"))
	}
	return n.End()
}

// FuncName names fn for messages.
func FuncName(fn ast.Node) string {
	if d, ok := fn.(*ast.FuncDecl); ok {
		return d.Name.Name
	}
	return "the enclosing function literal"
}

func Related(n ast.Node, msg string) analysis.RelatedInformation {
	return analysis.RelatedInformation{Pos: n.Pos(), End: n.End(), Message: msg}
}

// A span is a range of source to relate; its zero value is none.
type Span struct{ Pos, End token.Pos }
