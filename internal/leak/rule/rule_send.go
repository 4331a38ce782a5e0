package rule

import (
	"cmp"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// sendCounts is what the send rule needs of one channel, gathered once
// for all its sends, so that a function starting thousands of goroutines
// on one channel costs time linear in their number.
type sendCounts struct {
	receives  []*flow.ChanUse                 // every receive, in source order
	ownSends  map[*flow.Spawn][]*flow.ChanUse // each goroutine's blocking sends, in source order
	SendNodes map[ast.Node]int                // the blocking sends outside selects: each send, or call of a callee that sends, with its count
	ordinals  map[*flow.Spawn]map[ast.Node]flow.Ordinal
	// ownerSends counts the blocking sends no goroutine of the package
	// makes: the channel's owner sends too.
	ownerSends int
}

func NewSendCounts(r *Input, f *flow.ChanFlow) *sendCounts {
	c := &sendCounts{ownSends: map[*flow.Spawn][]*flow.ChanUse{}, SendNodes: map[ast.Node]int{}, ordinals: map[*flow.Spawn]map[ast.Node]flow.Ordinal{}}
	for i := range f.Uses {
		u := &f.Uses[i]
		switch {
		case u.Kind.Receives():
			c.receives = append(c.receives, u)
		case u.Kind == flow.OpSend:
			switch {
			case u.Blocks() && u.Spawn != nil:
				c.ownSends[u.Spawn] = append(c.ownSends[u.Spawn], u)
			case u.Blocks():
				c.ownerSends++
			}
			if !u.InSelect {
				c.SendNodes[u.Node] = r.Sum.SendsOf(u)
			}
		}
	}
	return c
}

// sendVerdict decides on a goroutine's send that no receiver may take.
func sendVerdict(r *Input, u *flow.ChanUse, f *flow.ChanFlow, owner ast.Node, counts *sendCounts) (verdict.Verdict, bool) {
	s := u.Spawn
	op := opOf(r, u, f)
	found := func(why verdict.Reason) (verdict.Verdict, bool) {
		return verdict.Verdict{Pattern: pattern.UnreadSend, At: u.Node, Spawn: s, Why: why}, true
	}
	if f.IsNil {
		return found(verdict.NilChannel{BlockedOp: op})
	}
	if f.Capacity < 0 {
		return verdict.Verdict{}, false // a buffer sized at run time: assume it is sized for the senders
	}
	op.Unbuffered = f.Capacity == 0
	perRun := SendsPerRun(r, s, counts)
	instances := Instances(r, s, f.V)
	pending := flow.Sat(perRun * instances)
	if pending >= flow.Many && f.Capacity > 0 {
		// An unknown number of sends into a buffer: whether it is large
		// enough depends on counts we cannot see.
		return verdict.Verdict{}, false
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
		full := f.Capacity + received
		// A call of a callee that sends w times covers w ordinals.
		if o, ok := ordinals[u.Node]; ok && o.Plus(counts.SendNodes[u.Node]).Hi < flow.Many {
			return o.Lo <= full && full < o.Hi+counts.SendNodes[u.Node]
		}
		return ownSends[min(full, len(ownSends)-1)] == u
	}
	// Goroutines started in a loop, and one loop that receives their
	// values but can give up early: on an error it receives, or through a
	// timeout, a context or a default case. The goroutines not yet
	// received from block for ever.
	loopGivesUp := func() (verdict.Verdict, bool) {
		if instances > 1 && pending > f.Capacity+1 && isBlockingSend(0) {
			if loop, exit := givesUpEarly(r, receives); exit != nil {
				return found(verdict.StopsRanging{BlockedOp: op, Owner: owner, Exit: exit, Loop: loop != nil, Started: true})
			}
		}
		return verdict.Verdict{}, false
	}
	// paced judges the send as one a clock-paced loop makes every round.
	paced := func() (verdict.Verdict, bool) {
		return pacedVerdict(r, u, f, s, owner, receives, perRun, instances, op)
	}
	if len(receives) == 0 {
		if pending > f.Capacity && isBlockingSend(0) {
			return found(verdict.NoPartner{BlockedOp: op})
		}
		return verdict.Verdict{}, false
	}
	if pending > f.Capacity && isBlockingSend(0) {
		if wait := waitsBeforeReceiving(r.X, s, u, owner, receives); wait != nil {
			return found(verdict.WaitsFirst{BlockedOp: op, Owner: owner, Wait: wait, Receive: receives[0].Node})
		}
		if v, ok := loopGivesUp(); ok {
			return v, true // worded for the loop that gives up, which the path found below would run through
		}
		if esc := escapeFrom(r, s, u, owner, f, receives); esc != nil {
			v, ok := onTestFailure(found(verdict.Abandoned{BlockedOp: op, Owner: owner, Path: esc}))
			if v.Pattern == pattern.TestFailure {
				// Only a failing test abandons it here; a loop paced
				// by a clock can outrun every receive even when none
				// fails.
				if pv, ok := paced(); ok {
					return pv, true
				}
			}
			return v, ok
		}
	}
	if v, ok := paced(); ok {
		return v, true
	}
	if !startedUnder(r, s, owner) || !receivesOnlyIn(owner, receives) {
		return verdict.Verdict{}, false
	}
	loopy := false
	for _, rcv := range receives {
		// A callee's receives have no count we know.
		if rcv.Kind == flow.OpRange || rcv.Via != nil || rcv.Place.InLoop {
			loopy = true
		}
	}
	if !loopy {
		k := len(receives)
		switch {
		case instances > 1 && pending > k+f.Capacity && (f.Capacity == 0 || instances < flow.Many) && isBlockingSend(0):
			return found(verdict.FewReceives{BlockedOp: op, Owner: owner, Receive: receives[0].Node, Received: k})
		case instances == 1 && perRun < flow.Many && perRun > k+f.Capacity && isBlockingSend(k):
			return found(verdict.ExtraSends{BlockedOp: op, Owner: owner, Receive: receives[0].Node, Sent: perRun, Received: k})
		}
		// Several goroutines, each started once, that together send more
		// than is received and buffered: one of them blocks for ever,
		// whichever the scheduler lets send last. One report, on the first
		// send of the last goroutine started.
		if n, last, others := sendsTogether(r, owner, counts); n < flow.Many && n > k+f.Capacity && last == s && isBlockingSend(0) {
			return found(verdict.ExtraSends{BlockedOp: op, Owner: owner, Receive: receives[0].Node, Sent: n, Received: k, Together: true, Others: others})
		}
		return verdict.Verdict{}, false
	}
	if len(receives) == 1 && receives[0].Kind == flow.OpRange && pending > f.Capacity+1 && isBlockingSend(0) {
		rs, ok := receives[0].Node.(*ast.RangeStmt)
		if !ok {
			return verdict.Verdict{}, false
		}
		if exit := flow.FirstLeave(r.Sum, rs.Body, flow.RangeLabel(receives[0])); exit != nil && !syntax.IsCall(exit) {
			return found(verdict.StopsRanging{BlockedOp: op, Owner: owner, Exit: exit})
		}
	}
	return loopGivesUp()
}

// pacedVerdict decides on the send u of one goroutine that sends again
// and again in a loop a clock paces (see flow.PacedSendLoop), on an
// unbuffered channel that its parent receives from a fixed number of
// times: the parent can stop the loop (cancel its context, close its stop
// channel) only between rounds, and a round that started before the stop
// sends to no one.
func pacedVerdict(r *Input, u *flow.ChanUse, f *flow.ChanFlow, s *flow.Spawn, owner ast.Node, receives []*flow.ChanUse, perRun, instances int, op verdict.BlockedOp) (verdict.Verdict, bool) {
	if instances != 1 || perRun < flow.Many || f.Capacity != 0 || len(receives) == 0 || s.Parent != owner || !receivesOnlyIn(owner, receives) {
		return verdict.Verdict{}, false
	}
	for _, rcv := range receives {
		if rcv.Kind != flow.OpRecv || rcv.Via != nil || rcv.Place.InLoop {
			return verdict.Verdict{}, false // a count we do not know
		}
	}
	if f.Count(func(w *flow.ChanUse) bool { return w.Kind == flow.OpSend }) != 1 {
		return verdict.Verdict{}, false // other senders share the receives
	}
	loop := r.Sum.PacedSendLoop(u)
	if loop == nil {
		return verdict.Verdict{}, false
	}
	return verdict.Verdict{Pattern: pattern.UnreadSend, At: u.Node, Spawn: s,
		Why: verdict.ExtraSends{BlockedOp: op, Owner: owner, Receive: receives[0].Node, Sent: perRun, Received: len(receives), Paced: loop}}, true
}

// givesUpEarly finds the one loop that holds every receive (not by range)
// and a way out of it that gives up: a return or break under `if err !=
// nil`, or in a select case that waits on a timer, a context or nothing
// (default). A loop that leaves only once it has counted what it received
// is no such loop.
func givesUpEarly(r *Input, receives []*flow.ChanUse) (ast.Stmt, ast.Node) {
	var loop ast.Stmt
	for _, rcv := range receives {
		if rcv.Kind != flow.OpRecv || rcv.Via != nil {
			return nil, nil
		}
		var l ast.Stmt
		for enc := range rcv.At.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
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
	cur := r.X.CursorOf(loop)
	if !cur.Valid() {
		return nil, nil
	}
	var exit ast.Node
	flow.EachLeave(r.Sum, body, flow.LoopLabel(cur), func(n ast.Node) bool {
		if !syntax.IsCall(n) && givesUp(r.X, n) {
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
func givesUp(x *syntax.Index, n ast.Node) bool {
	cur := x.CursorOf(n)
	for enc := range cur.Enclosing((*ast.IfStmt)(nil), (*ast.CommClause)(nil), (*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		switch e := enc.Node().(type) {
		case *ast.IfStmt:
			if isErrCheck(x, e.Cond) {
				return true
			}
		case *ast.CommClause:
			return e.Comm == nil || syntax.IsGiveUpChannel(x, e)
		default:
			return false // the receive loop itself
		}
	}
	return false
}

// isErrCheck recognises err != nil, for an err of type error.
func isErrCheck(x *syntax.Index, cond ast.Expr) bool {
	b, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok || b.Op != token.NEQ {
		return false
	}
	isNil := func(e ast.Expr) bool { return syntax.IsNilIdent(x.Info, e) }
	errType := types.Universe.Lookup("error").Type()
	isErr := func(e ast.Expr) bool { return types.Identical(x.Info.TypeOf(e), errType) }
	return isNil(b.Y) && isErr(b.X) || isNil(b.X) && isErr(b.Y)
}

// waitsBeforeReceiving finds the wg.Wait() call by which the goroutine's
// parent waits for it to finish before it receives what the goroutine
// sends: the goroutine calls wg.Done only when it returns (defer
// wg.Done(), or it was started by wg.Go), so neither ever proceeds. It asks
// for the simple shape it can see whole: one goroutine, not in a loop;
// the Wait a statement of the block of the go statement, after it; every
// receive in the parent, after the Wait.
func waitsBeforeReceiving(x *syntax.Index, s *flow.Spawn, send *flow.ChanUse, owner ast.Node, receives []*flow.ChanUse) *ast.CallExpr {
	if s.Lit == nil || s.InLoop || s.Parent != owner || !receivesOnlyIn(owner, receives) {
		return nil
	}
	wg := doneAfter(x, s, send)
	if wg == nil {
		return nil
	}
	stmt := s.Cur.Parent()
	if _, isCall := stmt.Node().(*ast.ExprStmt); isCall {
		stmt = stmt.Parent() // wg.Go(f) as a statement
	}
	block, ok := stmt.Node().(*ast.BlockStmt)
	if !ok {
		return nil
	}
	for _, stmt := range block.List {
		if stmt.Pos() <= s.Start.Pos() {
			continue
		}
		call := flow.ExprStmtCall(stmt)
		if call == nil {
			continue
		}
		fn := syntax.StaticCallee(x.Info, call)
		sel, isSel := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if fn == nil || !isSel || fn.Name() != "Wait" || !syntax.IsMethodOf(fn, "sync", "WaitGroup") || syntax.ObjectOf(x, sel.X) != wg {
			continue
		}
		for _, rcv := range receives {
			if rcv.Pos() < call.End() {
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
func doneAfter(x *syntax.Index, s *flow.Spawn, send *flow.ChanUse) types.Object {
	if call, ok := s.Start.(*ast.CallExpr); ok {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && s.Wrapper == nil {
			return syntax.ObjectOf(x, sel.X) // wg.Go(f): isGoMethod said which
		}
		return nil
	}
	sent := false
	for _, stmt := range s.Body.List {
		var call *ast.CallExpr
		switch st := stmt.(type) {
		case *ast.DeferStmt:
			call = st.Call
		case *ast.ExprStmt:
			if sent {
				call = flow.ExprStmtCall(st)
			}
		}
		sent = sent || stmt.Pos() <= send.Pos() && send.Pos() < stmt.End()
		if call == nil {
			continue
		}
		fn := syntax.StaticCallee(x.Info, call)
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && fn != nil && fn.Name() == "Done" && syntax.IsMethodOf(fn, "sync", "WaitGroup") {
			return syntax.ObjectOf(x, sel.X)
		}
	}
	return nil
}

// sendsTogether adds up the most sends of the goroutines that send on the
// channel, when there are several and each is started once by owner and
// owner sends nothing itself; it also returns the goroutine started last,
// and the first send of each of the others, in source order (whichever
// goroutine the scheduler lets send last is the one that blocks, so the
// report names them all). It returns many when the sum is not known.
func sendsTogether(r *Input, owner ast.Node, counts *sendCounts) (int, *flow.Spawn, []ast.Node) {
	if len(counts.ownSends) < 2 || counts.ownerSends > 0 {
		return flow.Many, nil, nil
	}
	total := 0
	var last *flow.Spawn
	for s := range counts.ownSends {
		if s.Parent != owner || s.InLoop {
			return flow.Many, nil, nil
		}
		total = flow.Sat(total + SendsPerRun(r, s, counts))
		if last == nil || s.Start.Pos() > last.Start.Pos() {
			last = s
		}
	}
	var others []ast.Node
	for s, sends := range counts.ownSends {
		if s != last && len(sends) > 0 {
			others = append(others, sends[0].Node)
		}
	}
	slices.SortFunc(others, func(a, b ast.Node) int { return cmp.Compare(a.Pos(), b.Pos()) })
	return total, last, others
}

// receivesOnlyIn reports whether all receives are done by owner itself,
// outside deferred calls.
func receivesOnlyIn(owner ast.Node, receives []*flow.ChanUse) bool {
	for _, r := range receives {
		if r.Place.Owner != owner || r.Place.Deferred {
			return false
		}
	}
	return true
}

// ordinals are the ordinals of the sends of a goroutine literal's body
// (see sendOrdinals), computed once per goroutine and channel.
func ordinals(r *Input, s *flow.Spawn, counts *sendCounts) map[ast.Node]flow.Ordinal {
	if s.Lit == nil {
		return nil
	}
	if o, ok := counts.ordinals[s]; ok {
		return o
	}
	own := map[ast.Node]int{}
	for _, u := range counts.ownSends[s] {
		own[u.Node] = counts.SendNodes[u.Node]
	}
	o := flow.SendOrdinals(r.Sum, s.Lit.Body.List, own)
	counts.ordinals[s] = o
	return o
}

// SendsPerRun bounds how many times one run of the goroutine can send on
// the channel along a single path; many when a loop sends.
func SendsPerRun(r *Input, s *flow.Spawn, counts *sendCounts) int {
	if s.Lit == nil {
		// A named function: its summary counts the sends of one call.
		n := 0
		for _, u := range counts.ownSends[s] {
			n = max(n, counts.SendNodes[u.Node])
		}
		return max(n, 1)
	}
	n := flow.CountSends(r.Sum, s.Lit.Body.List, counts.SendNodes)
	return max(n.Fall, n.Ret, 1)
}

// Instances bounds how many copies of the goroutine its parent starts
// that share one channel v: the product of the trip counts of the loops
// around the go statement that do not also hold v's declaration (many when
// a count is not a constant).
func Instances(r *Input, s *flow.Spawn, v *types.Var) int {
	if !s.InLoop {
		return 1
	}
	leaves := leavesAfter(s.Cur)
	if leaves == token.RETURN {
		return 1 // the go statement is followed by a return: it runs once
	}
	n := 1
	inSwitch := false
	for enc := range s.Cur.Enclosing() {
		if enc.Node() == s.Parent {
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
			n = flow.Sat(n * flow.TripCount(r.Sum.X, loop.(ast.Stmt)))
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

// startedUnder reports whether owner starts s: itself, or through the one
// goroutine it starts once, whose literal starts s (a goroutine that fans
// work out to goroutines started in a loop, and waits for them, while
// owner takes what they send).
func startedUnder(r *Input, s *flow.Spawn, owner ast.Node) bool {
	if s.Parent == owner {
		return true
	}
	lit, ok := s.Parent.(*ast.FuncLit)
	if !ok {
		return false
	}
	p := r.Gs.ByNode[lit]
	return p != nil && p.Lit == lit && p.LitInStart() && !p.InLoop && p.Parent == owner
}
