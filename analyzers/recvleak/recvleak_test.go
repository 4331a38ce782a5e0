package recvleak_test

import (
	"testing"

	"github.com/goroutineleak/goroutineleak/analyzers/recvleak"
	"golang.org/x/tools/go/analysis/analysistest"
)

func TestRecvLeak(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), recvleak.Analyzer, "recv", "command")
}
