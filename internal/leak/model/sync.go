package model

import (
	"go/ast"
	"go/types"
	"slices"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// Sync answers the sync rules' questions about the package's locks,
// WaitGroups and Conds, each once.
type Sync struct {
	x     *syntax.Index
	m     *Channels
	locks *Locks

	partners map[partnerKey]*partnerLocks   // memo of partnersOf
	uses     map[types.Object]*syncUsesOf   // memo of syncUses
	leftHeld map[*ast.FuncDecl][]leftLocked // memo of locksLeftHeld
}

func NewSync(x *syntax.Index, m *Channels, locks *Locks) *Sync {
	return &Sync{x: x, m: m, locks: locks, partners: map[partnerKey]*partnerLocks{}, uses: map[types.Object]*syncUsesOf{}, leftHeld: map[*ast.FuncDecl][]leftLocked{}}
}

// syncUsesOf is what the package does with a WaitGroup or Cond variable
// or field: the calls of its methods, by name.
type syncUsesOf struct {
	Calls map[string][]*ast.CallExpr
}

// SyncUses classifies, once per variable or field, every use of v in the
// package: a call v.M(...), the field v.L (a Cond's lock), or an
// assignment that gives it a value. It returns nil when some use lets it
// go where the analysis cannot follow: passed on, its address taken, a
// method value.
func (r *Sync) SyncUses(v *types.Var) *syncUsesOf {
	obj := syntax.OriginOf(v)
	if u, ok := r.uses[obj]; ok {
		return u
	}
	r.uses[obj] = nil
	uses := &syncUsesOf{Calls: map[string][]*ast.CallExpr{}}
	for _, id := range r.x.UsesOf(obj) {
		use := r.x.CursorOf(id)
		if !use.Valid() {
			return nil
		}
		if p, ok := use.Parent().Node().(*ast.SelectorExpr); ok && p.Sel == id {
			use = use.Parent() // x.wg: the field's use is the selector
		}
		switch p := use.Parent().Node().(type) {
		case *ast.SelectorExpr:
			if p.X != use.Node() {
				return nil
			}
			if p.Sel.Name == "L" {
				continue
			}
			c, ok := use.Parent().Parent().Node().(*ast.CallExpr)
			if !ok || c.Fun != p {
				return nil // a method value
			}
			uses.Calls[p.Sel.Name] = append(uses.Calls[p.Sel.Name], c)
		case *ast.AssignStmt:
			if i := use.ParentEdgeIndex(); i >= len(p.Lhs) || p.Lhs[i] != use.Node() {
				return nil
			}
		case *ast.KeyValueExpr:
			if p.Key != use.Node() {
				return nil
			}
		default:
			return nil // passed on, or its address taken
		}
	}
	r.uses[obj] = uses
	return uses
}

// partnerLocks is what every partner operation on a channel field holds:
// for each lock path held (on the partner's own object) at every one of
// them, whether some hold it only for reading.
type partnerLocks struct {
	Held  map[string]bool
	Nodes []ast.Node
}

type partnerKey struct {
	field    *types.Var
	receives bool // the partners are the receives
}

// PartnersOf computes, once per field, the locks its partner operations
// (its receives, or its sends) all hold; nil when there are none, or when
// the field is not one whose every partner is in sight: unbuffered, not
// escaping, and (for partners that send) never closed, since a close made
// before the wait began would end it.
func (r *Sync) PartnersOf(field *types.Var, receives bool) *partnerLocks {
	key := partnerKey{field, receives}
	if p, ok := r.partners[key]; ok {
		return p
	}
	r.partners[key] = nil
	f := r.m.FieldFlow(field)
	if f == nil || f.Escapes || f.Buffered || f.Defs == 0 {
		return nil
	}
	p := &partnerLocks{}
	for i := range f.Uses {
		u := &f.Uses[i]
		if u.Kind == flow.OpClose {
			if !receives {
				return nil
			}
			continue
		}
		if u.Kind.Receives() != receives {
			continue
		}
		pfield, pbase := syntax.FieldOnVar(r.x, u.At.Node().(ast.Expr))
		pfn := syntax.EnclosingFunc(u.At)
		if u.Via != nil || pfield != field || pfn == nil {
			return nil
		}
		held := map[string]bool{}
		for _, l := range r.locks.HeldAt(pfn, u.Node) {
			if l.Root == pbase && l.Path != "" {
				held[l.Path] = l.Read
			}
		}
		if p.Held == nil {
			p.Held = held
		} else {
			for path, read := range p.Held {
				other, ok := held[path]
				if !ok {
					delete(p.Held, path)
				} else {
					p.Held[path] = read || other
				}
			}
		}
		p.Nodes = append(p.Nodes, u.Node)
	}
	if len(p.Nodes) == 0 || len(p.Held) == 0 {
		return nil // no partner at all is deadNonLocal's
	}
	r.partners[key] = p
	return p
}

func Holds(held []HeldLock, l HeldLock) bool {
	return slices.IndexFunc(held, l.SameLock) >= 0
}

func HoldsPath(held []HeldLock, path string) bool {
	return slices.IndexFunc(held, func(h HeldLock) bool { return h.Path == path }) >= 0
}

// A lock left held: a method takes a lock of its receiver and returns on
// one path without releasing it, while another path releases it (so it
// means to). A goroutine that then takes that lock of the same object
// after such a call blocks for ever, and nothing after its Lock runs.

// leftLocked is a return of a method that leaves a lock of its receiver
// held.
type leftLocked struct {
	Path string   // the lock's path from the receiver
	Ret  ast.Node // the return that leaves it held, or the body for its end
}

// LocksLeftHeld returns, once per method, the returns that leave a lock of
// the receiver held while another return does not, when no deferred call
// releases it.
func (r *Sync) LocksLeftHeld(decl *ast.FuncDecl) []leftLocked {
	if l, ok := r.leftHeld[decl]; ok {
		return l
	}
	r.leftHeld[decl] = nil
	if decl.Recv == nil || len(decl.Recv.List) != 1 || len(decl.Recv.List[0].Names) != 1 || decl.Body == nil {
		return nil
	}
	recv := r.x.Info.Defs[decl.Recv.List[0].Names[0]]
	deferred := map[string]bool{}
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			if l, op, ok := r.locks.LockCall(n.Call); ok && l.Root == recv && (op == "Unlock" || op == "RUnlock") {
				deferred[l.Path] = true
			}
		}
		return true
	})
	heldAt := map[string][]ast.Node{}
	releasedSomewhere := map[string]bool{}
	for _, e := range r.locks.exits(decl) {
		held := map[string]bool{}
		for _, l := range e.held {
			if l.Root == recv && !deferred[l.Path] {
				held[l.Path] = true
				heldAt[l.Path] = append(heldAt[l.Path], e.at)
			}
		}
		for _, l := range e.taken {
			if l.Root == recv && !held[l.Path] {
				releasedSomewhere[l.Path] = true
			}
		}
	}
	var out []leftLocked
	for path, rets := range heldAt {
		if releasedSomewhere[path] {
			for _, ret := range rets {
				out = append(out, leftLocked{Path: path, Ret: ret})
			}
		}
	}
	r.leftHeld[decl] = out
	return out
}
