package recvleak

import (
	_ "embed"

	"github.com/goroutineleak/goroutineleak/internal/analysisdoc"
	"github.com/goroutineleak/goroutineleak/internal/leak"
	"golang.org/x/tools/go/analysis"
)

//go:embed doc.go
var doc string

// Analyzer reports goroutines that block for ever on a receive.
var Analyzer = &analysis.Analyzer{
	Name:     "recvleak",
	Doc:      analysisdoc.Extract(doc, "recvleak"),
	URL:      leak.UnguardedRecv.URL(),
	Requires: []*analysis.Analyzer{leak.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		leak.Report(pass, leak.UnguardedRecv)
		return nil, nil
	},
}
