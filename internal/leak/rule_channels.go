package leak

import (
	"go/ast"
	"go/token"
)

// Stage 5, the rules. Each reads the results of the stages before it and
// returns verdicts; none of them writes a message.

// rules holds the results of the earlier stages, which the rules only
// read.
type rules struct {
	x   *index
	sum *summaries
	gs  *goroutines
	m   *channelModel

	deadInCallee map[ast.Node][]verdict // memo of calleeDeadOps
	locks        *lockModel             // built per function, on demand
	targets      *targets               // calls through function values
	sync         *syncModel             // the package's locks, WaitGroups and Conds
}

// channelVerdicts examines every local channel of the functions that
// start goroutines, for goroutines that block on one for ever.
func channelVerdicts(r *rules) []verdict {
	var out []verdict
	for _, l := range r.m.locals {
		f := l.flow
		if f.escapes {
			continue
		}
		var counts *sendCounts // shared by the sends on f, built on the first
		for i := range f.uses {
			u := &f.uses[i]
			if u.spawn == nil && u.blocks() && u.kind.receives() {
				if v, ok := spawnerWaitVerdict(r, u, f, l.owner); ok {
					out = append(out, v)
				}
				continue
			}
			if u.spawn == nil || !u.blocks() {
				continue
			}
			if u.kind.receives() {
				if v, ok := recvVerdict(r, u, f, l.owner); ok {
					out = append(out, v)
				}
				continue
			}
			if counts == nil {
				counts = newSendCounts(r, f)
			}
			if v, ok := sendVerdict(r, u, f, l.owner, counts); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// onTestFailure files a verdict whose abandoning path ends the test
// (t.Fatal, require) under its own pattern: such a goroutine leaks only
// when its test fails.
func onTestFailure(v verdict, ok bool) (verdict, bool) {
	if why, isAbandoned := v.why.(abandoned); isAbandoned && why.path.testEnds != "" {
		v.pattern = TestFailure
	}
	return v, ok
}

// opOf describes the blocking operation u on the channel of f.
func opOf(r *rules, u *chanUse, f *chanFlow) blockedOp {
	op := blockedOp{kind: u.kind, channel: f.v.Name()}
	if u.via != nil {
		op.via = u.callee.Name()
		if s := r.sum.paramSummary(u.callee); s != nil && u.arg < len(s.blockingAt) {
			for _, at := range s.blockingAt[u.arg] {
				if _, isSend := at.(*ast.SendStmt); isSend == (u.kind == opSend) {
					op.viaAt = append(op.viaAt, at)
				}
			}
		}
	}
	return op
}

// recvVerdict decides on a goroutine's receive (or range) that nothing
// may satisfy on some path.
func recvVerdict(r *rules, u *chanUse, f *chanFlow, owner ast.Node) (verdict, bool) {
	s := u.spawn
	op := opOf(r, u, f)
	found := func(why reason) (verdict, bool) {
		return verdict{pattern: UnguardedRecv, at: u.node, spawn: s, why: why}, true
	}
	if f.isNil {
		return found(nilChannel{op})
	}
	sends := f.count(func(r *chanUse) bool { return r.kind == opSend })
	closes := f.count(func(r *chanUse) bool { return r.kind == opClose })
	needsClose := u.kind == opRange && !rangeCanLeave(r.sum, u)
	switch {
	case sends == 0 && closes == 0:
		return found(noPartner{op})
	case needsClose && closes == 0:
		return found(neverClosed{op})
	}
	releases := f.usesWhere(func(r *chanUse) bool {
		return r.kind == opClose || r.kind == opSend && !needsClose
	})
	esc := escapeFrom(r, s, u, owner, f, releases)
	if esc == nil {
		return verdict{}, false
	}
	return onTestFailure(found(abandoned{blockedOp: op, owner: owner, path: esc, needsClose: needsClose}))
}

// spawnerWaitVerdict decides on a receive (or range) by the function that
// owns the channel, when its only partner is one goroutine it starts: the
// goroutine's literal holds every send and close of the channel, and may
// return before any of them.
//
// Only unbuffered channels: a receive from a buffered one is often guarded
// by len(ch), or fed before the goroutine returns.
func spawnerWaitVerdict(r *rules, u *chanUse, f *chanFlow, owner ast.Node) (verdict, bool) {
	if f.isNil || f.capacity != 0 || u.place.owner != owner || u.place.deferred {
		return verdict{}, false
	}
	needsClose := u.kind == opRange && !rangeCanLeave(r.sum, u)
	releases := f.usesWhere(func(r *chanUse) bool {
		return r.kind == opClose || r.kind == opSend && !needsClose
	})
	if len(releases) == 0 {
		return verdict{}, false // nothing at all: the rules on goroutines say so where it matters
	}
	s := releases[0].spawn
	if s == nil || s.lit == nil || s.inLoop || s.parent != owner || s.start.End() > u.pos() {
		return verdict{}, false
	}
	for _, rel := range releases {
		if rel.spawn != s || rel.via != nil || rel.place.owner != s.lit || rel.place.deferred {
			return verdict{}, false
		}
	}
	g := r.x.cfgOf(s.lit, r.sum.mayReturn)
	if g == nil || len(g.Blocks) == 0 {
		return verdict{}, false
	}
	esc := markImplicit(searchEscape(r.m, g, g.Blocks[0], 0, releases, f.v, nil), s.lit)
	if esc == nil {
		return verdict{}, false
	}
	why := skippedRelease{blockedOp: opOf(r, u, f), waiter: owner, path: esc, needsClose: needsClose}
	if failsTestBefore(r.x, esc.exit) {
		esc.testEnds = "fails"
	}
	v := verdict{pattern: UnguardedRecv, at: u.node, spawn: s, why: why}
	if esc.testEnds != "" {
		v.pattern = TestFailure // the goroutine gives up only when its test fails
	}
	return v, true
}

// failsTestBefore reports whether the statement before ret marks a test
// failed (t.Error, t.Errorf, b.Error, ...): the return is a failure path.
func failsTestBefore(x *index, ret ast.Node) bool {
	cur := x.cursorOf(ret)
	if !cur.Valid() {
		return false // the return go/cfg makes up at the end of a body
	}
	block, ok := cur.Parent().Node().(*ast.BlockStmt)
	if !ok {
		return false
	}
	for i, stmt := range block.List {
		if stmt == ret && i > 0 {
			if call := exprStmtCall(block.List[i-1]); call != nil {
				fn := staticCallee(x.info, call)
				return fn != nil && (fn.Name() == "Error" || fn.Name() == "Errorf") && fn.Pkg() != nil && fn.Pkg().Path() == "testing"
			}
		}
	}
	return false
}

// rangeCanLeave reports whether a range over a channel has a way out other
// than the channel being closed (a sentinel value, say).
func rangeCanLeave(sum *summaries, u *chanUse) bool {
	rs, ok := u.node.(*ast.RangeStmt)
	if !ok {
		return false // a callee's range, which its summary says has no other way out
	}
	return canLeave(sum, rs.Body, rangeLabel(u))
}

// rangeLabel is the label of the range statement of u, or "".
func rangeLabel(u *chanUse) string {
	for enc := range u.at.Enclosing((*ast.RangeStmt)(nil)) {
		return loopLabel(enc)
	}
	return ""
}

// escapeFrom looks for a path on which the function that started s returns
// without any of the releases. It gives up (nil) unless every release is
// an operation of that function itself that comes after the go statement:
// releases in other goroutines, callbacks or deferred calls have timing we
// do not follow.
func escapeFrom(r *rules, s *spawn, pending *chanUse, owner ast.Node, f *chanFlow, releases []*chanUse) *escapePath {
	if s.parent != owner {
		return nil
	}
	for _, rel := range releases {
		if rel.place.owner != owner || rel.place.deferred || rel.pos() < s.start.End() {
			return nil
		}
	}
	return markImplicit(findEscape(r.m, r.x.cfgOf(owner, r.sum.mayReturn), s.cur, releases, f.v, pending), owner)
}

// markImplicit marks an escape through the return that go/cfg makes up
// at the end of fn's body.
func markImplicit(esc *escapePath, fn ast.Node) *escapePath {
	if esc != nil {
		ret, ok := esc.exit.(*ast.ReturnStmt)
		esc.implicit = ok && ret.Return == bodyOf(fn).Rbrace
	}
	return esc
}

// commChannel returns the channel a select case communicates on, and
// whether it sends on it; nil for the default case.
func commChannel(cc *ast.CommClause) (ch ast.Expr, send bool) {
	var recv ast.Expr
	switch comm := cc.Comm.(type) {
	case *ast.SendStmt:
		return comm.Chan, true
	case *ast.ExprStmt:
		recv = comm.X
	case *ast.AssignStmt:
		if len(comm.Rhs) == 1 {
			recv = comm.Rhs[0]
		}
	}
	if u, ok := ast.Unparen(recv).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
		return u.X, false
	}
	return nil, false
}
