package leak

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// reportLoop reports an endless loop run by goroutine s, reached through
// call when the loop is in a callee.
func (c *checker) reportLoop(s *spawn, loop ast.Stmt, call *ast.CallExpr) {
	if ls, ok := loop.(*ast.LabeledStmt); ok {
		loop = ls.Stmt
	}
	rel := []analysis.RelatedInformation{startedHere(s)}
	if call != nil {
		rel = append(rel, related(call, "the goroutine runs the loop through this call"))
	}
	what := "this for loop has no condition"
	if rs, ok := loop.(*ast.RangeStmt); ok {
		what = "ranging over " + shortExpr(rs.X) + " never ends"
	}
	msg := "goroutine never finishes: " + what + " and nothing in it returns, breaks out or panics"
	var fixes []analysis.SuggestedFix
	if c.ignoresContext(loop) {
		ctx := c.firstContext(loop.Pos())
		msg = "goroutine never finishes: " + what + " and it never checks " + ctx.Name() + ".Done(), so cancelling " + ctx.Name() + " does not stop it"
		if fix, ok := c.ctxDoneFix(s, loop, ctx, call); ok {
			fixes = append(fixes, fix)
		}
	}
	c.report(EndlessLoop, analysis.Diagnostic{
		Pos: loop.Pos(), End: keywordEnd(loop), Message: msg, Related: rel, SuggestedFixes: fixes,
	})
}

// ctxDoneFix offers to stop the loop when ctx is cancelled:
//
//	for {
//		select {
//		case <-ctx.Done():
//			return
//		default:
//		}
//		...
//
// It is offered only for a `for {}` loop directly in the goroutine's
// literal, whose function returns nothing or just an error.
func (c *checker) ctxDoneFix(s *spawn, loop ast.Stmt, ctx *types.Var, call *ast.CallExpr) (analysis.SuggestedFix, bool) {
	fs, ok := loop.(*ast.ForStmt)
	if !ok || call != nil || s.lit == nil || fs.Init != nil || fs.Post != nil || fs.Cond != nil {
		return analysis.SuggestedFix{}, false
	}
	ret := "return"
	sig, _ := c.info.TypeOf(s.lit).(*types.Signature)
	switch {
	case sig == nil:
		return analysis.SuggestedFix{}, false
	case sig.Results().Len() == 0:
	case sig.Results().Len() == 1 && types.Identical(sig.Results().At(0).Type(), types.Universe.Lookup("error").Type()):
		ret = "return " + ctx.Name() + ".Err()"
	default:
		return analysis.SuggestedFix{}, false
	}
	// gofmt'd code indents with tabs: the loop's column gives its depth.
	// The select goes before the first statement, so that comments on the
	// loop's line stay where they are.
	depth := max(c.pass.Fset.PositionFor(fs.Pos(), false).Column-1, 0)
	indent := strings.Repeat("\t", depth+1)
	text := "select {\n" +
		indent + "case <-" + ctx.Name() + ".Done():\n" +
		indent + "\t" + ret + "\n" +
		indent + "default:\n" +
		indent + "}\n" + indent
	at := fs.Body.Rbrace
	if len(fs.Body.List) > 0 {
		at = fs.Body.List[0].Pos()
	} else {
		text = "\n" + indent + strings.TrimSuffix(text, indent) + strings.Repeat("\t", depth)
	}
	return analysis.SuggestedFix{
		Message:   "return when " + ctx.Name() + " is cancelled",
		TextEdits: []analysis.TextEdit{{Pos: at, End: at, NewText: []byte(text)}},
	}, true
}
