package rule

import (
	"go/ast"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Rules on channel operations coupled to a mutex (see model/locks.go for the
// lock model): two operations that can only meet while both sides hold
// the same lock, and a wait made holding a lock that the only goroutine
// able to end it takes first.

// lockedOp finds an operation on an unbuffered channel field, x.f, made
// while holding a lock of the same object, x.mu, when every partner
// operation in the package is made holding that lock too. No partner can
// reach its operation while this one waits, so it waits for ever.
// Partners of a receive are sends only: a close made before the lock was
// taken would let the receive through.
func lockedOp(r *Input, cur inspector.Cursor, at ast.Node, ch ast.Expr, op verdict.BlockedOp) (verdict.LockedWait, bool) {
	field, base := syntax.FieldOnVar(r.X, ch)
	if field == nil {
		return verdict.LockedWait{}, false
	}
	fn := syntax.EnclosingFunc(cur)
	if fn == nil {
		return verdict.LockedWait{}, false
	}
	p := r.Sync.PartnersOf(field, !op.Kind.Receives())
	if p == nil {
		return verdict.LockedWait{}, false
	}
	for _, m := range r.Locks.HeldAt(fn, at) {
		read, all := p.Held[m.Path]
		if m.Root != base || m.Path == "" || !all || m.Read && read {
			continue
		}
		return verdict.LockedWait{BlockedOp: op, Field: field.Name(), Pkg: r.X.Pkg.Name(), Lock: m, Partners: p.Nodes}, true
	}
	return verdict.LockedWait{}, false
}

// lockOrderVerdicts finds a wait on a channel field made while holding a
// lock, x.mu, when the one goroutine that can end it (by its sends on the
// field, or its close) takes x.mu on every path before it gets there, and
// releases it before (when it holds it at its operation, lockedOp reports
// the goroutine's side). If the wait takes the lock first, neither side
// moves again.
func lockOrderVerdicts(r *Input) []verdict.Verdict {
	var out []verdict.Verdict
	seen := map[*types.Var]bool{}
	for _, s := range r.Gs.List {
		fn := s.Fn
		if fn == nil {
			continue
		}
		root := r.X.CursorOf(s.Body)
		if !root.Valid() {
			continue
		}
		root.Inspect([]ast.Node{(*ast.FuncLit)(nil), (*ast.GoStmt)(nil), (*ast.DeferStmt)(nil), (*ast.SendStmt)(nil), (*ast.CallExpr)(nil)}, func(cur inspector.Cursor) bool {
			var ch ast.Expr
			switch n := cur.Node().(type) {
			case *ast.FuncLit, *ast.GoStmt, *ast.DeferStmt:
				return false
			case *ast.SendStmt:
				if flow.CommClauseOf(cur) == nil {
					ch = n.Chan
				}
			case *ast.CallExpr:
				if syntax.IsCloseCall(r.X.Info, n) {
					ch = n.Args[0]
				}
			}
			if field, _ := syntax.FieldOnVar(r.X, ch); field != nil && !seen[field] {
				seen[field] = true
				out = append(out, findLockOrder(r, s, fn, field)...)
			}
			return true
		})
	}
	return out
}

// lockOrder returns the verdicts on the waits on field that goroutine s,
// running fn, alone can end, each taking a lock first (see
// lockOrderVerdicts).
func findLockOrder(r *Input, s *flow.Spawn, fn ast.Node, field *types.Var) []verdict.Verdict {
	f := r.M.FieldFlow(field)
	if f == nil || f.Escapes || f.Defs == 0 {
		return nil
	}
	var ends []*flow.ChanUse
	for i := range f.Uses {
		u := &f.Uses[i]
		if u.Kind != flow.OpSend && u.Kind != flow.OpClose {
			continue
		}
		if u.Via != nil || u.Pos() < s.Body.Pos() || u.Pos() >= s.Body.End() || u.Kind == flow.OpSend && f.Buffered {
			return nil // another goroutine may end the wait, or a buffer
		}
		ends = append(ends, u)
	}
	taken := takenFirst(r, fn, ends, func(l model.HeldLock, u *flow.ChanUse) bool {
		_, base := syntax.FieldOnVar(r.X, u.At.Node().(ast.Expr))
		return l.Root == base && l.Path != ""
	})
	if len(taken) == 0 {
		return nil
	}
	var out []verdict.Verdict
	for i := range f.Uses {
		w := &f.Uses[i]
		if !w.Kind.Receives() || !w.Blocks() || w.Via != nil || w.Pos() >= s.Body.Pos() && w.Pos() < s.Body.End() {
			continue
		}
		wfn := syntax.EnclosingFunc(w.At)
		_, wbase := syntax.FieldOnVar(r.X, w.At.Node().(ast.Expr))
		if wfn == nil || wbase == nil {
			continue
		}
		for _, l := range r.Locks.HeldAt(wfn, w.Node) {
			if l.Root != wbase {
				continue
			}
			if i := slices.IndexFunc(taken, l.Excludes); i >= 0 {
				out = append(out, verdict.Verdict{Pattern: pattern.UnguardedRecv, At: w.Node, Why: verdict.LockOrder{
					BlockedOp: verdict.BlockedOp{Kind: w.Kind, Channel: syntax.ShortExpr(w.At.Node().(ast.Expr))},
					Waiter:    wfn,
					Lock:      l,
					Partner:   s,
					Taken:     taken[i],
					Ends:      ends[0].Node,
				}})
				break
			}
		}
	}
	return out
}

// takenFirst returns the locks that fn takes before every one of the
// operations ends, and does not hold at it; ofObject says which locks
// belong to the object (or the scope) of the channel at an operation.
func takenFirst(r *Input, fn ast.Node, ends []*flow.ChanUse, ofObject func(model.HeldLock, *flow.ChanUse) bool) []model.HeldLock {
	var taken []model.HeldLock
	for i, u := range ends {
		held := r.Locks.HeldAt(fn, u.Node)
		var mine []model.HeldLock
		for _, l := range r.Locks.TakenBefore(fn, u.Node) {
			if !ofObject(l, u) || model.Holds(held, l) {
				continue
			}
			if i == 0 || model.HoldsPath(taken, l.Path) {
				mine = append(mine, l)
			}
		}
		taken = mine
		if len(taken) == 0 {
			return nil
		}
	}
	return taken
}

// lockOrderLocalVerdicts is lockOrderVerdicts for a local channel and a
// mutex reached from a local variable of one function, P: a function literal in P (a callback)
// waits on the channel holding the mutex, while P's own code, the only
// code that can end the wait, takes the mutex on every path first. Both
// being P's locals, they are the same channel and mutex on both sides.
func lockOrderLocalVerdicts(r *Input) []verdict.Verdict {
	var out []verdict.Verdict
	for _, l := range r.M.Locals {
		f, owner := l.Flow, l.Owner
		if f.Escapes || f.Capacity != 0 || f.Defs != 1 {
			continue
		}
		// The ends of a receive (sends, closes) and of a send (receives),
		// and the locks taken first before all of them, once each.
		type endsOf struct {
			ends  []*flow.ChanUse
			taken []model.HeldLock
		}
		var byKind [2]*endsOf
		endsFor := func(receive bool) *endsOf {
			k := 0
			if receive {
				k = 1
			}
			if byKind[k] != nil {
				return byKind[k]
			}
			e := &endsOf{}
			byKind[k] = e
			for j := range f.Uses {
				u := &f.Uses[j]
				if u.Kind.Receives() == receive {
					continue // not an end of such a wait (a close ends only a receive)
				}
				if u.Place.Owner != owner || u.Via != nil {
					return e // others may end it
				}
				e.ends = append(e.ends, u)
			}
			e.taken = takenFirst(r, owner, e.ends, func(l model.HeldLock, _ *flow.ChanUse) bool {
				return l.Root.Pos() >= owner.Pos() && l.Root.Pos() < owner.End()
			})
			return e
		}
		for i := range f.Uses {
			w := &f.Uses[i]
			if w.Place.Owner == owner || w.Place.Owner == nil || !w.Blocks() || w.Via != nil {
				continue
			}
			e := endsFor(w.Kind.Receives())
			ends, taken := e.ends, e.taken
			if len(taken) == 0 {
				continue
			}
			for _, h := range r.Locks.HeldAt(w.Place.Owner, w.Node) {
				k := slices.IndexFunc(taken, func(t model.HeldLock) bool { return t.SameLock(h) && h.Excludes(t) })
				if k < 0 {
					continue
				}
				pat := pattern.UnguardedRecv
				if w.Kind == flow.OpSend {
					pat = pattern.UnreadSend
				}
				out = append(out, verdict.Verdict{Pattern: pat, At: w.Node, Why: verdict.LockOrder{
					BlockedOp: verdict.BlockedOp{Kind: w.Kind, Channel: f.V.Name(), Unbuffered: w.Kind == flow.OpSend},
					Waiter:    w.Place.Owner,
					Lock:      h,
					Partner:   r.Gs.ByNode[owner],
					Taken:     taken[k],
					Ends:      ends[0].Node,
				}})
				break
			}
		}
	}
	return out
}

// lockLeftVerdict returns the verdict on call, x.Lock() in goroutine s (a
// literal), when the function that starts s first calls a method on x, in
// a statement before the go statement in the same block, that can return
// leaving that lock held.
func lockLeftVerdict(r *Input, s *flow.Spawn, call *ast.CallExpr) (verdict.Verdict, bool) {
	l, op, ok := r.Locks.LockCall(call)
	if !ok || s.Lit == nil || (op != "Lock" && op != "RLock") {
		return verdict.Verdict{}, false
	}
	if l.Root.Pos() >= s.Lit.Pos() && l.Root.Pos() < s.Lit.End() {
		return verdict.Verdict{}, false // the goroutine's own object
	}
	block, ok := s.Cur.Parent().Node().(*ast.BlockStmt)
	if !ok {
		return verdict.Verdict{}, false
	}
	for _, st := range block.List {
		if st.Pos() >= s.Start.Pos() {
			break
		}
		before := flow.ExprStmtCall(st)
		if as, ok := st.(*ast.AssignStmt); ok && len(as.Rhs) == 1 {
			before, _ = ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		}
		if before == nil {
			continue
		}
		sel, ok := ast.Unparen(before.Fun).(*ast.SelectorExpr)
		decl := r.X.Decls[syntax.StaticCallee(r.X.Info, before)]
		if !ok || decl == nil || syntax.ObjectOf(r.X, sel.X) != l.Root {
			continue
		}
		for _, left := range r.Sync.LocksLeftHeld(decl) {
			if left.Path == l.Path {
				return verdict.Verdict{Pattern: pattern.SyncWait, At: call, Spawn: s, Why: verdict.LockLeft{
					Lock: l, Op: op, Method: decl.Name.Name, Call: before, Ret: left.Ret,
				}}, true
			}
		}
	}
	return verdict.Verdict{}, false
}
