package leak

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
)

// many stands for "unbounded" in counts of sends.
const many = 1 << 20

// checkSend reports a goroutine's send that no receiver will take.
func (c *checker) checkSend(s *spawn, u *chanUse, f *chanFlow, owner ast.Node) {
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
	instances := c.instances(s, f.v)
	pending := sat(perRun * instances)
	if pending >= many && f.capacity > 0 {
		// An unknown number of sends into a buffer: whether it is large
		// enough depends on counts we cannot see.
		return
	}
	// Receives by the goroutine itself count too: copies started in a loop
	// receive from one another.
	receives := c.usesWhere(f, func(r *chanUse) bool { return r.kind.receives() })
	// One report per goroutine: on the send that finds the buffer full,
	// the (capacity+received+1)th in source order.
	ownSends := c.usesWhere(f, func(r *chanUse) bool { return r.kind == opSend && r.blocks() && c.spawnOf(r) == s })
	isBlockingSend := func(received int) bool {
		return ownSends[min(f.capacity+received, len(ownSends)-1)] == u
	}
	if len(receives) == 0 {
		if pending > f.capacity && isBlockingSend(0) {
			c.reportAt(UnreadSend, u.node, fmt.Sprintf("goroutine blocks for ever %s: nothing receives from %s", what, name), startedHere(s))
		}
		return
	}
	if pending > f.capacity && isBlockingSend(0) {
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
		// A callee's receives have no count we know.
		if r.kind == opRange || r.via != nil || c.placeAt(r.at).inLoop {
			loopy = true
		}
	}
	if !loopy {
		k := len(receives)
		switch {
		case instances > 1 && pending > k+f.capacity && (f.capacity == 0 || instances < many) && isBlockingSend(0):
			c.reportAt(UnreadSend, u.node,
				fmt.Sprintf("goroutines started in a loop block for ever %s: %s receives from it only %s", what, funcName(owner), times(k)),
				startedHere(s), related(receives[0].node, "the only receive"))
		case instances == 1 && perRun < many && perRun > k+f.capacity && isBlockingSend(k):
			c.reportAt(UnreadSend, u.node,
				fmt.Sprintf("goroutine blocks for ever %s: it sends %s but %s receives only %s", what, times(perRun), funcName(owner), times(k)),
				startedHere(s), related(receives[0].node, "the only receive"))
		}
		return
	}
	if len(receives) == 1 && receives[0].kind == opRange && pending > f.capacity+1 && isBlockingSend(0) {
		rs, ok := receives[0].node.(*ast.RangeStmt)
		if !ok {
			return
		}
		if exit := c.firstLeave(rs.Body, rangeLabel(receives[0])); exit != nil && !isCall(exit) {
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
		if p := c.placeAt(r.at); p.owner != owner || p.deferred {
			return false
		}
	}
	return true
}

func isCall(n ast.Node) bool {
	_, ok := n.(*ast.CallExpr)
	return ok
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
	n := c.countSends(s.lit.Body.List, sends)
	return max(n.fall, n.ret, 1)
}

// sendCount is, for the paths through a statement, the largest number of
// sends on a path that falls through it, that returns (or panics), that
// breaks out of the enclosing loop or switch, and that continues the
// enclosing loop; -1 where there is no such path.
type sendCount struct{ fall, ret, brk, cont int }

var noSends = sendCount{fall: 0, ret: -1, brk: -1, cont: -1}

func (x sendCount) or(y sendCount) sendCount {
	return sendCount{max(x.fall, y.fall), max(x.ret, y.ret), max(x.brk, y.brk), max(x.cont, y.cont)}
}

// countSends walks a statement list in order.
func (c *checker) countSends(list []ast.Stmt, sends map[ast.Node]bool) sendCount {
	acc := noSends
	for _, stmt := range list {
		x := c.countStmt(stmt, sends)
		after := func(n int) int {
			if n < 0 {
				return -1
			}
			return sat(acc.fall + n)
		}
		acc.ret = max(acc.ret, after(x.ret))
		acc.brk = max(acc.brk, after(x.brk))
		acc.cont = max(acc.cont, after(x.cont))
		if x.fall < 0 {
			acc.fall = -1
			return acc
		}
		acc.fall = sat(acc.fall + x.fall)
	}
	return acc
}

func sat(n int) int { return min(n, many) }

func (c *checker) countStmt(stmt ast.Stmt, sends map[ast.Node]bool) sendCount {
	switch s := stmt.(type) {
	case *ast.SendStmt:
		if sends[s] {
			return sendCount{fall: 1, ret: -1, brk: -1, cont: -1}
		}
	case *ast.ReturnStmt:
		return sendCount{fall: -1, ret: 0, brk: -1, cont: -1}
	case *ast.BranchStmt:
		switch {
		case s.Label != nil || s.Tok == token.GOTO:
			// Leaves for somewhere we do not follow: counted as leaving.
			return sendCount{fall: -1, ret: 0, brk: -1, cont: -1}
		case s.Tok == token.BREAK:
			return sendCount{fall: -1, ret: -1, brk: 0, cont: -1}
		case s.Tok == token.CONTINUE:
			return sendCount{fall: -1, ret: -1, brk: -1, cont: 0}
		}
	case *ast.ExprStmt:
		if call, ok := ast.Unparen(s.X).(*ast.CallExpr); ok && c.neverReturns(call) {
			return sendCount{fall: -1, ret: 0, brk: -1, cont: -1}
		}
	case *ast.BlockStmt:
		return c.countSends(s.List, sends)
	case *ast.LabeledStmt:
		return c.countStmt(s.Stmt, sends)
	case *ast.IfStmt:
		els := noSends
		if s.Else != nil {
			els = c.countStmt(s.Else, sends)
		}
		return c.countSends(s.Body.List, sends).or(els)
	case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
		return c.countClauses(s, sends)
	case *ast.ForStmt:
		return c.countLoop(s.Body, sends)
	case *ast.RangeStmt:
		return c.countLoop(s.Body, sends)
	}
	return noSends
}

// countLoop: an iteration that sends and can go round again sends without
// bound; otherwise the loop falls through (after zero iterations, or a
// break) and returns as its body does.
func (c *checker) countLoop(body *ast.BlockStmt, sends map[ast.Node]bool) sendCount {
	x := c.countSends(body.List, sends)
	if max(x.fall, x.cont) > 0 {
		return sendCount{fall: many, ret: many, brk: -1, cont: -1}
	}
	return sendCount{fall: max(0, x.brk), ret: x.ret, brk: -1, cont: -1}
}

// countClauses combines the cases of a switch or select: one of them runs,
// and a break in a case leaves the switch, not the loop around it.
func (c *checker) countClauses(stmt ast.Stmt, sends map[ast.Node]bool) sendCount {
	var body *ast.BlockStmt
	hasDefault := false
	switch s := stmt.(type) {
	case *ast.SwitchStmt:
		body = s.Body
	case *ast.TypeSwitchStmt:
		body = s.Body
	case *ast.SelectStmt:
		body = s.Body
		hasDefault = true // a select runs one of its cases
	}
	acc := sendCount{fall: -1, ret: -1, brk: -1, cont: -1}
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
		x := c.countSends(list, sends)
		x.fall, x.brk = max(x.fall, x.brk), -1
		acc = acc.or(x)
	}
	if !hasDefault {
		acc.fall = max(acc.fall, 0)
	}
	return acc
}

// instances bounds how many copies of the goroutine its parent starts
// that share one channel v: the product of the trip counts of the loops
// around the go statement that do not also hold v's declaration (many when
// a count is not a constant).
func (c *checker) instances(s *spawn, v *types.Var) int {
	if !s.inLoop {
		return 1
	}
	leaves := leavesAfter(s.cur)
	if leaves == token.RETURN {
		return 1 // the go statement is followed by a return: it runs once
	}
	n := 1
	inSwitch := false
	for enc := range s.cur.Enclosing() {
		if enc.Node() == s.parent {
			break
		}
		switch loop := enc.Node().(type) {
		case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			inSwitch = true
		case *ast.ForStmt, *ast.RangeStmt:
			if loop.Pos() <= v.Pos() && v.Pos() < loop.End() {
				return n // a new channel each iteration
			}
			if leaves == token.BREAK && !inSwitch {
				leaves = token.ILLEGAL // go ...; break: once for this loop
				continue
			}
			n = sat(n * c.tripCount(loop.(ast.Stmt)))
		}
	}
	return n
}

// leavesAfter reports whether the statements after the go statement at cur,
// in its own block, end with a return or an unlabelled break.
func leavesAfter(cur inspector.Cursor) token.Token {
	block, ok := cur.Parent().Node().(*ast.BlockStmt)
	if !ok {
		return token.ILLEGAL
	}
	after := false
	for _, stmt := range block.List {
		if stmt == cur.Node() {
			after = true
			continue
		}
		if !after {
			continue
		}
		switch stmt := stmt.(type) {
		case *ast.ReturnStmt:
			return token.RETURN
		case *ast.BranchStmt:
			if stmt.Tok == token.BREAK && stmt.Label == nil {
				return token.BREAK
			}
			return token.ILLEGAL
		}
	}
	return token.ILLEGAL
}

// tripCount recognises `for i := 0; i < N; i++` and `for range N` with a
// constant N; otherwise it returns many.
func (c *checker) tripCount(loop ast.Stmt) int {
	switch loop := loop.(type) {
	case *ast.RangeStmt:
		if n, ok := c.constInt(loop.X); ok {
			return max(n, 0)
		}
	case *ast.ForStmt:
		init, ok1 := loop.Init.(*ast.AssignStmt)
		cond, ok2 := loop.Cond.(*ast.BinaryExpr)
		post, ok3 := loop.Post.(*ast.IncDecStmt)
		if !ok1 || !ok2 || !ok3 || len(init.Lhs) != 1 || len(init.Rhs) != 1 || post.Tok != token.INC {
			break
		}
		id, ok := init.Lhs[0].(*ast.Ident)
		if !ok || !sameIdent(cond.X, id) || !sameIdent(post.X, id) {
			break
		}
		lo, ok1 := c.constInt(init.Rhs[0])
		hi, ok2 := c.constInt(cond.Y)
		if !ok1 || !ok2 {
			break
		}
		switch cond.Op {
		case token.LSS:
			return max(hi-lo, 0)
		case token.LEQ:
			return max(hi-lo+1, 0)
		}
	}
	return many
}

func sameIdent(e ast.Expr, id *ast.Ident) bool {
	x, ok := ast.Unparen(e).(*ast.Ident)
	return ok && x.Name == id.Name
}

func (c *checker) constInt(e ast.Expr) (int, bool) {
	tv := c.info.Types[e]
	if tv.Value == nil {
		return 0, false
	}
	n, exact := constant.Int64Val(constant.ToInt(tv.Value))
	if !exact || n > many || n < -many {
		return 0, false
	}
	return int(n), true
}
