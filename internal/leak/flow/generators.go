package flow

import (
	"go/ast"

	"golang.org/x/tools/go/ast/inspector"
)

// loopLabel is the label of the loop statement at cur, or "".
func LoopLabel(cur inspector.Cursor) string {
	if ls, ok := cur.Parent().Node().(*ast.LabeledStmt); ok {
		return ls.Label.Name
	}
	return ""
}
