package flow

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// Loops paced by a clock. A goroutine that sends on every tick of a
// ticker (or after every sleep) until it is told to stop sends again
// whether or not anyone is still receiving: its next round needs nothing
// from its partner. A partner that receives a fixed number of times and
// then stops it leaves it waiting on the send of a round that started
// before the stop (the scrape loop that reports every error to the test's
// channel, and only then looks at its context).

// maxPacedDepth bounds how many callees a channel is followed into.
const maxPacedDepth = 3

// PacedSendLoop is the loop around the blocking send u (in the code that
// does it, or in a function of this package that u passes the channel
// to, whose blocking send is in such a loop) that a clock paces: see
// pacedLoop. Nil when there is none.
func (sum *Summaries) PacedSendLoop(u *ChanUse) ast.Stmt {
	return sum.pacedSendLoop(u, 0)
}

func (sum *Summaries) pacedSendLoop(u *ChanUse, depth int) ast.Stmt {
	if u.Kind != OpSend || u.InSelect || u.Place.Deferred {
		return nil
	}
	cur := sum.X.CursorOf(u.Node)
	if !cur.Valid() {
		return nil
	}
	if loop := sum.pacedLoopAround(cur, u.Node); loop != nil {
		return loop
	}
	if u.Via == nil || depth == maxPacedDepth {
		return nil
	}
	decl := sum.X.Decls[u.Callee]
	if decl == nil || u.Arg >= u.Callee.Signature().Params().Len() {
		return nil
	}
	param := u.Callee.Signature().Params().At(u.Arg)
	if param.Name() == "" || param.Name() == "_" {
		return nil
	}
	f := sum.FlowOf(param, decl)
	if f.Escapes {
		return nil
	}
	for i := range f.Uses {
		w := &f.Uses[i]
		if w.Place.Owner != decl {
			continue // a goroutine of the callee's, or a literal
		}
		if loop := sum.pacedSendLoop(w, depth+1); loop != nil {
			return loop
		}
	}
	return nil
}

// pacedLoopAround is the innermost loop around the send (or the call that
// sends) at cur, within its function, when a clock paces it.
func (sum *Summaries) pacedLoopAround(cur inspector.Cursor, send ast.Node) ast.Stmt {
	for enc := range cur.Enclosing() {
		switch loop := enc.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return nil
		case *ast.SelectStmt:
			return nil // a send in a select case is not made on every round
		case *ast.ForStmt, *ast.RangeStmt:
			if enc == cur {
				continue
			}
			if sum.pacedLoop(loop.(ast.Stmt), LoopLabel(enc), send) && !sum.guardedByRoundState(cur, loop.(ast.Stmt)) {
				return loop.(ast.Stmt)
			}
			return nil
		}
	}
	return nil
}

// guardedByRoundState reports whether the send at cur sits under a
// condition on a variable that loop's rounds assign: a flag (if !sent),
// a count, or the channel itself set to nil once used. Such a send need
// not come on every round. Variables declared in the loop are new each
// round, and do not count.
func (sum *Summaries) guardedByRoundState(cur inspector.Cursor, loop ast.Stmt) bool {
	assigned := map[types.Object]bool{}
	ast.Inspect(loop, func(n ast.Node) bool {
		var lhs []ast.Expr
		switch n := n.(type) {
		case *ast.AssignStmt:
			lhs = n.Lhs
		case *ast.IncDecStmt:
			lhs = []ast.Expr{n.X}
		}
		for _, e := range lhs {
			if id, ok := ast.Unparen(e).(*ast.Ident); ok {
				// A variable declared in the loop is new each round.
				if obj := sum.X.Info.ObjectOf(id); obj != nil && (obj.Pos() < loop.Pos() || obj.Pos() >= loop.End()) {
					assigned[obj] = true
				}
			}
		}
		return true
	})
	mentionsAssigned := func(e ast.Node) bool {
		found := false
		ast.Inspect(e, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && assigned[sum.X.Info.Uses[id]] {
				found = true
			}
			return !found
		})
		return found
	}
	for enc := range cur.Enclosing() {
		switch n := enc.Node().(type) {
		case *ast.IfStmt:
			if n.Cond.End() <= cur.Node().Pos() && mentionsAssigned(n.Cond) {
				return true
			}
		case *ast.SwitchStmt:
			if n.Tag != nil && n.Tag.End() <= cur.Node().Pos() && mentionsAssigned(n.Tag) {
				return true
			}
		case *ast.CaseClause:
			for _, e := range n.List {
				if mentionsAssigned(e) {
					return true
				}
			}
		}
		if enc.Node() == loop {
			return false
		}
	}
	return false
}

// pacedLoop reports whether loop goes round on a clock and leaves only
// when told to stop:
//   - it is for {} (or for true {}) and waits on a ticker, a timer,
//     time.After or time.Sleep, or it ranges over a ticker;
//   - it waits on nothing else: every other receive is a select case that
//     leaves the loop (a stop signal), and it sends nowhere but at send;
//   - every way out of it is in such a select case.
//
// Calls it makes are taken to return.
func (sum *Summaries) pacedLoop(loop ast.Stmt, label string, send ast.Node) bool {
	var body *ast.BlockStmt
	paced := false
	switch l := loop.(type) {
	case *ast.ForStmt:
		if l.Cond != nil && !isConstTrue(sum.X, l.Cond) {
			return false
		}
		body = l.Body
	case *ast.RangeStmt:
		if !isTickChannel(sum.X, l.X) {
			return false
		}
		body, paced = l.Body, true
	}
	var leaves []ast.Node
	ok := true
	EachLeave(sum, body, label, func(leave ast.Node) bool {
		leaves = append(leaves, leave)
		ok = inStopCase(sum, leave, loop)
		return ok
	})
	leavesIn := func(cc *ast.CommClause) bool {
		for _, leave := range leaves {
			if cc.Pos() <= leave.Pos() && leave.End() <= cc.End() {
				return true
			}
		}
		return false
	}
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if !ok {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.SendStmt:
			ok = n == send
		case *ast.RangeStmt:
			ok = !syntax.IsChan(sum.X.Info.TypeOf(n.X))
		case *ast.CallExpr:
			if syntax.IsFunc(syntax.StaticCallee(sum.X.Info, n), "time", "Sleep") {
				paced = true
			}
		case *ast.CommClause:
			ch, isSend := syntax.CommChannel(n)
			switch {
			case n.Comm == nil: // default
			case isSend:
				ok = false
			case isClock(sum.X, ch):
				paced = true
			case !leavesIn(n):
				ok = false // a wait for a partner
			}
			// The case's communication is judged; its body is walked.
			for _, stmt := range n.Body {
				ast.Inspect(stmt, visit)
			}
			return false
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				paced = paced || isClock(sum.X, n.X)
				ok = isClock(sum.X, n.X)
			}
		}
		return true
	}
	if ok {
		ast.Inspect(body, visit)
	}
	return ok && paced
}

// inStopCase reports whether leave sits in a select case of loop that
// receives: the loop leaves when a stop signal comes, not on a count or
// an error of its own.
func inStopCase(sum *Summaries, leave, loop ast.Node) bool {
	cc := syntax.CaseAround(sum.X, leave, loop)
	if cc == nil {
		return false
	}
	ch, send := syntax.CommChannel(cc)
	return ch != nil && !send
}

// isClock recognises channels a clock sends on: a ticker's (see
// isTickChannel), time.After(d) and the C of a timer.
func isClock(x *syntax.Index, ch ast.Expr) bool {
	if isTickChannel(x, ch) {
		return true
	}
	switch e := ast.Unparen(ch).(type) {
	case *ast.CallExpr:
		return syntax.IsFunc(syntax.StaticCallee(x.Info, e), "time", "After")
	case *ast.SelectorExpr:
		return e.Sel.Name == "C" && syntax.IsNamed(x.Info.TypeOf(e.X), "time", "Timer")
	}
	return false
}
