// Package gclplugin is the golangci-lint v2 module plugin of goroutineleak.
// Importing it registers the linter "goroutineleak" with
// github.com/golangci/plugin-module-register; .custom-gcl.yml names this
// package so that `golangci-lint custom` builds it in. Settings, in
// .golangci.yml under linters.settings.custom.goroutineleak.settings, are
// the patterns' flag names from the engine's table:
//
//	recv: true   # goroutines blocked for ever on a receive
//	send: true   # goroutines blocked for ever on a send
//	loop: true   # goroutines that loop for ever
//	sync: true   # goroutines blocked for ever on a mutex, WaitGroup or Cond
//	testfail: false  # goroutines that leak only when their test fails
//
// A key it does not know is an error.
package gclplugin

import (
	"fmt"
	"slices"
	"strings"

	"github.com/golangci/plugin-module-register/register"
	"github.com/goroutineleak/goroutineleak/analyzers/goroutineleak"
	"golang.org/x/tools/go/analysis"
)

func init() {
	register.Plugin("goroutineleak", New)
}

// New builds the plugin from golangci-lint's raw settings: a pattern's
// flag name and whether to report it. A missing key keeps the pattern's
// default (all on but testfail).
func New(raw any) (register.LinterPlugin, error) {
	known := strings.Join(goroutineleak.FlagNames(), ", ")
	// golangci-lint reports each related position as an issue of its own.
	cfg := goroutineleak.Config{Patterns: map[string]bool{}, OmitRelated: true}
	if raw != nil {
		settings, err := register.DecodeSettings[map[string]bool](raw)
		if err != nil {
			return nil, fmt.Errorf("goroutineleak settings: %w (known settings: %s)", err, known)
		}
		for name, on := range settings {
			if !slices.Contains(goroutineleak.FlagNames(), name) {
				return nil, fmt.Errorf("goroutineleak settings: unknown field %q (known settings: %s)", name, known)
			}
			cfg.Patterns[name] = on
		}
	}
	a, err := goroutineleak.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("goroutineleak settings: %w", err)
	}
	return &plugin{analyzer: a}, nil
}

type plugin struct {
	analyzer *analysis.Analyzer
}

func (p *plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return []*analysis.Analyzer{p.analyzer}, nil
}

func (p *plugin) GetLoadMode() string { return register.LoadModeTypesInfo }
