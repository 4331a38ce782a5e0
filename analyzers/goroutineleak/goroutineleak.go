package goroutineleak

import (
	_ "embed"
	"flag"

	"github.com/goroutineleak/goroutineleak/internal/analysisdoc"
	"github.com/goroutineleak/goroutineleak/internal/leak"
	"golang.org/x/tools/go/analysis"
)

//go:embed doc.go
var doc string

// Config selects the patterns an Analyzer reports.
type Config struct {
	Recv bool // unguarded receives (recvleak)
	Send bool // sends with no reader (sendleak)
	Loop bool // loops without a way out (loopleak)

	// Related keeps the related positions (the go statement, the
	// abandoning path) on each report. golangci-lint turns each related
	// position into an issue of its own, so its plugin turns them off;
	// the messages name the function and the path anyway.
	Related bool
}

// DefaultConfig reports every pattern.
func DefaultConfig() Config { return Config{Recv: true, Send: true, Loop: true, Related: true} }

// Analyzer reports all three patterns; its flags -recv, -send and -loop
// switch them off one by one.
var Analyzer = New(DefaultConfig())

// New returns an Analyzer that reports the patterns cfg selects. Its flags
// start from cfg; each Analyzer owns its configuration, so drivers may
// build several with different settings.
func New(cfg Config) *analysis.Analyzer {
	a := &analysis.Analyzer{
		Name:     "goroutineleak",
		Doc:      analysisdoc.Extract(doc, "goroutineleak"),
		URL:      "https://github.com/goroutineleak/goroutineleak#readme",
		Requires: []*analysis.Analyzer{leak.Analyzer},
	}
	a.Flags.Init("goroutineleak", flag.ContinueOnError)
	a.Flags.BoolVar(&cfg.Recv, "recv", cfg.Recv, "report goroutines blocked for ever on a receive")
	a.Flags.BoolVar(&cfg.Send, "send", cfg.Send, "report goroutines blocked for ever on a send")
	a.Flags.BoolVar(&cfg.Loop, "loop", cfg.Loop, "report goroutines that loop for ever")
	a.Run = func(pass *analysis.Pass) (any, error) {
		patterns := []leak.Pattern{leak.BadDirective}
		if cfg.Recv {
			patterns = append(patterns, leak.UnguardedRecv)
		}
		if cfg.Send {
			patterns = append(patterns, leak.UnreadSend)
		}
		if cfg.Loop {
			patterns = append(patterns, leak.EndlessLoop)
		}
		if !cfg.Related {
			pass = withoutRelated(pass)
		}
		leak.Report(pass, patterns...)
		return nil, nil
	}
	return a
}

// withoutRelated returns a copy of pass whose Report drops related
// positions.
func withoutRelated(pass *analysis.Pass) *analysis.Pass {
	p := *pass
	p.Report = func(d analysis.Diagnostic) {
		d.Related = nil
		pass.Report(d)
	}
	return &p
}
