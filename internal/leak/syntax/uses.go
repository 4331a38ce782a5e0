package syntax

import (
	"go/ast"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
)

func IsParamOrResultIdent(cur inspector.Cursor) bool {
	k, _ := cur.ParentEdge()
	if k != edge.Field_Names {
		return false
	}
	_, ok := cur.Parent().Parent().Node().(*ast.FieldList)
	return ok
}
