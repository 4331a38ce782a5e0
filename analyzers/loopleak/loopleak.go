package loopleak

import (
	_ "embed"

	"github.com/goroutineleak/goroutineleak/internal/analysisdoc"
	"github.com/goroutineleak/goroutineleak/internal/leak"
	"golang.org/x/tools/go/analysis"
)

//go:embed doc.go
var doc string

// Analyzer reports goroutines that loop for ever.
var Analyzer = &analysis.Analyzer{
	Name:     "loopleak",
	Doc:      analysisdoc.Extract(doc, "loopleak"),
	URL:      leak.EndlessLoop.URL(),
	Requires: []*analysis.Analyzer{leak.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		leak.Report(pass, leak.EndlessLoop)
		return nil, nil
	},
}
