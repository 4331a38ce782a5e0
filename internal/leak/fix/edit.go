package fix

import (
	"go/ast"
	"go/token"
	"sort"
	"strconv"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// editor gathers the edits of one fix; insertions at one position are
// joined in the order they are made.
type editor struct {
	edits []analysis.TextEdit
}

func (e *editor) insert(at token.Pos, text string) { e.replace(at, at, text) }

func (e *editor) replace(pos, end token.Pos, text string) {
	for i := range e.edits {
		if ed := &e.edits[i]; ed.Pos == pos && ed.End == pos && pos == end {
			ed.NewText = append(ed.NewText, text...)
			return
		}
	}
	e.edits = append(e.edits, analysis.TextEdit{Pos: pos, End: end, NewText: []byte(text)})
}

func (e *editor) fix(kind verdict.FixKind, subject, detail string) *verdict.Fix {
	if len(e.edits) == 0 {
		return nil
	}
	sort.SliceStable(e.edits, func(i, j int) bool { return e.edits[i].Pos < e.edits[j].Pos })
	return &verdict.Fix{Kind: kind, Subject: subject, Detail: detail, Edits: e.edits}
}

// generated reports whether n is in a file whose positions are mapped by
// //line directives (cgo's output, generated code): the fix's offsets
// would not be those of the file the user edits.
func generated(x *syntax.Index, n ast.Node) bool {
	return x.Fset.PositionFor(n.Pos(), false).Filename != x.Fset.PositionFor(n.Pos(), true).Filename
}

// nextLine is where the line after the one n ends on starts: new
// statements go there, after any comment that ends n's line.
func nextLine(x *syntax.Index, n ast.Node) token.Pos {
	tf := x.Fset.File(n.End())
	if tf == nil {
		return n.End()
	}
	line := tf.Line(n.End())
	if line >= tf.LineCount() {
		return n.End()
	}
	return tf.LineStart(line + 1)
}

// remove deletes stmt, with its line when it is alone on it.
func remove(x *syntax.Index, e *editor, stmt ast.Stmt) {
	tf := x.Fset.File(stmt.Pos())
	line := tf.Line(stmt.Pos())
	alone := tf.Line(stmt.End()) == line && line < tf.LineCount()
	cur := x.CursorOf(stmt)
	for _, sib := range []ast.Node{prevSibling(cur), nextSibling(cur)} {
		if sib != nil && (tf.Line(sib.End()) == line || tf.Line(sib.Pos()) == line) {
			alone = false
		}
	}
	for _, f := range x.Files {
		if f.FileStart > stmt.Pos() || stmt.Pos() >= f.FileEnd {
			continue
		}
		for _, cg := range f.Comments {
			if tf.Line(cg.Pos()) <= line && line <= tf.Line(cg.End()) {
				alone = false // keep the comment
			}
		}
	}
	if alone {
		e.replace(tf.LineStart(line), tf.LineStart(line+1), "")
		return
	}
	e.replace(stmt.Pos(), stmt.End(), "")
}

func prevSibling(cur inspector.Cursor) ast.Node {
	if p, ok := cur.PrevSibling(); ok {
		return p.Node()
	}
	return nil
}

func nextSibling(cur inspector.Cursor) ast.Node {
	if n, ok := cur.NextSibling(); ok {
		return n.Node()
	}
	return nil
}

// freshName is name, or name2, name3..., whichever nothing in scope at pos
// (or declared later in its scope) is called.
func freshName(x *syntax.Index, pos token.Pos, name string) string {
	scope := x.Pkg.Scope().Innermost(pos)
	if scope == nil {
		return ""
	}
	for i := 1; i < 10; i++ {
		n := name
		if i > 1 {
			n += strconv.Itoa(i)
		}
		if _, obj := scope.LookupParent(n, token.NoPos); obj == nil {
			return n
		}
	}
	return ""
}
