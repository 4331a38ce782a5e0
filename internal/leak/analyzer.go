package leak

import (
	"fmt"
	"go/ast"
	"reflect"
	"runtime/debug"

	"golang.org/x/tools/go/analysis"
)

// Analyzer finds goroutine leaks and hands them, as a *Result, to the
// analyzers that report them. It reports nothing itself.
var Analyzer = &analysis.Analyzer{
	Name:       "goroutineleakfacts",
	Doc:        "find goroutines that can never finish (shared engine of the goroutineleak analyzers)",
	Run:        run,
	FactTypes:  []analysis.Fact{new(loopsForever), new(chanParams), new(noReturn), new(releasedBy), new(hasContracts), new(feedsResult), new(hasGenerators)},
	ResultType: reflect.TypeFor[*Result](),
	// A package that does not compile is the driver's to report, in one
	// line about the user's code: the engine must not add lines of its own
	// ("analysis skipped", "failed prerequisites") that name it.
	RunDespiteErrors: true,
}

// Result is the Analyzer's result: the package's findings in position order.
type Result struct {
	Findings []Finding
	verdicts []verdict // what the rules decided, for the engine's tests
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

	x := newIndex(pass.TypesInfo, pass.Pkg, pass.Fset, pass.Files)
	sum := newSummaries(pass, x)
	sum.exportFacts()
	gs := findGoroutines(x)
	m := buildChannels(x, sum, gs)
	k := inferContracts(pass, x, sum, gs, m)
	gens, importsGens := findGenerators(pass, x, sum, gs, m)

	locks := newLockModel(x, sum)
	r := &rules{x: x, sum: sum, gs: gs, m: m, deadInCallee: map[ast.Node][]verdict{}, locks: locks, targets: newTargets(x), sync: newSyncModel(x, m, locks)}
	dirs, badDirectives := findDirectives(x)
	var verdicts []verdict
	verdicts = append(verdicts, contractVerdicts(r, k)...)
	verdicts = append(verdicts, channelVerdicts(r)...)
	verdicts = append(verdicts, bodyVerdicts(r)...)
	verdicts = append(verdicts, shutdownVerdicts(r)...)
	verdicts = append(verdicts, ownCloseVerdicts(r)...)
	verdicts = append(verdicts, lockOrderVerdicts(r)...)
	verdicts = append(verdicts, lockOrderLocalVerdicts(r)...)
	verdicts = append(verdicts, overfillVerdicts(r)...)
	verdicts = append(verdicts, generatorVerdicts(r, gens, importsGens)...)
	verdicts = append(verdicts, badDirectives...)
	addFixes(r, verdicts)

	return &Result{Findings: report(x, verdicts, dirs), verdicts: verdicts}, nil
}
