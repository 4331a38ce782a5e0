// Package analysisdoc extracts an analyzer's documentation from the
// comment of its doc.go, so that the text lives in one place.
package analysisdoc

import (
	"fmt"
	"go/parser"
	"go/token"
	"strings"
)

// Extract returns the part of the package comment of the doc.go source
// that follows the heading "# Analyzer name", up to the next heading. The
// first line of the result is the analyzer's one-line summary.
func Extract(src, name string) string {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", src, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil || f.Doc == nil {
		panic(fmt.Sprintf("analysisdoc: doc.go of %s has no package comment", name))
	}
	text := f.Doc.Text()
	heading := "# Analyzer " + name
	i := strings.Index(text, heading)
	if i < 0 {
		panic(fmt.Sprintf("analysisdoc: no %q heading", heading))
	}
	text = text[i+len(heading):]
	if j := strings.Index(text, "\n# "); j >= 0 {
		text = text[:j]
	}
	return strings.TrimSpace(text)
}
