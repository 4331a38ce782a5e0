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
//	sendfix: buffer  # or select: which fix --fix applies to a send no receiver takes
//
// A key it does not know, or a value of the wrong type, is an error that
// names the key. Each report carries one fix, the one the goroutineleak
// command's -fix applies: golangci-lint applies every fix of a report, and
// two fixes of one send (a buffer and a select) are one too many.
package gclplugin

import (
	"fmt"
	"maps"
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
	// golangci-lint reports each related position as an issue of its own.
	cfg := goroutineleak.Config{Patterns: map[string]bool{}, OmitRelated: true, FirstFixOnly: true}
	if raw != nil {
		settings, err := register.DecodeSettings[map[string]any](raw)
		if err != nil {
			return nil, fmt.Errorf("goroutineleak settings: %w (%s)", err, knownSettings())
		}
		if err := applySettings(&cfg, settings); err != nil {
			return nil, fmt.Errorf("goroutineleak settings: %w", err)
		}
	}
	a, err := goroutineleak.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("goroutineleak settings: %w", err)
	}
	return &plugin{analyzer: a}, nil
}

// applySettings sets cfg from the settings, checking each key and the
// type of its value, in the keys' order so that the first error is always
// the same.
func applySettings(cfg *goroutineleak.Config, settings map[string]any) error {
	for _, key := range slices.Sorted(maps.Keys(settings)) {
		value := settings[key]
		switch {
		case slices.Contains(goroutineleak.FlagNames(), key):
			on, ok := value.(bool)
			if !ok {
				return fmt.Errorf("%s: want true or false, got %s", key, describe(value))
			}
			cfg.Patterns[key] = on
		case key == goroutineleak.SendFixFlag:
			choice, ok := value.(string)
			if !ok || !slices.Contains(goroutineleak.SendFixChoices, choice) {
				return fmt.Errorf("%s: want %s, got %s", key, strings.Join(goroutineleak.SendFixChoices, " or "), describe(value))
			}
			cfg.SendFix = choice
		default:
			return fmt.Errorf("unknown field %q (%s)", key, knownSettings())
		}
	}
	return nil
}

func knownSettings() string {
	return fmt.Sprintf("known settings: %s, each true or false; %s: %s",
		strings.Join(goroutineleak.FlagNames(), ", "), goroutineleak.SendFixFlag, strings.Join(goroutineleak.SendFixChoices, " or "))
}

// describe words a settings value as YAML wrote it, with its type.
func describe(value any) string {
	switch v := value.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("the string %q", v)
	case float64:
		return fmt.Sprintf("the number %v", v)
	case bool:
		return fmt.Sprintf("%t", v)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%v", value)
}

type plugin struct {
	analyzer *analysis.Analyzer
}

func (p *plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return []*analysis.Analyzer{p.analyzer}, nil
}

func (p *plugin) GetLoadMode() string { return register.LoadModeTypesInfo }
