package leak

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
)

// many stands for "unbounded" in counts of sends.
const many = 1 << 20

// sendCounts is what the send rule needs of one channel, gathered once
// for all its sends, so that a function starting thousands of goroutines
// on one channel costs time linear in their number.
type sendCounts struct {
	receives  []*chanUse            // every receive, in source order
	ownSends  map[*spawn][]*chanUse // each goroutine's blocking sends, in source order
	sendNodes map[ast.Node]bool     // the blocking sends written in goroutine literals
}

func newSendCounts(f *chanFlow) *sendCounts {
	c := &sendCounts{ownSends: map[*spawn][]*chanUse{}, sendNodes: map[ast.Node]bool{}}
	for i := range f.uses {
		u := &f.uses[i]
		switch {
		case u.kind.receives():
			c.receives = append(c.receives, u)
		case u.kind == opSend:
			if u.blocks() && u.spawn != nil {
				c.ownSends[u.spawn] = append(c.ownSends[u.spawn], u)
			}
			if !u.inSelect && u.via == nil {
				c.sendNodes[u.node] = true
			}
		}
	}
	return c
}

// sendVerdict decides on a goroutine's send that no receiver may take.
func (r *rules) sendVerdict(u *chanUse, f *chanFlow, owner ast.Node, counts *sendCounts) (verdict, bool) {
	s := u.spawn
	op := opOf(u, f)
	found := func(why reason) (verdict, bool) {
		return verdict{pattern: UnreadSend, at: u.node, spawn: s, why: why}, true
	}
	if f.isNil {
		return found(nilChannel{op})
	}
	if f.capacity < 0 {
		return verdict{}, false // a buffer sized at run time: assume it is sized for the senders
	}
	op.unbuffered = f.capacity == 0
	perRun := r.sendsPerRun(s, counts)
	instances := r.instances(s, f.v)
	pending := sat(perRun * instances)
	if pending >= many && f.capacity > 0 {
		// An unknown number of sends into a buffer: whether it is large
		// enough depends on counts we cannot see.
		return verdict{}, false
	}
	// Receives by the goroutine itself count too: copies started in a loop
	// receive from one another.
	receives := counts.receives
	// One report per goroutine: on the send that finds the buffer full,
	// the (capacity+received+1)th in source order.
	ownSends := counts.ownSends[s]
	isBlockingSend := func(received int) bool {
		return ownSends[min(f.capacity+received, len(ownSends)-1)] == u
	}
	if len(receives) == 0 {
		if pending > f.capacity && isBlockingSend(0) {
			return found(noPartner{op})
		}
		return verdict{}, false
	}
	if pending > f.capacity && isBlockingSend(0) {
		if esc := r.escapeFrom(s, owner, receives); esc != nil {
			return found(abandoned{op: op, owner: owner, path: esc})
		}
	}
	if !receivesOnlyHere(s, owner, receives) {
		return verdict{}, false
	}
	loopy := false
	for _, rcv := range receives {
		// A callee's receives have no count we know.
		if rcv.kind == opRange || rcv.via != nil || rcv.place.inLoop {
			loopy = true
		}
	}
	if !loopy {
		k := len(receives)
		switch {
		case instances > 1 && pending > k+f.capacity && (f.capacity == 0 || instances < many) && isBlockingSend(0):
			return found(fewReceives{op: op, owner: owner, receive: receives[0].node, received: k})
		case instances == 1 && perRun < many && perRun > k+f.capacity && isBlockingSend(k):
			return found(extraSends{op: op, owner: owner, receive: receives[0].node, sent: perRun, received: k})
		}
		return verdict{}, false
	}
	if len(receives) == 1 && receives[0].kind == opRange && pending > f.capacity+1 && isBlockingSend(0) {
		rs, ok := receives[0].node.(*ast.RangeStmt)
		if !ok {
			return verdict{}, false
		}
		if exit := r.sum.firstLeave(rs.Body, rangeLabel(receives[0])); exit != nil && !isCall(exit) {
			return found(stopsRanging{op: op, owner: owner, exit: exit})
		}
	}
	return verdict{}, false
}

// receivesOnlyHere reports whether all receives are done by owner itself,
// the function that started s, outside deferred calls.
func receivesOnlyHere(s *spawn, owner ast.Node, receives []*chanUse) bool {
	if s.parent != owner {
		return false
	}
	for _, r := range receives {
		if r.place.owner != owner || r.place.deferred {
			return false
		}
	}
	return true
}

func isCall(n ast.Node) bool {
	_, ok := n.(*ast.CallExpr)
	return ok
}

// sendsPerRun bounds how many times one run of the goroutine can send on
// the channel along a single path; many when a loop sends.
func (r *rules) sendsPerRun(s *spawn, counts *sendCounts) int {
	if s.lit == nil {
		return 1 // a named function: its summary tells that it sends, not how often
	}
	n := r.countSends(s.lit.Body.List, counts.sendNodes)
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
func (r *rules) countSends(list []ast.Stmt, sends map[ast.Node]bool) sendCount {
	acc := noSends
	for _, stmt := range list {
		x := r.countStmt(stmt, sends)
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

func (r *rules) countStmt(stmt ast.Stmt, sends map[ast.Node]bool) sendCount {
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
		if call, ok := ast.Unparen(s.X).(*ast.CallExpr); ok && r.sum.neverReturns(call) {
			return sendCount{fall: -1, ret: 0, brk: -1, cont: -1}
		}
	case *ast.BlockStmt:
		return r.countSends(s.List, sends)
	case *ast.LabeledStmt:
		return r.countStmt(s.Stmt, sends)
	case *ast.IfStmt:
		els := noSends
		if s.Else != nil {
			els = r.countStmt(s.Else, sends)
		}
		return r.countSends(s.Body.List, sends).or(els)
	case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
		return r.countClauses(s, sends)
	case *ast.ForStmt:
		return r.countLoop(s.Body, sends)
	case *ast.RangeStmt:
		return r.countLoop(s.Body, sends)
	}
	return noSends
}

// countLoop: an iteration that sends and can go round again sends without
// bound; otherwise the loop falls through (after zero iterations, or a
// break) and returns as its body does.
func (r *rules) countLoop(body *ast.BlockStmt, sends map[ast.Node]bool) sendCount {
	x := r.countSends(body.List, sends)
	if max(x.fall, x.cont) > 0 {
		return sendCount{fall: many, ret: many, brk: -1, cont: -1}
	}
	return sendCount{fall: max(0, x.brk), ret: x.ret, brk: -1, cont: -1}
}

// countClauses combines the cases of a switch or select: one of them runs,
// and a break in a case leaves the switch, not the loop around it.
func (r *rules) countClauses(stmt ast.Stmt, sends map[ast.Node]bool) sendCount {
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
		x := r.countSends(list, sends)
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
func (r *rules) instances(s *spawn, v *types.Var) int {
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
			n = sat(n * r.tripCount(loop.(ast.Stmt)))
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
func (r *rules) tripCount(loop ast.Stmt) int {
	switch loop := loop.(type) {
	case *ast.RangeStmt:
		if n, ok := r.constInt(loop.X); ok {
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
		lo, ok1 := r.constInt(init.Rhs[0])
		hi, ok2 := r.constInt(cond.Y)
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

func (r *rules) constInt(e ast.Expr) (int, bool) {
	tv := r.x.info.Types[e]
	if tv.Value == nil {
		return 0, false
	}
	n, exact := constant.Int64Val(constant.ToInt(tv.Value))
	if !exact || n > many || n < -many {
		return 0, false
	}
	return int(n), true
}
