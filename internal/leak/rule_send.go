package leak

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
)

// sendCounts is what the send rule needs of one channel, gathered once
// for all its sends, so that a function starting thousands of goroutines
// on one channel costs time linear in their number.
type sendCounts struct {
	receives  []*chanUse            // every receive, in source order
	ownSends  map[*spawn][]*chanUse // each goroutine's blocking sends, in source order
	sendNodes map[ast.Node]int      // the blocking sends outside selects: each send, or call of a callee that sends, with its count
	ordinals  map[*spawn]map[ast.Node]ordinal
	// ownerSends counts the blocking sends no goroutine of the package
	// makes: the channel's owner sends too.
	ownerSends int
}

func newSendCounts(r *rules, f *chanFlow) *sendCounts {
	c := &sendCounts{ownSends: map[*spawn][]*chanUse{}, sendNodes: map[ast.Node]int{}, ordinals: map[*spawn]map[ast.Node]ordinal{}}
	for i := range f.uses {
		u := &f.uses[i]
		switch {
		case u.kind.receives():
			c.receives = append(c.receives, u)
		case u.kind == opSend:
			switch {
			case u.blocks() && u.spawn != nil:
				c.ownSends[u.spawn] = append(c.ownSends[u.spawn], u)
			case u.blocks():
				c.ownerSends++
			}
			if !u.inSelect {
				c.sendNodes[u.node] = r.sum.sendsOf(u)
			}
		}
	}
	return c
}

// sendVerdict decides on a goroutine's send that no receiver may take.
func sendVerdict(r *rules, u *chanUse, f *chanFlow, owner ast.Node, counts *sendCounts) (verdict, bool) {
	s := u.spawn
	op := opOf(r, u, f)
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
	perRun := sendsPerRun(r, s, counts)
	instances := instances(r, s, f.v)
	pending := sat(perRun * instances)
	if pending >= many && f.capacity > 0 {
		// An unknown number of sends into a buffer: whether it is large
		// enough depends on counts we cannot see.
		return verdict{}, false
	}
	// Receives by the goroutine itself count too: copies started in a loop
	// receive from one another.
	receives := counts.receives
	// Report the sends that can be the first to find the buffer full:
	// those that can follow exactly capacity+received sends. Where loops
	// send, the counts are unbounded: then one report per goroutine, on
	// the (capacity+received+1)th send in source order.
	ownSends := counts.ownSends[s]
	ordinals := ordinals(r, s, counts)
	isBlockingSend := func(received int) bool {
		full := f.capacity + received
		// A call of a callee that sends w times covers w ordinals.
		if o, ok := ordinals[u.node]; ok && o.plus(counts.sendNodes[u.node]).hi < many {
			return o.lo <= full && full < o.hi+counts.sendNodes[u.node]
		}
		return ownSends[min(full, len(ownSends)-1)] == u
	}
	if len(receives) == 0 {
		if pending > f.capacity && isBlockingSend(0) {
			return found(noPartner{op})
		}
		return verdict{}, false
	}
	if pending > f.capacity && isBlockingSend(0) {
		if wait := waitsBeforeReceiving(r.x, s, u, owner, receives); wait != nil {
			return found(waitsFirst{blockedOp: op, owner: owner, wait: wait, receive: receives[0].node})
		}
		if esc := escapeFrom(r, s, u, owner, f, receives); esc != nil {
			return onTestFailure(found(abandoned{blockedOp: op, owner: owner, path: esc}))
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
			return found(fewReceives{blockedOp: op, owner: owner, receive: receives[0].node, received: k})
		case instances == 1 && perRun < many && perRun > k+f.capacity && isBlockingSend(k):
			return found(extraSends{blockedOp: op, owner: owner, receive: receives[0].node, sent: perRun, received: k})
		}
		// Several goroutines, each started once, that together send more
		// than is received and buffered: one of them blocks for ever,
		// whichever the scheduler lets send last. One report, on the first
		// send of the last goroutine started.
		if n, last := sendsTogether(r, owner, counts); n < many && n > k+f.capacity && last == s && isBlockingSend(0) {
			return found(extraSends{blockedOp: op, owner: owner, receive: receives[0].node, sent: n, received: k, together: true})
		}
		return verdict{}, false
	}
	if len(receives) == 1 && receives[0].kind == opRange && pending > f.capacity+1 && isBlockingSend(0) {
		rs, ok := receives[0].node.(*ast.RangeStmt)
		if !ok {
			return verdict{}, false
		}
		if exit := firstLeave(r.sum, rs.Body, rangeLabel(receives[0])); exit != nil && !isCall(exit) {
			return found(stopsRanging{blockedOp: op, owner: owner, exit: exit})
		}
	}
	// Goroutines started in a loop, and one loop that receives their
	// values but can give up early: on an error it receives, or through a
	// timeout, a context or a default case. The goroutines not yet
	// received from block for ever.
	if instances > 1 && pending > f.capacity+1 && isBlockingSend(0) {
		if loop, exit := givesUpEarly(r, receives); exit != nil {
			return found(stopsRanging{blockedOp: op, owner: owner, exit: exit, loop: loop != nil, started: true})
		}
	}
	return verdict{}, false
}

// givesUpEarly finds the one loop that holds every receive (not by range)
// and a way out of it that gives up: a return or break under `if err !=
// nil`, or in a select case that waits on a timer, a context or nothing
// (default). A loop that leaves only once it has counted what it received
// is no such loop.
func givesUpEarly(r *rules, receives []*chanUse) (ast.Stmt, ast.Node) {
	var loop ast.Stmt
	for _, rcv := range receives {
		if rcv.kind != opRecv || rcv.via != nil {
			return nil, nil
		}
		var l ast.Stmt
		for enc := range rcv.at.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
			l = enc.Node().(ast.Stmt)
			break
		}
		if l == nil || loop != nil && l != loop {
			return nil, nil
		}
		loop = l
	}
	var body *ast.BlockStmt
	switch l := loop.(type) {
	case *ast.ForStmt:
		body = l.Body
	case *ast.RangeStmt:
		body = l.Body
	default:
		return nil, nil
	}
	cur := r.x.cursorOf(loop)
	if !cur.Valid() {
		return nil, nil
	}
	var exit ast.Node
	eachLeave(r.sum, body, loopLabel(cur), func(n ast.Node) bool {
		if !isCall(n) && givesUp(r.x, n) {
			exit = n
			return false
		}
		return true
	})
	return loop, exit
}

// givesUp reports whether the statement n, which leaves a receive loop, is
// under `if err != nil` or in a select case on a timer, a context's Done()
// or the default.
func givesUp(x *index, n ast.Node) bool {
	cur := x.cursorOf(n)
	for enc := range cur.Enclosing((*ast.IfStmt)(nil), (*ast.CommClause)(nil), (*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		switch e := enc.Node().(type) {
		case *ast.IfStmt:
			if isErrCheck(x, e.Cond) {
				return true
			}
		case *ast.CommClause:
			return e.Comm == nil || isGiveUpChannel(x, e)
		default:
			return false // the receive loop itself
		}
	}
	return false
}

// isErrCheck recognises err != nil, for an err of type error.
func isErrCheck(x *index, cond ast.Expr) bool {
	b, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok || b.Op != token.NEQ {
		return false
	}
	isNil := func(e ast.Expr) bool { return isNilIdent(x.info, e) }
	errType := types.Universe.Lookup("error").Type()
	isErr := func(e ast.Expr) bool { return types.Identical(x.info.TypeOf(e), errType) }
	return isNil(b.Y) && isErr(b.X) || isNil(b.X) && isErr(b.Y)
}

// isGiveUpChannel recognises a select case that receives from
// time.After(d), a timer's C or a context's Done().
func isGiveUpChannel(x *index, cc *ast.CommClause) bool {
	ch, send := commChannel(cc)
	if ch == nil || send {
		return false
	}
	switch e := ast.Unparen(ch).(type) {
	case *ast.CallExpr:
		if isFunc(staticCallee(x.info, e), "time", "After") {
			return true
		}
		if sel, ok := ast.Unparen(e.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Done" {
			return isNamed(x.info.TypeOf(sel.X), "context", "Context")
		}
	case *ast.SelectorExpr:
		return e.Sel.Name == "C" && isNamed(x.info.TypeOf(e.X), "time", "Timer")
	}
	return false
}

// waitsBeforeReceiving finds the wg.Wait() call by which the goroutine's
// parent waits for it to finish before it receives what the goroutine
// sends: the goroutine calls wg.Done only when it returns (defer
// wg.Done(), or it was started by wg.Go), so neither ever proceeds. It asks
// for the simple shape it can see whole: one goroutine, not in a loop;
// the Wait a statement of the block of the go statement, after it; every
// receive in the parent, after the Wait.
func waitsBeforeReceiving(x *index, s *spawn, send *chanUse, owner ast.Node, receives []*chanUse) *ast.CallExpr {
	if s.lit == nil || s.inLoop || s.parent != owner || !receivesOnlyHere(s, owner, receives) {
		return nil
	}
	wg := doneAfter(x, s, send)
	if wg == nil {
		return nil
	}
	stmt := s.cur.Parent()
	if _, isCall := stmt.Node().(*ast.ExprStmt); isCall {
		stmt = stmt.Parent() // wg.Go(f) as a statement
	}
	block, ok := stmt.Node().(*ast.BlockStmt)
	if !ok {
		return nil
	}
	for _, stmt := range block.List {
		if stmt.Pos() <= s.start.Pos() {
			continue
		}
		call := exprStmtCall(stmt)
		if call == nil {
			continue
		}
		fn := staticCallee(x.info, call)
		sel, isSel := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if fn == nil || !isSel || fn.Name() != "Wait" || !isMethodOf(fn, "sync", "WaitGroup") || objectOf(x, sel.X) != wg {
			continue
		}
		for _, rcv := range receives {
			if rcv.pos() < call.End() {
				return nil
			}
		}
		return call
	}
	return nil
}

// doneAfter is the WaitGroup (a local or a field's object) whose Done the
// goroutine calls only after send: when it returns (`defer wg.Done()`
// among its top-level statements, or wg.Go starting it), or in a
// top-level statement after the one that sends.
func doneAfter(x *index, s *spawn, send *chanUse) types.Object {
	if call, ok := s.start.(*ast.CallExpr); ok {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			return objectOf(x, sel.X) // wg.Go(f): isGoMethod said which
		}
		return nil
	}
	sent := false
	for _, stmt := range s.body.List {
		var call *ast.CallExpr
		switch st := stmt.(type) {
		case *ast.DeferStmt:
			call = st.Call
		case *ast.ExprStmt:
			if sent {
				call = exprStmtCall(st)
			}
		}
		sent = sent || stmt.Pos() <= send.pos() && send.pos() < stmt.End()
		if call == nil {
			continue
		}
		fn := staticCallee(x.info, call)
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && fn != nil && fn.Name() == "Done" && isMethodOf(fn, "sync", "WaitGroup") {
			return objectOf(x, sel.X)
		}
	}
	return nil
}

// objectOf is the variable an expression names: x, or x.f's field; nil
// for anything else.
func objectOf(x *index, e ast.Expr) types.Object {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return x.info.Uses[e]
	case *ast.SelectorExpr:
		return x.info.Uses[e.Sel]
	case *ast.UnaryExpr: // &wg
		return objectOf(x, e.X)
	}
	return nil
}

// sendsTogether adds up the most sends of the goroutines that send on the
// channel, when there are several and each is started once by owner and
// owner sends nothing itself; it also returns the goroutine started last.
// It returns many when the sum is not known.
func sendsTogether(r *rules, owner ast.Node, counts *sendCounts) (int, *spawn) {
	if len(counts.ownSends) < 2 || counts.ownerSends > 0 {
		return many, nil
	}
	total := 0
	var last *spawn
	for s := range counts.ownSends {
		if s.parent != owner || s.inLoop {
			return many, nil
		}
		total = sat(total + sendsPerRun(r, s, counts))
		if last == nil || s.start.Pos() > last.start.Pos() {
			last = s
		}
	}
	return total, last
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

// ordinals are the ordinals of the sends of a goroutine literal's body
// (see sendOrdinals), computed once per goroutine and channel.
func ordinals(r *rules, s *spawn, counts *sendCounts) map[ast.Node]ordinal {
	if s.lit == nil {
		return nil
	}
	if o, ok := counts.ordinals[s]; ok {
		return o
	}
	own := map[ast.Node]int{}
	for _, u := range counts.ownSends[s] {
		own[u.node] = counts.sendNodes[u.node]
	}
	o := sendOrdinals(r.sum, s.lit.Body.List, own)
	counts.ordinals[s] = o
	return o
}

// sendsPerRun bounds how many times one run of the goroutine can send on
// the channel along a single path; many when a loop sends.
func sendsPerRun(r *rules, s *spawn, counts *sendCounts) int {
	if s.lit == nil {
		// A named function: its summary counts the sends of one call.
		n := 0
		for _, u := range counts.ownSends[s] {
			n = max(n, counts.sendNodes[u.node])
		}
		return max(n, 1)
	}
	n := countSends(r.sum, s.lit.Body.List, counts.sendNodes)
	return max(n.fall, n.ret, 1)
}

// instances bounds how many copies of the goroutine its parent starts
// that share one channel v: the product of the trip counts of the loops
// around the go statement that do not also hold v's declaration (many when
// a count is not a constant).
func instances(r *rules, s *spawn, v *types.Var) int {
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
			n = sat(n * tripCount(r.sum.x, loop.(ast.Stmt)))
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
