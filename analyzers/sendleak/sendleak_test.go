package sendleak_test

import (
	"testing"

	"github.com/goroutineleak/goroutineleak/analyzers/sendleak"
	"golang.org/x/tools/go/analysis/analysistest"
)

func TestSendLeak(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), sendleak.Analyzer, "send", "closurevar", "indirect", "hooks", "fanout", "helperdrain", "handed")
}
