package model

import (
	"go/ast"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// An escapePath is a way for a function to return, after starting a
// goroutine, without doing anything that would release it.
type EscapePath struct {
	Exit ast.Node // where the function leaves: a *ast.ReturnStmt, or a call that ends its test
	// TestEnds, for an exit that ends a test (t.Fatal, t.Skip,
	// require.NoError, ...), says how: "fails" or "is skipped".
	TestEnds string
	// Implicit marks the return at the end of a body that go/cfg makes
	// up: its Return is the closing brace, and its End lies past it.
	Implicit bool
	Choice   *ast.CommClause // the select case taken instead of the releasing one, if any
}

// FindEscape searches the CFG of the function around start (the go
// statement) for a path from start to a return that passes none of the
// releases. Releases are operations directly in that function. A path
// that enters a loop whose body releases leaves it only by giving up on
// purpose (see givesUp: a timeout, a context, a stop signal from outside,
// the end of the test):
// loops over inputs are taken to run at least once, and a loop that waits
// on several channels is otherwise taken to wait until the release, since
// the order in which channels become ready is beyond this analysis. A loop
// that declares the channel is not such a loop: its next iteration makes a
// new channel, which releases nothing started in this one.
//
// pending, when not nil, is the goroutine's operation that waits for a
// release: a select case that cannot be ready while it waits (see
// readyOnlyAfter) is no way out.
func FindEscape(m *Channels, g *cfg.CFG, start inspector.Cursor, releases []*flow.ChanUse, channel *types.Var, pending *flow.ChanUse) *EscapePath {
	if g == nil {
		return nil
	}
	// Find the go statement (or the statement around a wg.Go call).
	index := m.x.CfgNodeIndex(g)
	for enc := range start.Enclosing() {
		if at, ok := index[enc.Node()]; ok {
			return SearchEscape(m, g, at.Block, at.Index+1, releases, channel, pending)
		}
	}
	return nil
}

// SearchEscape searches g, from node firstIndex of block first on, for a
// path to a return that passes none of the releases (see findEscape).
func SearchEscape(m *Channels, g *cfg.CFG, first *cfg.Block, firstIndex int, releases []*flow.ChanUse, channel *types.Var, pending *flow.ChanUse) *EscapePath {
	releasedBy := func(n ast.Node) bool {
		for _, r := range releases {
			if n.Pos() <= r.Pos() && r.Pos() < n.End() {
				return true
			}
		}
		return false
	}
	// Select communications are evaluated in the block before the select,
	// but they happen when their case is chosen.
	comms := map[ast.Node]bool{}
	for _, r := range releases {
		if r.Comm != nil {
			comms[r.Comm.Comm] = true
		}
	}
	// A loop whose body releases is walked, so that a way out of the body
	// that skips the release (a return, a break in a timeout case) is
	// found; leaving it through its condition is taken to release, since
	// the iterations before may have (a loop that receives n times).
	// Ranging over the channel itself releases.
	bodyReleases := func(b *cfg.Block) bool {
		if b.Stmt == nil || b.Kind != cfg.KindForLoop && b.Kind != cfg.KindRangeLoop {
			return false
		}
		return releasedBy(b.Stmt) && !declares(b.Stmt, channel)
	}
	blockReleases := func(b *cfg.Block, from int) bool {
		switch b.Kind {
		case cfg.KindRangeLoop:
			rs := b.Stmt.(*ast.RangeStmt)
			if releasedBy(rs.X) || slices.ContainsFunc(releases, func(r *flow.ChanUse) bool { return r.Node == rs }) {
				return true // it ranges over the channel, or receives to know what to range over
			}
		case cfg.KindSelectCaseBody:
			if b.Stmt != nil && releasedBy(b.Stmt) {
				if cc, ok := b.Stmt.(*ast.CommClause); !ok || cc.Comm != nil && releasedBy(cc.Comm) {
					return true
				}
			}
		}
		for _, n := range b.Nodes[from:] {
			if !comms[n] && releasedBy(n) {
				return true
			}
		}
		return false
	}

	if !first.Live {
		return nil
	}
	// visit tells whether b, from node from on, releases, or leaves the
	// function first: a call that ends the test before any release, or a
	// return at its end.
	visit := func(b *cfg.Block, from int, prev map[*cfg.Block]*cfg.Block) (released bool, esc *EscapePath) {
		switch b.Kind {
		case cfg.KindRangeLoop, cfg.KindSelectCaseBody:
			if blockReleases(b, 0) {
				return true, nil
			}
		}
		for _, n := range b.Nodes[from:] {
			if how := EndsTest(m.x, n); how != "" {
				esc := describeEscape(m.x, n, b, prev, releasedBy)
				esc.TestEnds = how
				return false, esc
			}
			if !comms[n] && releasedBy(n) {
				return true, nil
			}
		}
		if len(b.Succs) == 0 && len(b.Nodes) > 0 {
			if ret, ok := b.Nodes[len(b.Nodes)-1].(*ast.ReturnStmt); ok {
				return false, describeEscape(m.x, ret, b, prev, releasedBy)
			}
		}
		return false, nil
	}

	// A path out of a loop whose body releases is one only when it gives
	// up on purpose (see givesUp). Other ways out of such loops depend on data that
	// the release sets (a counter, a map filled once the channel is
	// closed), which the graph does not see.
	throughWalkedLoop := func(b *cfg.Block, prev map[*cfg.Block]*cfg.Block) bool {
		for blk := b; blk != nil; blk = prev[blk] {
			// A for loop without a condition has no loop block: the path
			// enters its body directly.
			loop, condless := blk.Stmt.(*ast.ForStmt)
			condless = condless && blk.Kind == cfg.KindForBody && loop.Cond == nil
			if bodyReleases(blk) || condless && releasedBy(loop) && !declares(loop, channel) {
				return true
			}
		}
		return false
	}
	// Breadth-first, so the path reported is a shortest one. Each block is
	// visited once; a graph larger than maxSearchBlocks is given up on.
	if len(g.Blocks) > maxSearchBlocks {
		return nil
	}
	prev := map[*cfg.Block]*cfg.Block{first: nil}
	queue := []*cfg.Block{first}
	for len(queue) > 0 {
		b := queue[0]
		queue = queue[1:]
		from := 0
		if b == first {
			from = firstIndex
		}
		released, esc := visit(b, from, prev)
		if esc != nil && (!throughWalkedLoop(b, prev) || givesUp(m.x, esc)) {
			return esc
		}
		if released {
			continue
		}
		for i, s := range b.Succs {
			if i == 1 && (bodyReleases(b) || nilGuardedRelease(m.x, b, channel, releasedBy)) {
				continue // the loop's exit through its condition (see bodyReleases), or the channel is nil
			}
			if _, seen := prev[s]; seen || isDeadCaseBlock(m, s) || unknownCase(m, s) || readyOnlyAfter(m, s, pending) {
				continue
			}
			prev[s] = b
			queue = append(queue, s)
		}
	}
	return nil
}

// nilGuardedRelease reports whether b ends in the condition `ch != nil`
// of an if statement whose body releases, ch being the channel: the path
// that skips the body is one where the variable holds no channel, so no
// goroutine waits on it (it was set to nil once released, as in a loop
// that starts one goroutine at a time).
func nilGuardedRelease(x *syntax.Index, b *cfg.Block, channel *types.Var, releasedBy func(ast.Node) bool) bool {
	if channel == nil || len(b.Nodes) == 0 || len(b.Succs) != 2 {
		return false
	}
	cond, ok := b.Nodes[len(b.Nodes)-1].(ast.Expr)
	if !ok {
		return false
	}
	if id, ok := ast.Unparen(syntax.NonNilOperand(x.Info, cond)).(*ast.Ident); !ok || x.Info.Uses[id] != channel {
		return false
	}
	cur := x.CursorOf(cond)
	if !cur.Valid() {
		return false
	}
	ifStmt, ok := cur.Parent().Node().(*ast.IfStmt)
	return ok && ifStmt.Cond == cond && releasedBy(ifStmt.Body)
}

// declares reports whether the loop declares the channel variable: each
// iteration then has a channel of its own.
func declares(loop ast.Node, channel *types.Var) bool {
	return loop.Pos() <= channel.Pos() && channel.Pos() < loop.End()
}

// givesUp reports whether the escape leaves on purpose: it ends the test,
// or takes, instead of the releasing case, a timeout's or a context's, or
// one that receives a signal from outside the function (a parameter's or a
// field's channel: told to stop).
func givesUp(x *syntax.Index, esc *EscapePath) bool {
	if esc.TestEnds != "" {
		return true
	}
	if esc.Choice == nil {
		return false
	}
	if syntax.IsGiveUpChannel(x, esc.Choice) {
		return true
	}
	ch, send := syntax.CommChannel(esc.Choice)
	if ch == nil || send {
		return false
	}
	switch e := ast.Unparen(ch).(type) {
	case *ast.Ident:
		obj := x.Info.Uses[e]
		if obj == nil {
			return false
		}
		cur := x.CursorAt(obj.Pos())
		return cur.Valid() && syntax.IsParamOrResultIdent(cur)
	case *ast.SelectorExpr:
		v, ok := x.Info.Uses[e.Sel].(*types.Var)
		return ok && v.IsField()
	}
	return false
}

// describeEscape finds, along the path ending at b, the select case that
// was chosen over the releasing one.
func describeEscape(x *syntax.Index, exit ast.Node, b *cfg.Block, prev map[*cfg.Block]*cfg.Block, releasedBy func(ast.Node) bool) *EscapePath {
	p := &EscapePath{Exit: exit}
	var path []*cfg.Block
	for blk := b; blk != nil; blk = prev[blk] {
		path = append(path, blk)
	}
	// path runs from the return back to the start: the first select met
	// whose cases hold a release is the last one taken, the one that
	// decided to leave. The escape search never enters a case that
	// releases, so the case on the path is the one taken instead.
	for _, blk := range path {
		switch blk.Kind {
		case cfg.KindSelectCaseBody:
			if sel := selectOf(x, blk); sel != nil && releasedBy(sel) {
				p.Choice = blk.Stmt.(*ast.CommClause)
				return p
			}
		case cfg.KindSelectAfterCase:
			// Past the releasing case with no case body on the path: the
			// default was taken.
			if sel := selectOf(x, blk); sel != nil && releasedBy(sel) {
				for _, s := range sel.Body.List {
					if cc := s.(*ast.CommClause); cc.Comm == nil {
						p.Choice = cc
					}
				}
				return p
			}
		}
	}
	return p
}

// selectOf finds the select statement that an after-case block belongs to,
// by the clause it records.
func selectOf(x *syntax.Index, after *cfg.Block) *ast.SelectStmt {
	cc, ok := after.Stmt.(*ast.CommClause)
	if !ok {
		return nil
	}
	cur := x.CursorOf(cc)
	if !cur.Valid() {
		return nil
	}
	for enc := range cur.Enclosing((*ast.SelectStmt)(nil)) {
		return enc.Node().(*ast.SelectStmt)
	}
	return nil
}

// EndsTest tells whether n, a statement, ends the test that runs it:
// t.Fatal, t.FailNow and t.Skip call runtime.Goexit, and so do testify's
// require functions when they fail. It returns how ("fails", "is
// skipped"), or "".
func EndsTest(x *syntax.Index, n ast.Node) string {
	es, ok := n.(*ast.ExprStmt)
	if !ok {
		return ""
	}
	call, ok := ast.Unparen(es.X).(*ast.CallExpr)
	if !ok {
		return ""
	}
	fn := syntax.StaticCallee(x.Info, call)
	if fn == nil || fn.Pkg() == nil {
		return ""
	}
	if how := syntax.TestEnd(fn); how != "" {
		return how
	}
	if fn.Pkg().Path() == "github.com/stretchr/testify/require" {
		return "fails"
	}
	return ""
}

// unknownCase reports whether b is the body of a select case receiving
// from a local channel variable the model gave up on (assigned more than
// once, or handed to code we cannot see): when it becomes ready, and
// whether that depends on the goroutine that waits, is beyond us, so it is
// no way out we can assert.
func unknownCase(m *Channels, b *cfg.Block) bool {
	f := caseFlow(m, b)
	return f != nil && f.Escapes
}

// caseFlow is the flow of the local channel variable that b, the body of
// a select case, receives from; nil for other blocks and cases.
func caseFlow(m *Channels, b *cfg.Block) *flow.ChanFlow {
	if b.Kind != cfg.KindSelectCaseBody {
		return nil
	}
	cc, ok := b.Stmt.(*ast.CommClause)
	if !ok || cc.Comm == nil {
		return nil
	}
	ch, send := syntax.CommChannel(cc)
	id, ok := ast.Unparen(ch).(*ast.Ident)
	if !ok || send {
		return nil
	}
	v, _ := m.x.Info.Uses[id].(*types.Var)
	return m.ByVar[v]
}

// readyOnlyAfter reports whether b is the body of a select case receiving
// from a local channel that can become ready only after the goroutine has
// got past its pending operation: every send to or close of it is done by
// that goroutine itself, deferred or on no path that reaches the pending
// operation, or past the call in which a callee does it. (A goroutine
// that sends its result on one of two channels and closes both when it
// returns never lets its reader take the other case while it waits.)
func readyOnlyAfter(m *Channels, b *cfg.Block, pending *flow.ChanUse) bool {
	if pending == nil {
		return false
	}
	s := pending.Spawn
	if s == nil || s.Lit == nil || pending.Place.Owner != s.Lit {
		return false
	}
	f := caseFlow(m, b)
	if f == nil || f.Escapes {
		return false
	}
	g := m.x.CfgOf(s.Lit, m.sum.MayReturn)
	released := false
	for i := range f.Uses {
		u := &f.Uses[i]
		if u.Kind != flow.OpSend && u.Kind != flow.OpClose {
			continue
		}
		if u.Spawn != s || u.Via != nil || u.Place.Owner != s.Lit {
			return false // readied by other code, whose timing we do not follow
		}
		released = true
		if !u.Place.Deferred && reaches(m.x, g, u.Node, pending.Node) {
			return false
		}
	}
	return released
}

// reaches reports whether, in g, control can go from the statement holding
// from to the one holding to (not through from's own statement again
// first). It answers true when either is not found.
func reaches(x *syntax.Index, g *cfg.CFG, from, to ast.Node) bool {
	if g == nil {
		return true
	}
	index := x.CfgNodeIndex(g)
	locate := func(n ast.Node) (syntax.NodeAt, bool) {
		for enc := range x.CursorOf(n).Enclosing() {
			if at, ok := index[enc.Node()]; ok {
				return at, true
			}
		}
		return syntax.NodeAt{}, false
	}
	a, okA := locate(from)
	b, okB := locate(to)
	if !okA || !okB {
		return true
	}
	if a.Block == b.Block && a.Index < b.Index {
		return true
	}
	seen := map[*cfg.Block]bool{}
	queue := append([]*cfg.Block(nil), a.Block.Succs...)
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		if seen[x] {
			continue
		}
		seen[x] = true
		if x == b.Block {
			return true
		}
		queue = append(queue, x.Succs...)
	}
	return false
}

// isDeadCaseBlock reports whether b is the body of a select case that can
// never be chosen, so no path goes through it.
func isDeadCaseBlock(m *Channels, b *cfg.Block) bool {
	if b.Kind != cfg.KindSelectCaseBody {
		return false
	}
	cc, ok := b.Stmt.(*ast.CommClause)
	if !ok || cc.Comm == nil {
		return false
	}
	_, dead := m.DeadCase(cc)
	return dead
}

// maxSearchBlocks bounds the control-flow graphs that path searches walk:
// a function larger than this (generated code, mostly) gets no path-based
// reports rather than unbounded work.
const maxSearchBlocks = 50000

// ReturnHere relates the return of an escape path: the closing brace
// alone for the return at the end of a body.
func (p *EscapePath) ReturnHere(msg string) analysis.RelatedInformation {
	rel := syntax.Related(p.Exit, msg)
	if ret, ok := p.Exit.(*ast.ReturnStmt); ok && p.Implicit {
		rel.End = ret.Return + 1
	}
	return rel
}
