package leak

import (
	"fmt"
	"reflect"
	"runtime/debug"

	"golang.org/x/tools/go/analysis"

	"github.com/goroutineleak/goroutineleak/internal/leak/contract"
	"github.com/goroutineleak/goroutineleak/internal/leak/fix"
	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/rule"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Analyzer finds goroutine leaks and hands them, as a *Result, to the
// analyzers that report them. It reports nothing itself.
var Analyzer = &analysis.Analyzer{
	Name:       "goroutineleakfacts",
	Doc:        "find goroutines that can never finish (shared engine of the goroutineleak analyzers)",
	Run:        run,
	FactTypes:  []analysis.Fact{new(flow.LoopsForever), new(flow.ChanParams), new(flow.NoReturn), new(flow.StartsFuncs), new(flow.NilError), new(contract.ReleasedBy), new(contract.HasContracts), new(contract.FeedsResult), new(contract.HasGenerators)},
	ResultType: reflect.TypeFor[*Result](),
	// A package that does not compile is the driver's to report, in one
	// line about the user's code: the engine must not add lines of its own
	// ("analysis skipped", "failed prerequisites") that name it.
	RunDespiteErrors: true,
}

// Result is the Analyzer's result: the package's findings in position order.
type Result struct {
	Findings []Finding
	verdicts []verdict.Verdict // what the rules decided, for the engine's tests
}

// run is the pipeline: index → summaries (facts) → goroutines → channel
// model → contracts (facts) → rules → report. Each stage's result is an
// argument of the next.
func run(pass *analysis.Pass) (res any, err error) {
	// A panic in one package must not take the whole driver down: turn it
	// into an analysis error that names the package.
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("internal error analysing %s: %v\n%s", pass.Pkg.Path(), r, debug.Stack())
		}
	}()
	if len(pass.TypeErrors) > 0 {
		return &Result{}, nil // nothing is said of code that does not compile
	}

	x := syntax.NewIndex(pass.TypesInfo, pass.Pkg, pass.Fset, pass.Files)
	sum := flow.NewSummaries(pass, x)
	sum.ExportFacts()
	gs := flow.FindGoroutines(x, sum)
	m := model.BuildChannels(x, sum, gs)
	k := contract.InferContracts(pass, x, sum, gs, m)
	gens := contract.FindGenerators(pass, x, sum, gs, m)

	locks := model.NewLocks(x, sum)
	in := &rule.Input{
		X: x, Sum: sum, Gs: gs, M: m,
		Locks: locks, Targets: model.NewTargets(x), Sync: model.NewSync(x, m, locks),
		Contracts: k, Generators: gens,
	}
	verdicts := rule.Run(in)
	dirs, badDirectives := findDirectives(x)
	verdicts = append(verdicts, badDirectives...)
	fix.AddFixes(in, verdicts)

	return &Result{Findings: report(x, verdicts, dirs), verdicts: verdicts}, nil
}
