package rule

import (
	"go/ast"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// channelVerdicts examines every local channel of the functions that
// start goroutines, for goroutines that block on one for ever.
func channelVerdicts(r *Input) []verdict.Verdict {
	var out []verdict.Verdict
	for _, l := range r.M.Locals {
		f := l.Flow
		if f.Escapes {
			continue
		}
		var counts *sendCounts // shared by the sends on f, built on the first
		for i := range f.Uses {
			u := &f.Uses[i]
			if u.Spawn == nil && u.Blocks() && u.Kind.Receives() {
				if v, ok := spawnerWaitVerdict(r, u, f, l.Owner); ok {
					out = append(out, v)
				}
				continue
			}
			if u.Spawn == nil || !u.Blocks() {
				continue
			}
			if u.Kind.Receives() {
				if v, ok := recvVerdict(r, u, f, l.Owner); ok {
					out = append(out, v)
				}
				continue
			}
			if counts == nil {
				counts = NewSendCounts(r, f)
			}
			if v, ok := sendVerdict(r, u, f, l.Owner, counts); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// onTestFailure files a verdict whose abandoning path ends the test
// (t.Fatal, require) under its own pattern: such a goroutine leaks only
// when its test fails.
func onTestFailure(v verdict.Verdict, ok bool) (verdict.Verdict, bool) {
	if why, isAbandoned := v.Why.(verdict.Abandoned); isAbandoned && why.Path.TestEnds != "" {
		v.Pattern = pattern.TestFailure
	}
	return v, ok
}

// opOf describes the blocking operation u on the channel of f.
func opOf(r *Input, u *flow.ChanUse, f *flow.ChanFlow) verdict.BlockedOp {
	op := verdict.BlockedOp{Kind: u.Kind, Channel: f.V.Name()}
	if u.Via != nil {
		op.Via = u.Callee.Name()
		if s := r.Sum.ParamSummary(u.Callee); s != nil && u.Arg < len(s.BlockingAt) {
			for _, at := range s.BlockingAt[u.Arg] {
				if _, isSend := at.(*ast.SendStmt); isSend == (u.Kind == flow.OpSend) {
					op.ViaAt = append(op.ViaAt, at)
				}
			}
		}
	}
	return op
}

// recvVerdict decides on a goroutine's receive (or range) that nothing
// may satisfy on some path.
func recvVerdict(r *Input, u *flow.ChanUse, f *flow.ChanFlow, owner ast.Node) (verdict.Verdict, bool) {
	s := u.Spawn
	op := opOf(r, u, f)
	found := func(why verdict.Reason) (verdict.Verdict, bool) {
		return verdict.Verdict{Pattern: pattern.UnguardedRecv, At: u.Node, Spawn: s, Why: why}, true
	}
	if f.IsNil {
		return found(verdict.NilChannel{BlockedOp: op})
	}
	sends := f.Count(func(r *flow.ChanUse) bool { return r.Kind == flow.OpSend })
	closes := f.Count(func(r *flow.ChanUse) bool { return r.Kind == flow.OpClose })
	needsClose := u.Kind == flow.OpRange && !flow.RangeCanLeave(r.Sum, u)
	switch {
	case sends == 0 && closes == 0:
		return found(verdict.NoPartner{BlockedOp: op})
	case needsClose && closes == 0:
		return found(verdict.NeverClosed{BlockedOp: op})
	}
	releases := f.UsesWhere(func(r *flow.ChanUse) bool {
		return r.Kind == flow.OpClose || r.Kind == flow.OpSend && !needsClose
	})
	esc := escapeFrom(r, s, u, owner, f, releases)
	if esc == nil {
		return verdict.Verdict{}, false
	}
	return onTestFailure(found(verdict.Abandoned{BlockedOp: op, Owner: owner, Path: esc, NeedsClose: needsClose}))
}

// spawnerWaitVerdict decides on a receive (or range) by the function that
// owns the channel, when its only partner is one goroutine it starts: the
// goroutine's literal holds every send and close of the channel, and may
// return before any of them.
//
// Only unbuffered channels: a receive from a buffered one is often guarded
// by len(ch), or fed before the goroutine returns.
func spawnerWaitVerdict(r *Input, u *flow.ChanUse, f *flow.ChanFlow, owner ast.Node) (verdict.Verdict, bool) {
	if f.IsNil || f.Capacity != 0 || u.Place.Owner != owner || u.Place.Deferred {
		return verdict.Verdict{}, false
	}
	needsClose := u.Kind == flow.OpRange && !flow.RangeCanLeave(r.Sum, u)
	releases := f.UsesWhere(func(r *flow.ChanUse) bool {
		return r.Kind == flow.OpClose || r.Kind == flow.OpSend && !needsClose
	})
	if len(releases) == 0 {
		return verdict.Verdict{}, false // nothing at all: the rules on goroutines say so where it matters
	}
	s := releases[0].Spawn
	if s == nil || s.Lit == nil || s.InLoop || s.Parent != owner || s.Start.End() > u.Pos() {
		return verdict.Verdict{}, false
	}
	for _, rel := range releases {
		if rel.Spawn != s || rel.Via != nil || rel.Place.Owner != s.Lit || rel.Place.Deferred {
			return verdict.Verdict{}, false
		}
	}
	g := r.X.CfgOf(s.Lit, r.Sum.MayReturn)
	if g == nil || len(g.Blocks) == 0 {
		return verdict.Verdict{}, false
	}
	esc := markImplicit(model.SearchEscape(r.M, g, g.Blocks[0], 0, releases, f.V, nil), s.Lit)
	if esc == nil {
		return verdict.Verdict{}, false
	}
	why := verdict.SkippedRelease{BlockedOp: opOf(r, u, f), Waiter: owner, Path: esc, NeedsClose: needsClose}
	if failsTestBefore(r.X, esc.Exit) {
		esc.TestEnds = "fails"
	}
	v := verdict.Verdict{Pattern: pattern.UnguardedRecv, At: u.Node, Spawn: s, Why: why}
	if esc.TestEnds != "" {
		v.Pattern = pattern.TestFailure // the goroutine gives up only when its test fails
	}
	return v, true
}

// failsTestBefore reports whether the statement before ret marks a test
// failed (t.Error, t.Errorf, b.Error, ...): the return is a failure path.
func failsTestBefore(x *syntax.Index, ret ast.Node) bool {
	cur := x.CursorOf(ret)
	if !cur.Valid() {
		return false // the return go/cfg makes up at the end of a body
	}
	block, ok := cur.Parent().Node().(*ast.BlockStmt)
	if !ok {
		return false
	}
	for i, stmt := range block.List {
		if stmt == ret {
			return marksFailedBefore(x, block.List, i)
		}
	}
	return false
}

// marksFailedBefore reports whether the statement before list[i] marks a
// test failed (t.Error, t.Errorf, b.Error, ...).
func marksFailedBefore(x *syntax.Index, list []ast.Stmt, i int) bool {
	if i == 0 {
		return false
	}
	call := flow.ExprStmtCall(list[i-1])
	if call == nil {
		return false
	}
	fn := syntax.StaticCallee(x.Info, call)
	return fn != nil && (fn.Name() == "Error" || fn.Name() == "Errorf") && fn.Pkg() != nil && fn.Pkg().Path() == "testing"
}

// escapeFrom looks for a path on which the function that started s returns
// without any of the releases. It gives up (nil) unless every release is
// an operation of that function itself that comes after the go statement,
// or of a helper goroutine it starts after it (see helperRelease):
// releases in other goroutines, callbacks or deferred calls have timing we
// do not follow.
func escapeFrom(r *Input, s *flow.Spawn, pending *flow.ChanUse, owner ast.Node, f *flow.ChanFlow, releases []*flow.ChanUse) *model.EscapePath {
	if s.Parent != owner {
		return nil
	}
	for _, rel := range releases {
		if helperRelease(rel, s, owner) {
			continue
		}
		if rel.Place.Owner != owner || rel.Place.Deferred || rel.Pos() < s.Start.End() {
			return nil
		}
	}
	return markImplicit(model.FindEscape(r.M, r.X.CfgOf(owner, r.Sum.MayReturn), s.Cur, releases, f.V, pending), owner)
}

// markImplicit marks an escape through the return that go/cfg makes up
// at the end of fn's body.
func markImplicit(esc *model.EscapePath, fn ast.Node) *model.EscapePath {
	if esc != nil {
		ret, ok := esc.Exit.(*ast.ReturnStmt)
		esc.Implicit = ok && ret.Return == syntax.BodyOf(fn).Rbrace
	}
	return esc
}

// helperRelease reports whether rel is the work of a helper goroutine
// that owner starts after s, whose literal is written in its start (go
// func() { <-ch }(), to drain what s sends on one path). The helper
// releases some time after its start, and only paths through that start:
// the search for an escape takes the start as the release, since the
// literal lies inside it, and a path that skips it strands s.
func helperRelease(rel *flow.ChanUse, s *flow.Spawn, owner ast.Node) bool {
	h := rel.Spawn
	return h != nil && h != s && rel.Via == nil && h.Parent == owner && h.LitInStart() &&
		rel.Place.Owner == h.Lit && h.Start.Pos() >= s.Start.End()
}
