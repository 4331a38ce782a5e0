package leak

import (
	"go/ast"
	"go/token"
	"sort"

	"golang.org/x/tools/go/analysis"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// The last stage, the report, turns verdicts into diagnostics. It adds
// what every verdict has (where the goroutine starts, the call that
// reaches the operation, the parent's waits, the category and URL of the
// pattern, the fixes), asks the reason for its own words, drops what a
// //goroutineleak:ignore directive silences, and reports each finding
// once, in position order.

// A Finding is one leak, ready to report.
type Finding struct {
	Pattern    pattern.Pattern
	Diagnostic analysis.Diagnostic
	FixKinds   []verdict.FixKind // what each of Diagnostic.SuggestedFixes does, in their order
}

// report words the verdicts, drops those a directive silences, and returns
// the findings in position order, each once.
func report(x *syntax.Index, verdicts []verdict.Verdict, dirs directives) []Finding {
	var out []Finding
	seen := map[findingKey]bool{}
	for _, v := range verdicts {
		if v.Pattern != pattern.BadDirective && dirs.silence(x.Fset, v) {
			continue
		}
		d := diagnose(x, v)
		key := findingKey{d.Pos, d.Message}
		if seen[key] {
			continue
		}
		seen[key] = true
		var kinds []verdict.FixKind
		for _, f := range v.Fixes {
			d.SuggestedFixes = append(d.SuggestedFixes, f.Suggested())
			kinds = append(kinds, f.Kind)
		}
		d.Category = v.Pattern.Category()
		d.URL = v.Pattern.URL()
		out = append(out, Finding{Pattern: v.Pattern, Diagnostic: d, FixKinds: kinds})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Diagnostic.Pos < out[j].Diagnostic.Pos })
	return out
}

type findingKey struct {
	pos     token.Pos
	message string
}

// diagnose words one verdict.
func diagnose(x *syntax.Index, v verdict.Verdict) analysis.Diagnostic {
	d := analysis.Diagnostic{Pos: v.At.Pos(), End: syntax.KeywordEnd(v.At)}
	if v.Spawn != nil {
		d.Related = append(d.Related, startedHere(v.Spawn))
	}
	if v.Through != nil {
		d.Related = append(d.Related, syntax.Related(v.Through, "the goroutine reaches it through this call"))
	}
	for _, w := range v.AlsoWaits {
		d.Related = append(d.Related, syntax.Related(w, "the parent waits here for ever too: only the goroutine would end this wait, after it blocks"))
	}
	if on, ok := v.Why.(verdict.OnChannel); ok {
		op := on.Operation()
		for _, at := range op.ViaAt {
			d.Related = append(d.Related, syntax.Related(at, op.Via+" blocks here"))
		}
	}
	v.Why.Word(&d, x.Pkg)
	return d
}

// startedHere relates the start of a goroutine: the go keyword, or the
// function of a wg.Go call.
func startedHere(s *flow.Spawn) analysis.RelatedInformation {
	end := s.Start.Pos() + token.Pos(len("go"))
	if call, ok := s.Start.(*ast.CallExpr); ok {
		end = call.Fun.End()
	}
	return analysis.RelatedInformation{Pos: s.Start.Pos(), End: end, Message: "goroutine started here"}
}
