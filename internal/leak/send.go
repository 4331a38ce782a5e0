package leak

import (
	"fmt"
	"go/ast"
)

// many stands for "unbounded" in counts of sends.
const many = 1 << 20

// checkSend reports a goroutine's send that no receiver will take.
func (c *checker) checkSend(s *spawn, u *chanUse, f *chanFlow, owner ast.Node, spawns []*spawn) {
	name := f.v.Name()
	what := "sending on " + name
	if u.via != nil {
		what = fmt.Sprintf("in %s, %s", u.callee.Name(), what)
	}
	if f.isNil {
		c.reportAt(UnreadSend, u.node, fmt.Sprintf("goroutine blocks for ever %s: %s is a nil channel", what, name), startedHere(s))
		return
	}
	if f.capacity < 0 {
		return // a buffer sized at run time: assume it is sized for the senders
	}
	if f.capacity == 0 {
		what = "sending on unbuffered channel " + name
		if u.via != nil {
			what = fmt.Sprintf("in %s, sending on unbuffered channel %s", u.callee.Name(), name)
		}
	}
	perRun := c.sendsPerRun(s, f)
	pending := perRun
	if s.inLoop {
		pending = many
	}
	receives := c.usesWhere(f, func(r *chanUse) bool { return r.kind.receives() && c.spawnOf(r, spawns) != s })
	if len(receives) == 0 {
		if pending > f.capacity {
			c.reportAt(UnreadSend, u.node, fmt.Sprintf("goroutine blocks for ever %s: nothing receives from %s", what, name), startedHere(s))
		}
		return
	}
	if pending > f.capacity {
		if esc := c.escapeFrom(s, owner, receives); esc != nil {
			c.reportEscape(UnreadSend, s, u, esc, owner, "goroutine blocks for ever "+what, "receiving from "+name)
			return
		}
	}
	if !c.receivesOnlyHere(s, owner, receives) {
		return
	}
	loopy := false
	for _, r := range receives {
		if r.kind == opRange || c.placeOf(r.pos()).inLoop {
			loopy = true
		}
	}
	if !loopy {
		k := len(receives)
		switch {
		case s.inLoop && f.capacity == 0:
			c.reportAt(UnreadSend, u.node,
				fmt.Sprintf("goroutines started in a loop block for ever %s: %s receives from it only %s", what, funcName(owner), times(k)),
				startedHere(s), related(receives[0].node, "the only receive"))
		case !s.inLoop && perRun > k+f.capacity:
			c.reportAt(UnreadSend, u.node,
				fmt.Sprintf("goroutine blocks for ever %s: it sends %s but %s receives only %s", what, times(perRun), funcName(owner), times(k)),
				startedHere(s), related(receives[0].node, "the only receive"))
		}
		return
	}
	if len(receives) == 1 && receives[0].kind == opRange && pending > f.capacity+1 {
		rs, ok := receives[0].node.(*ast.RangeStmt)
		if !ok {
			return
		}
		if exit := c.firstLeave(rs.Body, labelOf(c, rs)); exit != nil {
			c.reportAt(UnreadSend, u.node,
				fmt.Sprintf("goroutine blocks for ever %s once %s stops ranging over it", what, funcName(owner)),
				startedHere(s), related(exit, fmt.Sprintf("%s stops receiving here", funcName(owner))))
		}
	}
}

// receivesOnlyHere reports whether all receives are done by owner itself,
// the function that started s, outside deferred calls.
func (c *checker) receivesOnlyHere(s *spawn, owner ast.Node, receives []*chanUse) bool {
	if s.parent != owner {
		return false
	}
	for _, r := range receives {
		if p := c.placeOf(r.pos()); p.owner != owner || p.deferred {
			return false
		}
	}
	return true
}

func times(n int) string {
	switch {
	case n >= many:
		return "repeatedly"
	case n == 1:
		return "once"
	case n == 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

// sendsPerRun bounds how many times one run of the goroutine can send on
// the channel along a single path; many when a loop sends.
func (c *checker) sendsPerRun(s *spawn, f *chanFlow) int {
	if s.lit == nil {
		return 1 // a named function: its summary tells that it sends, not how often
	}
	sends := map[ast.Node]bool{}
	for _, u := range f.uses {
		if u.kind == opSend && !u.inSelect && u.via == nil {
			sends[u.node] = true
		}
	}
	fall, term := c.countSends(s.lit.Body.List, sends)
	return max(fall, term, 1)
}

// countSends walks a statement list and returns the largest number of
// sends on a path that falls through its end and on a path that leaves
// (return, panic); -1 where there is no such path.
func (c *checker) countSends(list []ast.Stmt, sends map[ast.Node]bool) (fall, term int) {
	fall, term = 0, -1
	for _, stmt := range list {
		f, t := c.countStmt(stmt, sends)
		if t >= 0 {
			term = max(term, sat(fall+t))
		}
		if f < 0 {
			return -1, term
		}
		fall = sat(fall + f)
	}
	return fall, term
}

func sat(n int) int { return min(n, many) }

func (c *checker) countStmt(stmt ast.Stmt, sends map[ast.Node]bool) (fall, term int) {
	switch s := stmt.(type) {
	case *ast.SendStmt:
		if sends[s] {
			return 1, -1
		}
	case *ast.ReturnStmt:
		return -1, 0
	case *ast.ExprStmt:
		if call, ok := ast.Unparen(s.X).(*ast.CallExpr); ok && c.neverReturns(call) {
			return -1, 0
		}
	case *ast.BlockStmt:
		return c.countSends(s.List, sends)
	case *ast.LabeledStmt:
		return c.countStmt(s.Stmt, sends)
	case *ast.IfStmt:
		f1, t1 := c.countSends(s.Body.List, sends)
		f2, t2 := 0, -1
		if s.Else != nil {
			f2, t2 = c.countStmt(s.Else, sends)
		}
		return max(f1, f2), max(t1, t2)
	case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
		return c.countClauses(s, sends)
	case *ast.ForStmt, *ast.RangeStmt:
		var body *ast.BlockStmt
		if f, ok := s.(*ast.ForStmt); ok {
			body = f.Body
		} else {
			body = s.(*ast.RangeStmt).Body
		}
		f, t := c.countSends(body.List, sends)
		if f > 0 {
			return many, many // an iteration can send and go round again
		}
		return 0, t
	}
	return 0, -1
}

// countClauses combines the cases of a switch or select: one of them runs.
func (c *checker) countClauses(stmt ast.Stmt, sends map[ast.Node]bool) (fall, term int) {
	var body *ast.BlockStmt
	hasDefault := false
	switch s := stmt.(type) {
	case *ast.SwitchStmt:
		body = s.Body
	case *ast.TypeSwitchStmt:
		body = s.Body
	case *ast.SelectStmt:
		body = s.Body
		hasDefault = true // a select always runs one of its cases
	}
	fall, term = -1, -1
	for _, clause := range body.List {
		var list []ast.Stmt
		switch cl := clause.(type) {
		case *ast.CaseClause:
			list = cl.Body
			if cl.List == nil {
				hasDefault = true
			}
		case *ast.CommClause:
			list = cl.Body
			if cl.Comm != nil {
				list = append([]ast.Stmt{cl.Comm}, list...)
			}
		}
		f, t := c.countSends(list, sends)
		fall, term = max(fall, f), max(term, t)
	}
	if !hasDefault {
		fall = max(fall, 0)
	}
	return fall, term
}
