package leak

import (
	"fmt"
	"go/ast"
	"go/types"
	"reflect"
	"runtime/debug"
	"sort"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"
)

// Analyzer finds goroutine leaks and hands them, as a *Result, to the
// analyzers that report them. It reports nothing itself.
var Analyzer = &analysis.Analyzer{
	Name:       "goroutineleakfacts",
	Doc:        "find goroutines that can never finish (shared engine of the goroutineleak analyzers)",
	Run:        run,
	FactTypes:  []analysis.Fact{new(loopsForever), new(chanParams), new(noReturn), new(releasedBy), new(hasContracts)},
	ResultType: reflect.TypeFor[*Result](),
}

// Pattern says which of the three leak patterns a finding belongs to.
type Pattern int

const (
	UnguardedRecv Pattern = iota // recvleak
	UnreadSend                   // sendleak
	EndlessLoop                  // loopleak
	BadDirective                 // a //goroutineleak:ignore without a reason
)

// A Finding is one leak, ready to report.
type Finding struct {
	Pattern    Pattern
	Diagnostic analysis.Diagnostic
}

// Result is the Analyzer's result: the package's findings in position order.
type Result struct {
	Findings []Finding
}

// checker holds the state of one pass. Nothing outlives the pass.
type checker struct {
	pass  *analysis.Pass
	info  *types.Info
	decls map[*types.Func]*ast.FuncDecl

	// Built only for packages that need them: most packages start no
	// goroutine and have no channel parameter.
	insp *inspector.Inspector
	cfgs map[ast.Node]*cfg.CFG

	// Memoised per-function summaries for this package.
	params   map[*types.Func]*paramSummary
	forever  map[*types.Func]*foreverLoop
	noReturn map[*types.Func]bool

	onceFromMain map[*types.Func]bool         // see calledOnceFromMain
	funcRefs     map[*types.Func][]*ast.Ident // references to the package's functions

	flows     map[*types.Var]*chanFlow // local channels of functions that start goroutines
	fields    map[*types.Var]*chanFlow // channel-typed unexported fields, computed on demand
	contracts map[*types.Func]*contract

	identIndex  map[ast.Node]map[types.Object][]inspector.Cursor // see mentions
	cfgIndex    map[*cfg.CFG]map[ast.Node]nodeAt
	spawnByNode map[ast.Node]*spawn // by literal, or by call for named functions
	positional  []types.Type        // struct types built by unkeyed literals
	findings    []Finding
	reported    map[findingKey]bool
}

type findingKey struct {
	pos     int
	message string
}

func run(pass *analysis.Pass) (res any, err error) {
	// A panic in one package must not take the whole driver down: turn it
	// into an analysis error that names the package.
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("internal error analysing %s: %v\n%s", pass.Pkg.Path(), r, debug.Stack())
		}
	}()

	c := &checker{
		pass:     pass,
		info:     pass.TypesInfo,
		decls:    make(map[*types.Func]*ast.FuncDecl),
		params:   make(map[*types.Func]*paramSummary),
		forever:  make(map[*types.Func]*foreverLoop),
		noReturn: make(map[*types.Func]bool),
		reported: make(map[findingKey]bool),
	}
	c.indexDecls()
	c.exportFacts()

	var spawns []*spawn
	if mayStartGoroutines(pass.Files) {
		spawns = c.findSpawns()
	}
	c.findContracts(spawns)
	c.checkContractCalls()
	if len(spawns) > 0 {
		c.checkChannels(spawns)
		c.checkGoroutineBodies(spawns)
	}

	c.applyDirectives()
	sort.SliceStable(c.findings, func(i, j int) bool {
		return c.findings[i].Diagnostic.Pos < c.findings[j].Diagnostic.Pos
	})
	return &Result{Findings: c.findings}, nil
}

func (c *checker) indexDecls() {
	for _, file := range c.pass.Files {
		for _, d := range file.Decls {
			decl, ok := d.(*ast.FuncDecl)
			if !ok || decl.Body == nil {
				continue
			}
			if fn, ok := c.info.Defs[decl.Name].(*types.Func); ok {
				c.decls[fn] = decl
			}
		}
	}
}

// root is the cursor of the package's syntax, building the inspector on
// first use.
func (c *checker) root() inspector.Cursor {
	if c.insp == nil {
		c.insp = inspector.New(c.pass.Files)
	}
	return c.insp.Root()
}

// mayStartGoroutines is a cheap syntactic filter run before anything is
// built: does the package contain a go statement or a call of a method
// named Go?
func mayStartGoroutines(files []*ast.File) bool {
	found := false
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				found = true
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Go" {
					found = true
				}
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}

// exportFacts summarises every function of the package that other packages
// may start as a goroutine or hand a channel to.
func (c *checker) exportFacts() {
	fns := make([]*types.Func, 0, len(c.decls))
	for fn := range c.decls {
		fns = append(fns, fn)
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].Pos() < fns[j].Pos() })
	for _, fn := range fns {
		if s := c.paramSummary(fn); s != nil && s.hasChan {
			c.pass.ExportObjectFact(fn, &chanParams{Ops: s.ops})
		}
		if loop := c.foreverLoop(fn); loop != nil {
			c.pass.ExportObjectFact(fn, &loopsForever{IgnoresContext: loop.ignoresCtx})
		} else if c.funcNeverReturns(fn) {
			c.pass.ExportObjectFact(fn, new(noReturn))
		}
	}
}

// report records a finding once per position and message.
func (c *checker) report(p Pattern, d analysis.Diagnostic) {
	key := findingKey{int(d.Pos), d.Message}
	if c.reported[key] {
		return
	}
	c.reported[key] = true
	d.Category = p.Category()
	d.URL = p.URL()
	c.findings = append(c.findings, Finding{Pattern: p, Diagnostic: d})
}

// Category is the Diagnostic.Category of the pattern.
func (p Pattern) Category() string {
	switch p {
	case UnguardedRecv:
		return "recvleak"
	case UnreadSend:
		return "sendleak"
	case BadDirective:
		return "directive"
	default:
		return "loopleak"
	}
}

// URL points at the README section that explains the pattern.
func (p Pattern) URL() string {
	anchor := p.Category()
	if p == BadDirective {
		anchor = "suppressing-a-report"
	}
	return "https://github.com/goroutineleak/goroutineleak#" + anchor
}

// Report reports, on pass, the findings of the shared Analyzer that belong
// to one of the given patterns.
func Report(pass *analysis.Pass, patterns ...Pattern) {
	res, _ := pass.ResultOf[Analyzer].(*Result)
	if res == nil {
		return
	}
	for _, f := range res.Findings {
		for _, p := range patterns {
			if f.Pattern == p {
				pass.Report(f.Diagnostic)
			}
		}
	}
}
