package model

import (
	"go/ast"
	"go/types"

	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// syncModel answers the sync rules' questions about the package's locks,
// WaitGroups and Conds, each once.
type SyncModel struct {
	x     *syntax.Index
	m     *ChannelModel
	locks *LockModel

	partners map[partnerKey]*partnerLocks   // memo of partnersOf
	uses     map[types.Object]*syncUsesOf   // memo of syncUses
	leftHeld map[*ast.FuncDecl][]leftLocked // memo of locksLeftHeld
}

func NewSyncModel(x *syntax.Index, m *ChannelModel, locks *LockModel) *SyncModel {
	return &SyncModel{x: x, m: m, locks: locks, partners: map[partnerKey]*partnerLocks{}, uses: map[types.Object]*syncUsesOf{}, leftHeld: map[*ast.FuncDecl][]leftLocked{}}
}

// syncUsesOf is what the package does with a WaitGroup or Cond variable
// or field: the calls of its methods, by name.
type syncUsesOf struct {
	Calls map[string][]*ast.CallExpr
}

// syncUses classifies, once per variable or field, every use of v in the
// package: a call v.M(...), the field v.L (a Cond's lock), or an
// assignment that gives it a value. It returns nil when some use lets it
// go where the analysis cannot follow: passed on, its address taken, a
// method value.
func (r *SyncModel) SyncUses(v *types.Var) *syncUsesOf {
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
