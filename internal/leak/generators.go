package leak

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
)

// Generators: a function that makes a channel, starts a goroutine that
// feeds it, and returns it. Nothing but its caller can drain the channel,
// so a caller that stops ranging over it early (break, return) leaves the
// goroutine blocked on its next send. A generator whose goroutine can be
// stopped otherwise (it sends in a select, on a done channel or a
// context) is no generator here.

// feedsResult is attached to a generator: its result Result is a channel
// made with a buffer of Capacity, which its goroutine sends on Sends times
// along one path (manySends in a loop), with nothing else receiving.
type feedsResult struct {
	Result   int
	Capacity int
	Sends    uint8
}

func (*feedsResult) AFact() {}

func (f *feedsResult) String() string { return "feedsResult" }

// hasGenerators is attached to a package that exports feedsResult facts,
// so that packages importing none skip the search for their callers.
type hasGenerators struct{}

func (*hasGenerators) AFact() {}

func (*hasGenerators) String() string { return "hasGenerators" }

// A generatorSummary is what this package knows of one of its generators.
type generatorSummary struct {
	fact  feedsResult
	start *spawn     // the goroutine that feeds the channel
	sends []ast.Node // its sends
}

// findGenerators summarises the package's generators, exports them as
// facts, and reports whether an import exports any.
func findGenerators(pass *analysis.Pass, x *index, sum *summaries, gs *goroutines, m *channelModel) (map[*types.Func]*generatorSummary, bool) {
	gens := map[*types.Func]*generatorSummary{}
	for _, l := range m.locals {
		decl, ok := l.owner.(*ast.FuncDecl)
		if !ok || !l.flow.returned || l.flow.escapesBesidesReturn {
			continue
		}
		fn, ok := x.info.Defs[decl.Name].(*types.Func)
		if !ok || gens[fn] != nil {
			continue
		}
		if g := generatorOf(x, sum, gs, fn, decl, l.flow); g != nil {
			gens[fn] = g
			pass.ExportObjectFact(fn, &g.fact)
		}
	}
	if len(gens) > 0 {
		pass.ExportPackageFact(new(hasGenerators))
	}
	imported := false
	for _, imp := range x.pkg.Imports() {
		if pass.ImportPackageFact(imp, new(hasGenerators)) {
			imported = true
			break
		}
	}
	return gens, imported
}

// generatorOf decides whether fn, through the local channel of f, is a
// generator: every return returns that channel, made once with a constant
// buffer; one goroutine literal, started at top level, does all its
// blocking sends (and perhaps closes it); nothing receives from it.
func generatorOf(x *index, sum *summaries, gs *goroutines, fn *types.Func, decl *ast.FuncDecl, f *chanFlow) *generatorSummary {
	if f.isNil || f.defs != 1 || f.capacity < 0 {
		return nil
	}
	result := returnedResult(x, decl, f.v)
	if result < 0 {
		return nil
	}
	var s *spawn
	var sends []ast.Node
	for i := range f.uses {
		u := &f.uses[i]
		switch {
		case u.kind.receives():
			return nil // drained here too: not the caller's alone
		case u.kind == opClose:
		case u.kind == opSend && u.blocks() && u.via == nil && u.spawn != nil && u.spawn.lit != nil:
			if s != nil && u.spawn != s {
				return nil
			}
			s = u.spawn
			sends = append(sends, u.node)
		default:
			return nil // a send in a select, or by code we do not follow
		}
	}
	if s == nil || s.parent != decl || !startsUnconditionally(s, decl) {
		return nil
	}
	nodes := map[ast.Node]int{}
	for _, n := range sends {
		nodes[n] = 1
	}
	count := countSends(sum, s.lit.Body.List, nodes)
	n := max(count.fall, count.ret)
	if n <= f.capacity+1 {
		return nil // one receive and the buffer take it all
	}
	return &generatorSummary{
		fact:  feedsResult{Result: result, Capacity: f.capacity, Sends: uint8(min(n, manySends))},
		start: s,
		sends: sends,
	}
}

// returnedResult is the index of the result that every return statement
// of decl (outside function literals) gives v in, or -1.
func returnedResult(x *index, decl *ast.FuncDecl, v *types.Var) int {
	result := -1
	ok := true
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			found := -1
			for i, e := range n.Results {
				if id, isID := ast.Unparen(e).(*ast.Ident); isID && x.info.Uses[id] == v {
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

// generatorVerdicts finds ranges over a generator's channel that can stop
// early: the generator's goroutine then blocks on its next send.
func generatorVerdicts(r *rules, gens map[*types.Func]*generatorSummary, imported bool) []verdict {
	if len(gens) == 0 && !imported {
		return nil
	}
	var out []verdict
	for _, rs := range r.x.wide().ranges {
		call, direct := generatorCall(r.x, rs.X)
		if call == nil {
			continue
		}
		fn := staticCallee(r.x.info, call)
		fact, local := generatorFact(r, gens, fn)
		if fact == nil || int(fact.Sends) <= fact.Capacity+1 {
			continue
		}
		cur := r.x.cursorOf(rs)
		if !cur.Valid() {
			continue
		}
		exit := firstLeave(r.sum, rs.Body, loopLabel(cur))
		if exit == nil || isCall(exit) {
			continue
		}
		why := stopsGenerator{generator: fn, owner: placeAt(cur).owner, exit: exit}
		v := verdict{pattern: UnreadSend, at: rs}
		if local != nil {
			v.spawn, why.sends = local.start, local.sends
		}
		if !direct {
			why.call = call // the call is elsewhere: relate it
		}
		v.why = why
		out = append(out, v)
	}
	return out
}

// generatorCall returns the call of a function that rangeX is, directly or
// through a local variable given it once; direct says which.
func generatorCall(x *index, rangeX ast.Expr) (*ast.CallExpr, bool) {
	switch e := ast.Unparen(rangeX).(type) {
	case *ast.CallExpr:
		return e, true
	case *ast.Ident:
		v, ok := x.info.Uses[e].(*types.Var)
		if !ok {
			return nil, false
		}
		// The variable must be used by the range alone, or the channel
		// has other readers we would have to count.
		if call, ok := x.soleValue(v).(*ast.CallExpr); ok && onlyRanged(x, v) {
			return call, false
		}
	}
	return nil, false
}

// onlyRanged reports whether v's only uses are its definition and one
// range over it.
func onlyRanged(x *index, v *types.Var) bool {
	cur := x.cursorAt(v.Pos())
	if !cur.Valid() {
		return false
	}
	ranges := 0
	for _, m := range x.mentions(enclosingFunc(cur), v) {
		if x.info.Defs[m.Node().(*ast.Ident)] == v {
			continue
		}
		if k, _ := m.ParentEdge(); k == edge.RangeStmt_X {
			ranges++
			continue
		}
		return false
	}
	return ranges == 1
}

// generatorFact is fn's generator summary: this package's, or another's
// fact.
func generatorFact(r *rules, gens map[*types.Func]*generatorSummary, fn *types.Func) (*feedsResult, *generatorSummary) {
	if fn == nil {
		return nil, nil
	}
	if g := gens[fn]; g != nil {
		return &g.fact, g
	}
	if fn.Pkg() == nil || fn.Pkg() == r.x.pkg {
		return nil, nil
	}
	var fact feedsResult
	if r.sum.pass.ImportObjectFact(fn, &fact) {
		return &fact, nil
	}
	return nil, nil
}

// loopLabel is the label of the loop statement at cur, or "".
func loopLabel(cur inspector.Cursor) string {
	if ls, ok := cur.Parent().Node().(*ast.LabeledStmt); ok {
		return ls.Label.Name
	}
	return ""
}
