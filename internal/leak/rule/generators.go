package rule

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/edge"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// generatorVerdicts finds ranges over a generator's channel that can stop
// early: the generator's goroutine then blocks on its next send. A
// generator that stops on its context blocks there until that context is
// done: for ever when nothing cancels it, for the rest of the caller's
// caller's work when it is the caller's own, given on unchanged.
func generatorVerdicts(r *Input) []verdict.Verdict {
	if len(r.Generators.ByFunc) == 0 && !r.Generators.Imported {
		return nil
	}
	var out []verdict.Verdict
	for _, rs := range r.X.Wide().Ranges {
		call, direct := generatorCall(r.X, rs.X)
		if call == nil {
			continue
		}
		fn := syntax.StaticCallee(r.X.Info, call)
		fact, local := r.Generators.Of(fn)
		if fact == nil || fact.Result != 0 || int(fact.Sends) <= fact.Capacity+1 {
			continue
		}
		var ctx string // with a generator that stops on its context: whose context it was given
		if fact.Context > 0 {
			if fact.Context > len(call.Args) || call.Ellipsis.IsValid() {
				continue
			}
			if ctx = syntax.OutlivesCall(r.X, call.Args[fact.Context-1]); ctx == "" {
				continue // a context the caller may cancel when it stops
			}
		}
		cur := r.X.CursorOf(rs)
		if !cur.Valid() {
			continue
		}
		exit := flow.FirstLeave(r.Sum, rs.Body, flow.LoopLabel(cur))
		if exit == nil || syntax.IsCall(exit) {
			continue
		}
		why := verdict.StopsGenerator{Generator: fn, Owner: flow.PlaceAt(cur).Owner, Exit: exit, Context: ctx}
		if ctx != "" {
			why.ContextArg = call.Args[fact.Context-1]
		}
		v := verdict.Verdict{Pattern: pattern.UnreadSend, At: rs}
		if local != nil {
			v.Spawn, why.Sends = local.Start, local.Sends
		}
		if !direct {
			why.Call = call // the call is elsewhere: relate it
		}
		v.Why = why
		out = append(out, v)
	}
	return out
}

// generatorCall returns the call of a function whose first result rangeX
// is, directly or through a local variable given it once; direct says
// which.
func generatorCall(x *syntax.Index, rangeX ast.Expr) (*ast.CallExpr, bool) {
	switch e := ast.Unparen(rangeX).(type) {
	case *ast.CallExpr:
		return e, true
	case *ast.Ident:
		v, ok := x.Info.Uses[e].(*types.Var)
		if !ok {
			return nil, false
		}
		// The variable must be used by the range alone, or the channel
		// has other readers we would have to count.
		if call, ok := x.SoleValue(v).(*ast.CallExpr); ok && onlyRanged(x, v) {
			return call, false
		}
		// ch, err := f(): the channel is f's first result.
		if decl := x.CursorAt(v.Pos()); decl.Valid() && syntax.EnclosingFunc(decl) != nil {
			if call, ok := x.TupleSource(v, syntax.EnclosingFunc(decl)).(*ast.CallExpr); ok && onlyRanged(x, v) {
				return call, false
			}
		}
	}
	return nil, false
}

// onlyRanged reports whether v's only uses are its definition and one
// range over it.
func onlyRanged(x *syntax.Index, v *types.Var) bool {
	cur := x.CursorAt(v.Pos())
	if !cur.Valid() || syntax.EnclosingFunc(cur) == nil {
		return false // a package's variable
	}
	ranges := 0
	for _, m := range x.Mentions(syntax.EnclosingFunc(cur), v) {
		if x.Info.Defs[m.Node().(*ast.Ident)] == v {
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
