package loopleak_test

import (
	"testing"

	"github.com/goroutineleak/goroutineleak/analyzers/loopleak"
	"golang.org/x/tools/go/analysis/analysistest"
)

func TestLoopLeak(t *testing.T) {
	t.Parallel()
	analysistest.Run(t, analysistest.TestData(), loopleak.Analyzer, "loop", "daemon", "deadexit")
}

func TestContextFix(t *testing.T) {
	t.Parallel()
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), loopleak.Analyzer, "ctxloop")
}
