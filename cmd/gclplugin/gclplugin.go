// Package gclplugin is the golangci-lint v2 module plugin of goroutineleak.
// Importing it registers the linter "goroutineleak" with
// github.com/golangci/plugin-module-register; .custom-gcl.yml names this
// package so that `golangci-lint custom` builds it in. Settings, in
// .golangci.yml under linters.settings.custom.goroutineleak.settings:
//
//	recv: true   # goroutines blocked for ever on a receive
//	send: true   # goroutines blocked for ever on a send
//	loop: true   # goroutines that loop for ever
//
// A key it does not know is an error.
package gclplugin

import (
	"fmt"

	"github.com/golangci/plugin-module-register/register"
	"github.com/goroutineleak/goroutineleak/analyzers/goroutineleak"
	"golang.org/x/tools/go/analysis"
)

func init() {
	register.Plugin("goroutineleak", New)
}

// Settings are the plugin's settings; a missing key keeps its default.
type Settings struct {
	Recv *bool `json:"recv"`
	Send *bool `json:"send"`
	Loop *bool `json:"loop"`
}

// New builds the plugin from golangci-lint's raw settings.
func New(raw any) (register.LinterPlugin, error) {
	cfg := goroutineleak.DefaultConfig()
	// golangci-lint reports each related position as an issue of its own.
	cfg.Related = false
	if raw != nil {
		s, err := register.DecodeSettings[Settings](raw)
		if err != nil {
			return nil, fmt.Errorf("goroutineleak settings: %w (known settings: recv, send, loop)", err)
		}
		for _, b := range []struct {
			from *bool
			to   *bool
		}{{s.Recv, &cfg.Recv}, {s.Send, &cfg.Send}, {s.Loop, &cfg.Loop}} {
			if b.from != nil {
				*b.to = *b.from
			}
		}
	}
	return &plugin{cfg: cfg}, nil
}

type plugin struct {
	cfg goroutineleak.Config
}

func (p *plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return []*analysis.Analyzer{goroutineleak.New(p.cfg)}, nil
}

func (p *plugin) GetLoadMode() string { return register.LoadModeTypesInfo }
