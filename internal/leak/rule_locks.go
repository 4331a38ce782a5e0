package leak

import (
	"go/ast"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ast/inspector"
)

// Rules on channel operations coupled to a mutex (see locks.go for the
// lock model): two operations that can only meet while both sides hold
// the same lock, and a wait made holding a lock that the only goroutine
// able to end it takes first.

// lockedOp finds an operation on an unbuffered channel field, x.f, made
// while holding a lock of the same object, x.mu, when every partner
// operation in the package is made holding that lock too. No partner can
// reach its operation while this one waits, so it waits for ever.
// Partners of a receive are sends only: a close made before the lock was
// taken would let the receive through.
func (r *rules) lockedOp(cur inspector.Cursor, at ast.Node, ch ast.Expr, op blockedOp) (lockedWait, bool) {
	field, base := r.fieldOnVar(ch)
	if field == nil {
		return lockedWait{}, false
	}
	fn := enclosingFunc(cur)
	if fn == nil {
		return lockedWait{}, false
	}
	p := r.partnersOf(field, !op.kind.receives())
	if p == nil {
		return lockedWait{}, false
	}
	for _, m := range r.locks.heldAt(fn, at) {
		read, all := p.held[m.path]
		if m.root != base || m.path == "" || !all || m.read && read {
			continue
		}
		return lockedWait{blockedOp: op, field: field.Name(), pkg: r.x.pkg.Name(), lock: m, partners: p.nodes}, true
	}
	return lockedWait{}, false
}

// partnerLocks is what every partner operation on a channel field holds:
// for each lock path held (on the partner's own object) at every one of
// them, whether some hold it only for reading.
type partnerLocks struct {
	held  map[string]bool
	nodes []ast.Node
}

type partnerKey struct {
	field    *types.Var
	receives bool // the partners are the receives
}

// partnersOf computes, once per field, the locks its partner operations
// (its receives, or its sends) all hold; nil when there are none, or when
// the field is not one whose every partner is in sight: unbuffered, not
// escaping, and (for partners that send) never closed, since a close made
// before the wait began would end it.
func (r *rules) partnersOf(field *types.Var, receives bool) *partnerLocks {
	key := partnerKey{field, receives}
	if p, ok := r.partners[key]; ok {
		return p
	}
	if r.partners == nil {
		r.partners = make(map[partnerKey]*partnerLocks)
	}
	r.partners[key] = nil
	f := r.m.fieldFlow(field)
	if f == nil || f.escapes || f.buffered || f.defs == 0 {
		return nil
	}
	p := &partnerLocks{}
	for i := range f.uses {
		u := &f.uses[i]
		if u.kind == opClose {
			if !receives {
				return nil
			}
			continue
		}
		if u.kind.receives() != receives {
			continue
		}
		pfield, pbase := r.fieldOnVar(u.at.Node().(ast.Expr))
		pfn := enclosingFunc(u.at)
		if u.via != nil || pfield != field || pfn == nil {
			return nil
		}
		held := map[string]bool{}
		for _, l := range r.locks.heldAt(pfn, u.node) {
			if l.root == pbase && l.path != "" {
				held[l.path] = l.read
			}
		}
		if p.held == nil {
			p.held = held
		} else {
			for path, read := range p.held {
				other, ok := held[path]
				if !ok {
					delete(p.held, path)
				} else {
					p.held[path] = read || other
				}
			}
		}
		p.nodes = append(p.nodes, u.node)
	}
	if len(p.nodes) == 0 || len(p.held) == 0 {
		return nil // no partner at all is deadNonLocal's
	}
	r.partners[key] = p
	return p
}

// fieldOnVar splits a channel expression v.f, where v is a variable, into
// the field and the variable.
func (r *rules) fieldOnVar(ch ast.Expr) (*types.Var, types.Object) {
	sel, ok := ast.Unparen(ch).(*ast.SelectorExpr)
	if !ok {
		return nil, nil
	}
	id, ok := ast.Unparen(sel.X).(*ast.Ident)
	if !ok {
		return nil, nil
	}
	field, ok := r.x.info.Uses[sel.Sel].(*types.Var)
	base := r.x.info.Uses[id]
	if !ok || !field.IsField() || base == nil {
		return nil, nil
	}
	return field.Origin(), base
}

// lockOrderVerdicts finds a wait on a channel field made while holding a
// lock, x.mu, when the one goroutine that can end it (by its sends on the
// field, or its close) takes x.mu on every path before it gets there, and
// releases it before (when it holds it at its operation, lockedOp reports
// the goroutine's side). If the wait takes the lock first, neither side
// moves again.
func (r *rules) lockOrderVerdicts() []verdict {
	var out []verdict
	seen := map[*types.Var]bool{}
	for _, s := range r.gs.list {
		fn := s.fn
		if fn == nil {
			continue
		}
		root := r.x.cursorOf(s.body)
		if !root.Valid() {
			continue
		}
		root.Inspect([]ast.Node{(*ast.FuncLit)(nil), (*ast.GoStmt)(nil), (*ast.DeferStmt)(nil), (*ast.SendStmt)(nil), (*ast.CallExpr)(nil)}, func(cur inspector.Cursor) bool {
			var ch ast.Expr
			switch n := cur.Node().(type) {
			case *ast.FuncLit, *ast.GoStmt, *ast.DeferStmt:
				return false
			case *ast.SendStmt:
				if commClauseOf(cur) == nil {
					ch = n.Chan
				}
			case *ast.CallExpr:
				if isCloseCall(r.x.info, n) {
					ch = n.Args[0]
				}
			}
			if field, _ := r.fieldOnVar(ch); field != nil && !seen[field] {
				seen[field] = true
				out = append(out, r.lockOrder(s, fn, field)...)
			}
			return true
		})
	}
	return out
}

// lockOrder returns the verdicts on the waits on field that goroutine s,
// running fn, alone can end, each taking a lock first (see
// lockOrderVerdicts).
func (r *rules) lockOrder(s *spawn, fn ast.Node, field *types.Var) []verdict {
	f := r.m.fieldFlow(field)
	if f == nil || f.escapes || f.defs == 0 {
		return nil
	}
	var ends []*chanUse
	for i := range f.uses {
		u := &f.uses[i]
		if u.kind != opSend && u.kind != opClose {
			continue
		}
		if u.via != nil || u.pos() < s.body.Pos() || u.pos() >= s.body.End() || u.kind == opSend && f.buffered {
			return nil // another goroutine may end the wait, or a buffer
		}
		ends = append(ends, u)
	}
	taken := r.takenFirst(fn, ends, func(l heldLock, u *chanUse) bool {
		_, base := r.fieldOnVar(u.at.Node().(ast.Expr))
		return l.root == base && l.path != ""
	})
	if len(taken) == 0 {
		return nil
	}
	var out []verdict
	for i := range f.uses {
		w := &f.uses[i]
		if !w.kind.receives() || !w.blocks() || w.via != nil || w.pos() >= s.body.Pos() && w.pos() < s.body.End() {
			continue
		}
		wfn := enclosingFunc(w.at)
		_, wbase := r.fieldOnVar(w.at.Node().(ast.Expr))
		if wfn == nil || wbase == nil {
			continue
		}
		for _, l := range r.locks.heldAt(wfn, w.node) {
			if l.root != wbase {
				continue
			}
			if i := slices.IndexFunc(taken, l.excludes); i >= 0 {
				out = append(out, verdict{pattern: UnguardedRecv, at: w.node, why: lockOrder{
					blockedOp: blockedOp{kind: w.kind, channel: shortExpr(w.at.Node().(ast.Expr))},
					waiter:    wfn,
					lock:      l,
					partner:   s,
					taken:     taken[i],
					ends:      ends[0].node,
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
func (r *rules) takenFirst(fn ast.Node, ends []*chanUse, ofObject func(heldLock, *chanUse) bool) []heldLock {
	var taken []heldLock
	for i, u := range ends {
		held := r.locks.heldAt(fn, u.node)
		var mine []heldLock
		for _, l := range r.locks.takenBefore(fn, u.node) {
			if !ofObject(l, u) || holds(held, l) {
				continue
			}
			if i == 0 || holdsPath(taken, l.path) {
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
func (r *rules) lockOrderLocalVerdicts() []verdict {
	var out []verdict
	for _, l := range r.m.locals {
		f, owner := l.flow, l.owner
		if f.escapes || f.capacity != 0 || f.defs != 1 {
			continue
		}
		// The ends of a receive (sends, closes) and of a send (receives),
		// and the locks taken first before all of them, once each.
		type endsOf struct {
			ends  []*chanUse
			taken []heldLock
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
			for j := range f.uses {
				u := &f.uses[j]
				if u.kind.receives() == receive {
					continue // not an end of such a wait (a close ends only a receive)
				}
				if u.place.owner != owner || u.via != nil {
					return e // others may end it
				}
				e.ends = append(e.ends, u)
			}
			e.taken = r.takenFirst(owner, e.ends, func(l heldLock, _ *chanUse) bool {
				return l.root.Pos() >= owner.Pos() && l.root.Pos() < owner.End()
			})
			return e
		}
		for i := range f.uses {
			w := &f.uses[i]
			if w.place.owner == owner || w.place.owner == nil || !w.blocks() || w.via != nil {
				continue
			}
			e := endsFor(w.kind.receives())
			ends, taken := e.ends, e.taken
			if len(taken) == 0 {
				continue
			}
			for _, h := range r.locks.heldAt(w.place.owner, w.node) {
				k := slices.IndexFunc(taken, func(t heldLock) bool { return t.sameLock(h) && h.excludes(t) })
				if k < 0 {
					continue
				}
				pattern := UnguardedRecv
				if w.kind == opSend {
					pattern = UnreadSend
				}
				out = append(out, verdict{pattern: pattern, at: w.node, why: lockOrder{
					blockedOp: blockedOp{kind: w.kind, channel: f.v.Name(), unbuffered: w.kind == opSend},
					waiter:    w.place.owner,
					lock:      h,
					partner:   r.gs.byNode[owner],
					taken:     taken[k],
					ends:      ends[0].node,
				}})
				break
			}
		}
	}
	return out
}

func holds(held []heldLock, l heldLock) bool {
	return slices.IndexFunc(held, l.sameLock) >= 0
}

func holdsPath(held []heldLock, path string) bool {
	return slices.IndexFunc(held, func(h heldLock) bool { return h.path == path }) >= 0
}

// A lock left held: a method takes a lock of its receiver and returns on
// one path without releasing it, while another path releases it (so it
// means to). A goroutine that then takes that lock of the same object
// after such a call blocks for ever, and nothing after its Lock runs.

// leftLocked is a return of a method that leaves a lock of its receiver
// held.
type leftLocked struct {
	path string   // the lock's path from the receiver
	ret  ast.Node // the return that leaves it held, or the body for its end
}

// locksLeftHeld returns, once per method, the returns that leave a lock of
// the receiver held while another return does not, when no deferred call
// releases it.
func (r *rules) locksLeftHeld(decl *ast.FuncDecl) []leftLocked {
	if l, ok := r.leftHeld[decl]; ok {
		return l
	}
	if r.leftHeld == nil {
		r.leftHeld = make(map[*ast.FuncDecl][]leftLocked)
	}
	r.leftHeld[decl] = nil
	if decl.Recv == nil || len(decl.Recv.List) != 1 || len(decl.Recv.List[0].Names) != 1 || decl.Body == nil {
		return nil
	}
	recv := r.x.info.Defs[decl.Recv.List[0].Names[0]]
	deferred := map[string]bool{}
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			if l, op, ok := r.locks.lockCall(n.Call); ok && l.root == recv && (op == "Unlock" || op == "RUnlock") {
				deferred[l.path] = true
			}
		}
		return true
	})
	heldAt := map[string][]ast.Node{}
	releasedSomewhere := map[string]bool{}
	for _, e := range r.locks.exits(decl) {
		held := map[string]bool{}
		for _, l := range e.held {
			if l.root == recv && !deferred[l.path] {
				held[l.path] = true
				heldAt[l.path] = append(heldAt[l.path], e.at)
			}
		}
		for _, l := range e.taken {
			if l.root == recv && !held[l.path] {
				releasedSomewhere[l.path] = true
			}
		}
	}
	var out []leftLocked
	for path, rets := range heldAt {
		if releasedSomewhere[path] {
			for _, ret := range rets {
				out = append(out, leftLocked{path: path, ret: ret})
			}
		}
	}
	r.leftHeld[decl] = out
	return out
}

// lockLeftVerdict returns the verdict on call, x.Lock() in goroutine s (a
// literal), when the function that starts s first calls a method on x, in
// a statement before the go statement in the same block, that can return
// leaving that lock held.
func (r *rules) lockLeftVerdict(s *spawn, call *ast.CallExpr) (verdict, bool) {
	l, op, ok := r.locks.lockCall(call)
	if !ok || s.lit == nil || (op != "Lock" && op != "RLock") {
		return verdict{}, false
	}
	if l.root.Pos() >= s.lit.Pos() && l.root.Pos() < s.lit.End() {
		return verdict{}, false // the goroutine's own object
	}
	block, ok := s.cur.Parent().Node().(*ast.BlockStmt)
	if !ok {
		return verdict{}, false
	}
	for _, st := range block.List {
		if st.Pos() >= s.start.Pos() {
			break
		}
		before := exprStmtCall(st)
		if as, ok := st.(*ast.AssignStmt); ok && len(as.Rhs) == 1 {
			before, _ = ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		}
		if before == nil {
			continue
		}
		sel, ok := ast.Unparen(before.Fun).(*ast.SelectorExpr)
		decl := r.x.decls[staticCallee(r.x.info, before)]
		if !ok || decl == nil || r.objectOf(sel.X) != l.root {
			continue
		}
		for _, left := range r.locksLeftHeld(decl) {
			if left.path == l.path {
				return verdict{pattern: SyncWait, at: call, spawn: s, why: lockLeft{
					lock: l, op: op, method: decl.Name.Name, call: before, ret: left.ret,
				}}, true
			}
		}
	}
	return verdict{}, false
}
