package leak

import (
	"slices"

	"golang.org/x/tools/go/analysis"

	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// The pattern table lives in package pattern, below every stage, since the
// rules decide a verdict's pattern; these names are the engine's API.
type (
	// Pattern is one kind of report.
	Pattern = pattern.Pattern
	// PatternInfo is one row of [Patterns].
	PatternInfo = pattern.Info
)

// The patterns.
const (
	UnguardedRecv = pattern.UnguardedRecv
	UnreadSend    = pattern.UnreadSend
	EndlessLoop   = pattern.EndlessLoop
	SyncWait      = pattern.SyncWait
	TestFailure   = pattern.TestFailure
	BadDirective  = pattern.BadDirective
)

// Patterns is the table of patterns, in the order of their flags.
var Patterns = pattern.Patterns

// NewAnalyzer returns the analyzer that reports the pattern alone.
func NewAnalyzer(p pattern.Pattern) *analysis.Analyzer {
	info := p.Info()
	return &analysis.Analyzer{
		Name:             info.Name,
		Doc:              info.FullDoc(),
		URL:              p.URL(),
		Requires:         []*analysis.Analyzer{Analyzer},
		RunDespiteErrors: true, // the engine says nothing of a broken package; the driver does
		Run: func(pass *analysis.Pass) (any, error) {
			Report(pass, p)
			return nil, nil
		},
	}
}

// Report reports, on pass, the findings of the shared Analyzer that belong
// to one of the given patterns, each with every fix the engine found, the
// one -fix applies first.
func Report(pass *analysis.Pass, patterns ...pattern.Pattern) {
	ReportChoosing(pass, FixChoice{}, patterns...)
}

// A FixChoice says which of a report's fixes comes first, the one every
// driver applies (x/tools' checker takes the first and logs the others;
// golangci-lint applies them all, so its plugin keeps only the first).
// Only a send no receiver takes has two fixes: a buffer for every send,
// and, when the abandoning path cancels a context or closes a done
// channel, a select on it.
type FixChoice struct {
	SendSelect bool // the select before the buffer, where a report has both
	FirstOnly  bool // drop the other fixes
}

// ReportChoosing reports like Report, with each finding's fixes ordered,
// and cut, as choice says.
func ReportChoosing(pass *analysis.Pass, choice FixChoice, patterns ...pattern.Pattern) {
	res, _ := pass.ResultOf[Analyzer].(*Result)
	if res == nil {
		return
	}
	for _, f := range res.Findings {
		if slices.Contains(patterns, f.Pattern) {
			pass.Report(choice.apply(f))
		}
	}
}

// apply returns the finding's diagnostic with its fixes ordered and cut.
func (c FixChoice) apply(f Finding) analysis.Diagnostic {
	d := f.Diagnostic
	fixes := d.SuggestedFixes
	if c.SendSelect {
		if i := slices.IndexFunc(f.FixKinds, isSelect); i > 0 {
			preferred := fixes[i]
			fixes = append([]analysis.SuggestedFix{preferred}, slices.Concat(fixes[:i], fixes[i+1:])...)
		}
	}
	if c.FirstOnly && len(fixes) > 1 {
		fixes = fixes[:1]
	}
	d.SuggestedFixes = fixes
	return d
}

// isSelect reports whether a fix turns a send into a select on a context
// or a done channel.
func isSelect(k verdict.FixKind) bool {
	return k == verdict.FixSendSelect || k == verdict.FixShutdownSelect
}
