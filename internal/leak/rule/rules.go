// Package rule is stage 5 of the engine: the rules. Each rule reads the
// results of the stages before it, decides, and returns verdicts; none
// writes a message (each reason words itself, in package verdict) or a fix
// (package fix).
//
// A new rule is a file here with its function, a row in [All], a reason
// type with its Word method in package verdict, and, if a fix is certainly
// safe, a file in package fix.
package rule

import (
	"github.com/goroutineleak/goroutineleak/internal/leak/contract"
	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Input holds the results of the earlier stages. The rules only read it;
// the models memoise their own answers.
type Input struct {
	X   *syntax.Index
	Sum *flow.Summaries
	Gs  *flow.Goroutines
	M   *model.Channels

	Locks   *model.Locks   // built per function, on demand
	Targets *model.Targets // calls through function values
	Sync    *model.Sync    // the package's locks, WaitGroups and Conds

	Contracts  *contract.Contracts  // release methods of the package's types
	Generators *contract.Generators // the package's generators
}

// A Rule is one family of leaks the engine looks for.
type Rule struct {
	Name     string
	Verdicts func(*Input) []verdict.Verdict
}

// All is the list of rules, in the order their verdicts are made (the
// report sorts them by position).
var All = []Rule{
	{"lifecycle contracts: an object dropped without its release method", contractVerdicts},
	{"lifecycle contracts: a release method that returns on an error before it releases", releaseReturnsEarlyVerdicts},
	{"lifecycle contracts: a method of an object run as a goroutine, and the object dropped", goOnObjectVerdicts},
	{"lifecycle contracts: an error return that skips the release another error return makes", errorPathVerdicts},
	{"lifecycle contracts: an object taken out of a field that is then cleared, and dropped", takenFieldVerdicts},
	{"local channels: a partner that can go away", channelVerdicts},
	{"goroutine bodies: dead channels, endless loops, sync waits", bodyVerdicts},
	{"goroutines that relay other contexts' end to a context cancelled elsewhere too", cancelRelayVerdicts},
	{"one-sided shutdown", shutdownVerdicts},
	{"a wait only the goroutine's own deferred close releases", ownCloseVerdicts},
	{"hooks of an event loop that send more than their installer receives", hookVerdicts},
	{"callbacks handed to another package that send after their owner gave up", handedVerdicts},
	{"lock order: a wait holding the lock its releaser takes first", lockOrderVerdicts},
	{"lock order within one function", lockOrderLocalVerdicts},
	{"buffers filled before anything can receive", overfillVerdicts},
	{"generators whose callers stop ranging", generatorVerdicts},
	{"loops whose only ways out never come", deadExitVerdicts},
}

// Run runs every rule.
func Run(in *Input) []verdict.Verdict {
	var out []verdict.Verdict
	for _, r := range All {
		out = append(out, r.Verdicts(in)...)
	}
	return out
}
