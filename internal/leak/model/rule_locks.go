package model

import (
	"go/ast"
	"go/types"
	"slices"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

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

// partnersOf computes, once per field, the locks its partner operations
// (its receives, or its sends) all hold; nil when there are none, or when
// the field is not one whose every partner is in sight: unbuffered, not
// escaping, and (for partners that send) never closed, since a close made
// before the wait began would end it.
func (r *SyncModel) PartnersOf(field *types.Var, receives bool) *partnerLocks {
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

// locksLeftHeld returns, once per method, the returns that leave a lock of
// the receiver held while another return does not, when no deferred call
// releases it.
func (r *SyncModel) LocksLeftHeld(decl *ast.FuncDecl) []leftLocked {
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
