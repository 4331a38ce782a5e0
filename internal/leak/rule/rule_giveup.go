package rule

import (
	"go/ast"
	"go/types"
	"sort"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// The reader can give up, the sender cannot: a goroutine sends on an
// unexported channel field with a plain send, and every receive from that
// field, in whatever function of the package, is a select case beside a
// case that gives up for good: the Done() of a context kept in a struct,
// or a receive from a channel field that the package closes and never
// sends on. Once that
// case is ready it stays ready, so the receiver returns (a stream's Recv,
// a worker's loop after Close) and the goroutine's send, or the one that
// finds the buffer full, waits for ever.
//
// A context that is a parameter is no such case: the next call brings a
// new one and may receive what the goroutine sends. A receive that is not
// a select case (a plain receive, a range) may drain the field, and a
// timeout is fresh at each call: either keeps the rule silent.

// giveUpVerdicts finds those sends, except the ones already reported
// (by strandedGoroutines).
func giveUpVerdicts(r *Input, reported map[ast.Node]bool) []verdict.Verdict {
	var out []verdict.Verdict
	for _, field := range sentFields(r) {
		out = append(out, giveUpSends(r, field, reported)...)
	}
	return out
}

// sentFields lists, in source order, the channel fields that the code of
// the package's goroutines sends on.
func sentFields(r *Input) []*types.Var {
	seen := map[*types.Var]bool{}
	walked := map[*ast.BlockStmt]bool{}
	var fields []*types.Var
	for _, s := range r.Gs.List {
		if s.Body == nil || s.ProcessLifetime || walked[s.Body] {
			continue
		}
		walked[s.Body] = true
		ast.Inspect(s.Body, func(n ast.Node) bool {
			send, ok := n.(*ast.SendStmt)
			if !ok {
				return true
			}
			if field := r.M.FieldOf(send.Chan); field != nil && !seen[field.Origin()] {
				seen[field.Origin()] = true
				fields = append(fields, field.Origin())
			}
			return true
		})
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].Pos() < fields[j].Pos() })
	return fields
}

// giveUpSends decides on the goroutines' sends on one field.
func giveUpSends(r *Input, field *types.Var, reported map[ast.Node]bool) []verdict.Verdict {
	f := r.M.FieldFlow(field)
	if f == nil || f.Escapes || f.Defs == 0 || f.Buffered && (f.Defs != 1 || f.Capacity < 0) {
		return nil
	}
	capacity := 0
	if f.Buffered {
		capacity = f.Capacity
	}
	var first *flow.ChanUse
	var giveUp *ast.CommClause
	bySpawn := map[*flow.Spawn]*flow.ChanUse{} // each goroutine's first plain send
	nodes := map[*flow.Spawn]map[ast.Node]int{}
	var spawns []*flow.Spawn
	for i := range f.Uses {
		u := &f.Uses[i]
		if u.Kind != flow.OpSend || !u.Blocks() || u.Via != nil {
			continue
		}
		s := senderOf(r, u)
		if s == nil {
			continue
		}
		if bySpawn[s] == nil {
			bySpawn[s] = u
			nodes[s] = map[ast.Node]int{}
			spawns = append(spawns, s)
		}
		nodes[s][u.Node] = 1
	}
	if len(spawns) == 0 {
		return nil
	}
	p := partners{senders: map[ast.Node]bool{}, receipts: map[*ast.CommClause]bool{}}
	for _, s := range spawns {
		p.senders[s.Fn] = true
	}
	receives := f.UsesWhere(func(u *flow.ChanUse) bool { return u.Kind.Receives() })
	for _, u := range receives {
		if u.Comm == nil || u.Via != nil {
			return nil // a receive that can wait for the send, or code we do not follow
		}
		p.receipts[u.Comm] = true
	}
	for _, u := range receives {
		cc := givingUpCase(r, u, p)
		if cc == nil {
			return nil
		}
		if first == nil {
			first, giveUp = u, cc
		}
	}
	if first == nil {
		return nil
	}
	why := func(u *flow.ChanUse) verdict.ReaderGivesUp {
		return verdict.ReaderGivesUp{
			BlockedOp: verdict.BlockedOp{Kind: flow.OpSend, Channel: syntax.ShortExpr(u.At.Node().(ast.Expr)), Unbuffered: !f.Buffered},
			Field:     field.Name(),
			Receiver:  syntax.FuncName(first.Place.Owner),
			Receive:   first.Node,
			GiveUp:    giveUp,
			Capacity:  capacity,
		}
	}
	var out []verdict.Verdict
	found := func(s *flow.Spawn, why verdict.ReaderGivesUp) {
		u := bySpawn[s]
		if !reported[u.Node] {
			out = append(out, verdict.Verdict{Pattern: pattern.UnreadSend, At: u.Node, Spawn: s, Why: why})
		}
	}
	if capacity == 0 {
		for _, s := range spawns {
			found(s, why(bySpawn[s]))
		}
		return out
	}
	// With a buffer: the goroutines that one call of a function starts,
	// each once, send more than the buffer holds; the one started last
	// is the one that finds it full.
	byParent := map[ast.Node][]*flow.Spawn{}
	var parents []ast.Node
	for _, s := range spawns {
		if byParent[s.Parent] == nil {
			parents = append(parents, s.Parent)
		}
		byParent[s.Parent] = append(byParent[s.Parent], s)
	}
	for _, parent := range parents {
		sent := 0
		var last *flow.Spawn
		for _, s := range byParent[parent] {
			if s.InLoop || s.Lit == nil {
				sent = flow.Many // an unknown number into a buffer: sized for it, we assume
				break
			}
			n := flow.CountSends(r.Sum, s.Lit.Body.List, nodes[s])
			sent = flow.Sat(sent + max(n.Fall, n.Ret, 1))
			if last == nil || s.Start.Pos() > last.Start.Pos() {
				last = s
			}
		}
		if sent >= flow.Many || sent <= capacity {
			continue
		}
		w := why(bySpawn[last])
		w.Sent, w.Starter = sent, syntax.FuncName(parent)
		found(last, w)
	}
	return out
}

// senderOf is the goroutine whose own code makes the send u: a goroutine
// literal, or the first go statement that runs the function declaration
// holding u (go c.readLoop()); nil when u is not a goroutine's, or is
// one that lives as long as the process.
func senderOf(r *Input, u *flow.ChanUse) *flow.Spawn {
	if s := r.Gs.SpawnOf(u); s != nil {
		if s.Lit == nil || s.ProcessLifetime {
			return nil
		}
		return s
	}
	if _, named := u.Place.Owner.(*ast.FuncDecl); !named {
		return nil
	}
	for _, s := range r.Gs.List {
		if s.Lit == nil && s.Fn == u.Place.Owner {
			if s.ProcessLifetime {
				return nil
			}
			return s
		}
	}
	return nil
}

// givingUpCase is the case beside the receive u (a select case) on which
// its function gives up for good: a case of the same select, or, when that
// select is in a loop, a case of a select of the loop that returns. The
// case receives from ctx.Done() of a context kept in a struct field, or
// from a channel field that the package closes.
func givingUpCase(r *Input, u *flow.ChanUse, p partners) *ast.CommClause {
	cur := r.X.CursorOf(u.Comm)
	if !cur.Valid() {
		return nil
	}
	sel := cur.Parent().Parent() // the select's body, then the select
	var loop inspector.Cursor
	for enc := range sel.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncLit)(nil), (*ast.FuncDecl)(nil)) {
		switch enc.Node().(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			loop = enc
		}
		break
	}
	if !loop.Valid() {
		for _, c := range sel.Node().(*ast.SelectStmt).Body.List {
			if cc := c.(*ast.CommClause); cc != u.Comm && givesUpForGood(r, cc, p) {
				return cc
			}
		}
		return nil
	}
	var giveUp *ast.CommClause
	loop.Inspect([]ast.Node{(*ast.FuncLit)(nil), (*ast.CommClause)(nil)}, func(c inspector.Cursor) bool {
		cc, ok := c.Node().(*ast.CommClause)
		if !ok {
			return false // a function literal: another function's code
		}
		if giveUp == nil && cc != u.Comm && givesUpForGood(r, cc, p) && returns(cc) {
			giveUp = cc
		}
		return giveUp == nil
	})
	return giveUp
}

// partners are the field's senders (the functions their goroutines run)
// and the select cases that receive from it.
type partners struct {
	senders  map[ast.Node]bool
	receipts map[*ast.CommClause]bool
}

// givesUpForGood tells whether the select case cc receives from a channel
// that, once ready, stays ready, and can be so before the send: ctx.Done()
// of a context held in a struct field (not one nothing cancels, nor one
// that only the partners cancel, see cancelledApart), or a channel field
// that the package closes and never sends on, other than in the senders.
func givesUpForGood(r *Input, cc *ast.CommClause, p partners) bool {
	ch, send := syntax.CommChannel(cc)
	if ch == nil || send {
		return false
	}
	if ctx := syntax.ContextOfDone(r.X, ch); ctx != nil {
		sel, ok := ast.Unparen(ctx).(*ast.SelectorExpr)
		if !ok {
			return false
		}
		v, ok := r.X.Info.Uses[sel.Sel].(*types.Var)
		return ok && v.IsField() && syntax.NeverCancelled(r.X, ctx) == "" && cancelledApart(r, sel.X, p)
	}
	stop := r.M.FieldOf(ch)
	if stop == nil {
		return false
	}
	// A stop channel: closed, and never sent on. (A data channel closed
	// at its end, by its sender, is ready only after the sends.) Closed by
	// the senders alone, it is ready only after they send.
	f := r.M.FieldFlow(stop)
	return f != nil && f.Count(func(u *flow.ChanUse) bool { return u.Kind == flow.OpClose && !p.senders[u.Place.Owner] }) > 0 &&
		f.Count(func(u *flow.ChanUse) bool { return u.Kind == flow.OpSend }) == 0
}

// cancelledApart tells whether the context kept in the struct holder
// can be cancelled before the send: the struct keeps no cancel function
// of its own (its context comes from elsewhere, whose owner may cancel
// it), or calls one outside the senders and outside the cases that
// receive from the field (a cancel there comes after the receive).
func cancelledApart(r *Input, holder ast.Expr, p partners) bool {
	t := r.X.Info.TypeOf(holder)
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return true
	}
	kept := false
	for i := range st.NumFields() {
		cancel := st.Field(i)
		if !syntax.IsNamed(cancel.Type(), "context", "CancelFunc") {
			continue
		}
		if !syntax.Hidden(r.X, cancel) {
			return true // other packages may call it
		}
		kept = true
		for _, cur := range r.X.FieldMentions(cancel) {
			if r.X.Info.Defs[cur.Node().(*ast.Ident)] == cancel.Origin() {
				continue
			}
			sel, ok := cur.Parent().Node().(*ast.SelectorExpr)
			if !ok {
				continue // a key of a struct literal
			}
			call, ok := cur.Parent().Parent().Node().(*ast.CallExpr)
			if !ok || call.Fun != sel {
				continue // given a value, or read: no call we can place
			}
			if !p.senders[flow.PlaceAt(cur).Owner] && !inReceipt(cur, p) {
				return true
			}
		}
	}
	return !kept
}

// inReceipt tells whether cur lies in one of the cases that receive
// from the field.
func inReceipt(cur inspector.Cursor, p partners) bool {
	for enc := range cur.Enclosing((*ast.CommClause)(nil)) {
		if p.receipts[enc.Node().(*ast.CommClause)] {
			return true
		}
	}
	return false
}

// returns tells whether a select case's body returns.
func returns(cc *ast.CommClause) bool {
	for _, st := range cc.Body {
		if flow.MayLeave(st) {
			return true
		}
	}
	return false
}
