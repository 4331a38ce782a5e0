package flow

import (
	"go/ast"
)

// rangeCanLeave reports whether a range over a channel has a way out other
// than the channel being closed (a sentinel value, say).
func RangeCanLeave(sum *Summaries, u *ChanUse) bool {
	rs, ok := u.Node.(*ast.RangeStmt)
	if !ok {
		return false // a callee's range, which its summary says has no other way out
	}
	return canLeave(sum, rs.Body, RangeLabel(u))
}

// rangeLabel is the label of the range statement of u, or "".
func RangeLabel(u *ChanUse) string {
	for enc := range u.At.Enclosing((*ast.RangeStmt)(nil)) {
		return LoopLabel(enc)
	}
	return ""
}
