package sendleak

import (
	_ "embed"

	"github.com/goroutineleak/goroutineleak/internal/analysisdoc"
	"github.com/goroutineleak/goroutineleak/internal/leak"
	"golang.org/x/tools/go/analysis"
)

//go:embed doc.go
var doc string

// Analyzer reports goroutines that block for ever on a send.
var Analyzer = &analysis.Analyzer{
	Name:     "sendleak",
	Doc:      analysisdoc.Extract(doc, "sendleak"),
	URL:      leak.UnreadSend.URL(),
	Requires: []*analysis.Analyzer{leak.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		leak.Report(pass, leak.UnreadSend)
		return nil, nil
	},
}
