package goroutineleak

import (
	"flag"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/goroutineleak/goroutineleak/internal/leak"
	"golang.org/x/tools/go/analysis"
)

// Config selects what an Analyzer reports. Its zero value reports the
// patterns that are on by default (all but testfail), with related
// positions: nothing changes unless a field says so.
type Config struct {
	// Patterns switches patterns on (true) or off (false) by their flag
	// names (FlagNames): "recv", "send", "loop", "sync", "testfail". A
	// pattern it does not name keeps its default.
	Patterns map[string]bool

	// OmitRelated drops the related positions (the go statement, the
	// abandoning path) from each report. golangci-lint turns each related
	// position into an issue of its own, so its plugin sets this; the
	// messages name the function and the path anyway.
	OmitRelated bool

	// SendFix says which fix of a send no receiver takes comes first, the
	// one -fix applies: "buffer" (the default: make(chan T, n), a buffer
	// for every send) or "select" (a select that stops sending once the
	// context is cancelled or the done channel closed, where the
	// abandoning path does that; elsewhere the buffer). The flag of that
	// name sets it too.
	SendFix string

	// FirstFixOnly drops every fix of a report but the first, so that
	// every driver applies the same one and none says it ignores an
	// alternative. golangci-lint applies every fix of a report, so its
	// plugin sets this, as does the goroutineleak command.
	FirstFixOnly bool
}

// SendFixFlag is the name of the flag, and of the golangci-lint setting,
// that chooses the fix of a send no receiver takes; SendFixChoices are
// its values, the default first.
const SendFixFlag = "sendfix"

var SendFixChoices = []string{"buffer", "select"}

// sendFixValue is the -sendfix flag: one of SendFixChoices.
type sendFixValue struct{ choice *string }

func (v sendFixValue) String() string {
	if v.choice == nil {
		return ""
	}
	return *v.choice
}

func (v sendFixValue) Set(s string) error {
	if !slices.Contains(SendFixChoices, s) {
		return fmt.Errorf("want %s", strings.Join(SendFixChoices, " or "))
	}
	*v.choice = s
	return nil
}

// FlagNames lists the patterns' flag names, which are also the keys of
// Config.Patterns and the golangci-lint plugin's settings.
func FlagNames() []string {
	var names []string
	for _, row := range leak.Patterns {
		if row.Flag != "" {
			names = append(names, row.Flag)
		}
	}
	return names
}

// Analyzer reports every pattern that is on by default (all but
// testfail); its flags (-recv, -send, -loop, -sync, -testfail) switch
// them on or off one by one. Use it alone, not together with recvleak,
// sendleak, loopleak or syncleak, which report the same findings.
var Analyzer = must(New(Config{}))

func must(a *analysis.Analyzer, err error) *analysis.Analyzer {
	if err != nil {
		panic(err)
	}
	return a
}

// New returns an Analyzer that reports what cfg selects. Its flags start
// from cfg; each Analyzer owns its configuration, so drivers may build
// several with different settings. A key of cfg.Patterns that names no
// pattern is an error.
func New(cfg Config) (*analysis.Analyzer, error) {
	known := FlagNames()
	var unknown []string
	for name := range cfg.Patterns {
		if !slices.Contains(known, name) {
			unknown = append(unknown, fmt.Sprintf("%q", name))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("unknown pattern %s (known: %s)", strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	sendFix := SendFixChoices[0]
	if cfg.SendFix != "" {
		if err := (sendFixValue{&sendFix}).Set(cfg.SendFix); err != nil {
			return nil, fmt.Errorf("%s %q: %w", SendFixFlag, cfg.SendFix, err)
		}
	}
	a := &analysis.Analyzer{
		Name:             "goroutineleak",
		Doc:              doc(cfg),
		URL:              "https://github.com/goroutineleak/goroutineleak#readme",
		Requires:         []*analysis.Analyzer{leak.Analyzer},
		RunDespiteErrors: true, // the engine says nothing of a broken package; the driver does
	}
	a.Flags.Init("goroutineleak", flag.ContinueOnError)
	on := map[leak.Pattern]*bool{leak.BadDirective: new(bool)}
	*on[leak.BadDirective] = true
	for _, row := range leak.Patterns {
		if row.Flag != "" {
			on[row.Pattern] = a.Flags.Bool(row.Flag, enabledBy(cfg, row), row.Summary)
		}
	}
	a.Flags.Var(sendFixValue{&sendFix}, SendFixFlag, "the fix of a send no receiver takes, where it has two: buffer (a buffer for every send) or select (stop sending once ctx is cancelled or done is closed)")
	a.Run = func(pass *analysis.Pass) (any, error) {
		var patterns []leak.Pattern
		for _, row := range leak.Patterns {
			if *on[row.Pattern] {
				patterns = append(patterns, row.Pattern)
			}
		}
		if cfg.OmitRelated {
			pass = withoutRelated(pass)
		}
		choice := leak.FixChoice{SendSelect: sendFix == "select", FirstOnly: cfg.FirstFixOnly}
		leak.ReportChoosing(pass, choice, patterns...)
		return nil, nil
	}
	return a, nil
}

// doc is the bundle's documentation, from the pattern table and the
// defaults cfg gives. Its first line is the title drivers print after the
// analyzer's name. The flags are named without a dash: a multichecker
// prefixes them with the analyzer's name (-goroutineleak.recv).
func doc(cfg Config) string {
	var b strings.Builder
	b.WriteString("report goroutines that can never finish\n\n")
	b.WriteString("It reports these patterns, each switched on or off by the flag of that name:\n\n")
	for _, row := range leak.Patterns {
		if row.Flag != "" {
			dflt := ""
			if !enabledBy(cfg, row) {
				dflt = ", off by default"
			}
			fmt.Fprintf(&b, "  %s: %s (%s%s)\n", row.Flag, row.Summary, row.Name, dflt)
		}
	}
	b.WriteString("\nIt reports only what it can prove from the code it sees: a channel that\nreaches unknown code is never reported.")
	return b.String()
}

// enabledBy reports whether cfg leaves the pattern on before any flag is
// set: as cfg.Patterns says, or else the pattern's default.
func enabledBy(cfg Config, row leak.PatternInfo) bool {
	if on, set := cfg.Patterns[row.Flag]; set {
		return on
	}
	return !row.OffByDefault
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
