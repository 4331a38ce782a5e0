package leak

import (
	"go/ast"
	"go/token"
	"strings"

	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Suppression that works in every driver: go vet and the standalone binary
// know nothing of golangci-lint's //nolint. A comment
//
//	//goroutineleak:ignore <reason>
//
// silences the reports on its own line and on the line below it; placed on
// or above a go statement it silences the reports about that goroutine;
// placed in a function's doc comment it silences the reports in that
// function. The reason is required: a directive without one is itself
// reported (by the goroutineleak analyzer).

const directivePrefix = "//goroutineleak:ignore"

type directives struct {
	lines map[lineKey]bool // lines holding a directive with a reason
	funcs []ast.Node       // functions whose doc comment holds one
}

type lineKey struct {
	file *token.File
	line int
}

// findDirectives collects the package's directives, and a verdict for
// each one without a reason.
func findDirectives(x *syntax.Index) (directives, []verdict.Verdict) {
	d := directives{lines: map[lineKey]bool{}}
	var bad []verdict.Verdict
	found := false
	for _, file := range x.Files {
		tf := x.Fset.File(file.Pos())
		for _, group := range file.Comments {
			for _, com := range group.List {
				reason, ok := strings.CutPrefix(com.Text, directivePrefix)
				if !ok || reason != "" && reason[0] != ' ' && reason[0] != '\t' {
					continue
				}
				found = true
				if strings.TrimSpace(reason) == "" {
					bad = append(bad, verdict.Verdict{Pattern: pattern.BadDirective, At: com, Why: verdict.DirectiveWithoutReason{}})
					continue
				}
				d.lines[lineKey{tf, tf.Line(com.Pos())}] = true
			}
		}
		if !found {
			continue
		}
		for _, decl := range file.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Doc != nil {
				for _, com := range fd.Doc.List {
					if strings.HasPrefix(com.Text, directivePrefix+" ") {
						d.funcs = append(d.funcs, fd)
					}
				}
			}
		}
	}
	return d, bad
}

// silence reports whether a directive silences the verdict: one on the
// line of its position or the line above, one on or above the go statement
// of its goroutine, or one in the doc comment of the function around it.
func (d *directives) silence(fset *token.FileSet, v verdict.Verdict) bool {
	if len(d.lines) == 0 {
		return false
	}
	at := func(pos token.Pos) bool {
		tf := fset.File(pos)
		if tf == nil {
			return false
		}
		line := tf.Line(pos)
		return d.lines[lineKey{tf, line}] || d.lines[lineKey{tf, line - 1}]
	}
	pos := v.At.Pos()
	if at(pos) || v.Spawn != nil && at(v.Spawn.Start.Pos()) {
		return true
	}
	for _, fn := range d.funcs {
		if fn.Pos() <= pos && pos < fn.End() {
			return true
		}
	}
	return false
}
