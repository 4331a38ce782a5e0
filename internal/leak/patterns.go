package leak

import (
	"golang.org/x/tools/go/analysis"

	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
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
// to one of the given patterns.
func Report(pass *analysis.Pass, patterns ...pattern.Pattern) {
	res, _ := pass.ResultOf[Analyzer].(*Result)
	if res == nil {
		return
	}
	for _, f := range res.Findings {
		for _, p := range patterns {
			if f.Pattern == p {
				pass.Report(f.Diagnostic)
			}
		}
	}
}
