package contract

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// Generators: a function that makes a channel, starts a goroutine that
// feeds it, and returns it. Nothing but its caller can drain the channel,
// so a caller that stops ranging over it early (break, return), or that
// gives up waiting for its one value (a timeout), leaves the goroutine
// blocked on its next send. A generator whose goroutine can be
// stopped otherwise (it sends in a select, on a done channel) is no
// generator here, with one exception: every send selects on nothing but
// the Done() of the context the generator was given. Then cancelling that
// context stops the goroutine, and a caller that stops ranging leaks it
// only when it cannot cancel the context: one it was given itself, or
// one nothing cancels.

// FeedsResult is attached to a generator: its result Result is a channel
// made with a buffer of Capacity, which its goroutine sends on Sends times
// along one path (manySends in a loop), with nothing else receiving.
// Context, when not 0, is 1 + the index of the parameter whose Done() every
// send selects on.
type FeedsResult struct {
	Result   int
	Capacity int
	Sends    uint8
	Context  int
}

func (*FeedsResult) AFact() {}

func (f *FeedsResult) String() string { return "feedsResult" }

// HasGenerators is attached to a package that exports feedsResult facts,
// so that packages importing none skip the search for their callers.
type HasGenerators struct{}

func (*HasGenerators) AFact() {}

func (*HasGenerators) String() string { return "hasGenerators" }

// A generatorSummary is what this package knows of one of its generators.
type GeneratorSummary struct {
	Fact  FeedsResult
	Start *flow.Spawn // the goroutine that feeds the channel
	Sends []ast.Node  // its sends, or the selects they wait in
}

// Generators are the package's generators, and what the facts of its
// imports say of theirs.
type Generators struct {
	ByFunc   map[*types.Func]*GeneratorSummary
	Imported bool // an import exports a generator
	pass     *analysis.Pass
	pkg      *types.Package
}

// Of is fn's generator summary: this package's (with its goroutine), or
// another package's fact; nil when fn is no generator.
func (g *Generators) Of(fn *types.Func) (*FeedsResult, *GeneratorSummary) {
	if fn == nil {
		return nil, nil
	}
	if s := g.ByFunc[fn]; s != nil {
		return &s.Fact, s
	}
	if fn.Pkg() == nil || fn.Pkg() == g.pkg {
		return nil, nil
	}
	var fact FeedsResult
	if g.pass.ImportObjectFact(fn, &fact) {
		return &fact, nil
	}
	return nil, nil
}

// FindGenerators summarises the package's generators, exports them as
// facts, and notes whether an import exports any.
func FindGenerators(pass *analysis.Pass, x *syntax.Index, sum *flow.Summaries, gs *flow.Goroutines, m *model.Channels) *Generators {
	gens := map[*types.Func]*GeneratorSummary{}
	for _, l := range m.Locals {
		decl, ok := l.Owner.(*ast.FuncDecl)
		if !ok || !l.Flow.Returned || l.Flow.EscapesBesidesReturn {
			continue
		}
		fn, ok := x.Info.Defs[decl.Name].(*types.Func)
		if !ok || gens[fn] != nil {
			continue
		}
		if g := generatorOf(x, sum, gs, fn, decl, l.Flow); g != nil {
			gens[fn] = g
			pass.ExportObjectFact(fn, &g.Fact)
		}
	}
	if len(gens) > 0 {
		pass.ExportPackageFact(new(HasGenerators))
	}
	imported := false
	for _, imp := range x.Pkg.Imports() {
		if pass.ImportPackageFact(imp, new(HasGenerators)) {
			imported = true
			break
		}
	}
	return &Generators{ByFunc: gens, Imported: imported, pass: pass, pkg: x.Pkg}
}

// generatorOf decides whether fn, through the local channel of f, is a
// generator: every return returns that channel, made once with a constant
// buffer; one goroutine literal, started at top level, does all its
// blocking sends (and perhaps closes it); nothing receives from it.
func generatorOf(x *syntax.Index, sum *flow.Summaries, gs *flow.Goroutines, fn *types.Func, decl *ast.FuncDecl, f *flow.ChanFlow) *GeneratorSummary {
	if f.IsNil || f.Defs != 1 || f.Capacity < 0 {
		return nil
	}
	result := returnedResult(x, decl, f.V, f.Made)
	if result < 0 {
		return nil
	}
	var s *flow.Spawn
	var sends, waits []ast.Node // the sends, and where each waits: the send or its select
	plain, guard := false, -1   // some send is plain; the context parameter that guards the others
	for i := range f.Uses {
		u := &f.Uses[i]
		switch {
		case u.Kind.Receives():
			return nil // drained here too: not the caller's alone
		case u.Kind == flow.OpClose:
		case u.Kind == flow.OpSend && u.Via == nil && u.Spawn != nil && u.Spawn.Lit != nil:
			if s != nil && u.Spawn != s {
				return nil
			}
			if u.Blocks() {
				plain = true
			} else if g := contextGuard(x, fn, u); g < 0 || guard >= 0 && g != guard {
				return nil // a select that can be stopped otherwise
			} else {
				guard = g
			}
			s = u.Spawn
			sends = append(sends, u.Node)
			waits = append(waits, u.Node)
			if !u.Blocks() {
				waits[len(waits)-1] = x.CursorOf(u.Comm).Parent().Parent().Node()
			}
		default:
			return nil // code we do not follow
		}
	}
	if plain && guard >= 0 {
		return nil // cancelling the context stops some sends, not all: we say nothing of such mixes
	}
	if s == nil || s.Parent != decl || !startsUnconditionally(s, decl) {
		return nil
	}
	nodes := map[ast.Node]int{}
	for _, n := range sends {
		nodes[n] = 1
	}
	count := flow.CountSends(sum, s.Lit.Body.List, nodes)
	n := max(count.Fall, count.Ret)
	if n <= f.Capacity {
		return nil // the buffer takes it all
	}
	return &GeneratorSummary{
		Fact:  FeedsResult{Result: result, Capacity: f.Capacity, Sends: uint8(min(n, flow.ManySends)), Context: guard + 1},
		Start: s,
		Sends: waits,
	}
}

// contextGuard is the index of fn's context parameter whose Done() is
// every other case of the select in which u sends; -1 when the select
// has another case or a default.
func contextGuard(x *syntax.Index, fn *types.Func, u *flow.ChanUse) int {
	if u.Comm == nil {
		return -1
	}
	cur := x.CursorOf(u.Comm)
	if !cur.Valid() {
		return -1
	}
	sel, ok := cur.Parent().Parent().Node().(*ast.SelectStmt)
	if !ok {
		return -1
	}
	guard := -1
	for _, c := range sel.Body.List {
		cc := c.(*ast.CommClause)
		if cc == u.Comm {
			continue
		}
		ch, send := syntax.CommChannel(cc)
		if ch == nil || send {
			return -1
		}
		id, ok := ast.Unparen(syntax.ContextOfDone(x, ch)).(*ast.Ident)
		if !ok {
			return -1
		}
		param, ok := x.Info.Uses[id].(*types.Var)
		if !ok {
			return -1
		}
		i := syntax.ParamIndex(fn.Signature(), param)
		if i < 0 || guard >= 0 && i != guard {
			return -1
		}
		guard = i
	}
	return guard
}

// returnedResult is the index of the result that every return statement
// of decl (outside function literals) gives v in, or -1. The returns
// before made, v's make, have no channel to give (return nil, err).
func returnedResult(x *syntax.Index, decl *ast.FuncDecl, v *types.Var, made *ast.CallExpr) int {
	result := -1
	ok := true
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if made != nil && n.End() <= made.Pos() {
				return false
			}
			found := -1
			for i, e := range n.Results {
				if id, isID := ast.Unparen(e).(*ast.Ident); isID && x.Info.Uses[id] == v {
					found = i
				}
			}
			if found < 0 || result >= 0 && found != result {
				ok = false
			}
			result = found
		}
		return ok
	})
	if !ok {
		return -1
	}
	return result
}
