package leak

import (
	"go/ast"
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"
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

// applyDirectives drops the findings that a directive silences and adds
// one finding per directive without a reason.
func (c *checker) applyDirectives() {
	d := directives{lines: map[lineKey]bool{}}
	found := false
	for _, file := range c.pass.Files {
		tf := c.pass.Fset.File(file.Pos())
		for _, group := range file.Comments {
			for _, com := range group.List {
				reason, ok := strings.CutPrefix(com.Text, directivePrefix)
				if !ok || reason != "" && reason[0] != ' ' && reason[0] != '\t' {
					continue
				}
				found = true
				if strings.TrimSpace(reason) == "" {
					c.report(BadDirective, analysis.Diagnostic{Pos: com.Pos(), End: com.End(),
						Message: "goroutineleak:ignore needs a reason: write why the goroutine cannot leak after the directive"})
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
	if !found {
		return
	}
	kept := c.findings[:0]
	for _, f := range c.findings {
		if f.Pattern == BadDirective || !d.silences(c.pass.Fset, f.Diagnostic) {
			kept = append(kept, f)
		}
	}
	c.findings = kept
}

func (d *directives) silences(fset *token.FileSet, diag analysis.Diagnostic) bool {
	at := func(pos token.Pos) bool {
		tf := fset.File(pos)
		if tf == nil {
			return false
		}
		line := tf.Line(pos)
		return d.lines[lineKey{tf, line}] || d.lines[lineKey{tf, line - 1}]
	}
	if at(diag.Pos) {
		return true
	}
	for _, r := range diag.Related {
		if r.Message == "goroutine started here" && at(r.Pos) {
			return true
		}
	}
	for _, fn := range d.funcs {
		if fn.Pos() <= diag.Pos && diag.Pos < fn.End() {
			return true
		}
	}
	return false
}
