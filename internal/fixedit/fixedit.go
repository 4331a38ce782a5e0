// Package fixedit applies suggested fixes to the files they edit, as -fix
// does, for the tests that check what a fixed program does.
package fixedit

import (
	"bytes"
	"fmt"
	"go/format"
	"go/token"
	"os"
	"sort"

	"golang.org/x/tools/go/analysis"
)

// Apply applies the edits of fixes, each distinct edit once, and returns
// the new contents of the files they change, formatted, by file name.
func Apply(fset *token.FileSet, fixes []analysis.SuggestedFix) (map[string][]byte, error) {
	type edit struct {
		pos, end int
		text     string
	}
	byFile := map[string][]edit{}
	seen := map[string]bool{}
	for _, f := range fixes {
		for _, e := range f.TextEdits {
			pos, end := fset.PositionFor(e.Pos, false), fset.PositionFor(e.End, false)
			if end.Filename != pos.Filename {
				return nil, fmt.Errorf("fix %q: an edit spans %s to %s", f.Message, pos, end)
			}
			key := fmt.Sprint(pos.Filename, pos.Offset, end.Offset, string(e.NewText))
			if seen[key] {
				continue
			}
			seen[key] = true
			byFile[pos.Filename] = append(byFile[pos.Filename], edit{pos.Offset, end.Offset, string(e.NewText)})
		}
	}
	out := map[string][]byte{}
	for name, edits := range byFile {
		content, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("reading the file to fix: %w", err)
		}
		sort.SliceStable(edits, func(i, j int) bool { return edits[i].pos < edits[j].pos })
		var b bytes.Buffer
		last := 0
		for _, e := range edits {
			if e.pos < last {
				return nil, fmt.Errorf("%s: overlapping edits at offset %d", name, e.pos)
			}
			b.Write(content[last:e.pos])
			b.WriteString(e.text)
			last = e.end
		}
		b.Write(content[last:])
		formatted, err := format.Source(b.Bytes())
		if err != nil {
			return nil, fmt.Errorf("%s after the fixes does not parse: %w\n%s", name, err, b.Bytes())
		}
		out[name] = formatted
	}
	return out, nil
}
