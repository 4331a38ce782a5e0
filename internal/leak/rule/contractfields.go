package rule

import (
	"go/ast"
	"go/types"

	"github.com/goroutineleak/goroutineleak/internal/leak/contract"
	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Contracts kept in a field: a field that the package fills with the
// result of a constructor under a contract holds an object whose goroutine
// only a release method ends. A function that takes the object out of the
// field (v := o.f) and then clears or replaces the field (o.f = nil) owns
// it from then on: the field no longer reaches it, so if the function
// never releases v, nothing can.

// A fieldStarter is the constructor whose results a field holds.
type fieldStarter struct {
	fn *types.Func
	c  *contract.Contract
}

// takenFieldVerdicts finds the functions that take a contract's object out
// of a field, clear the field, and drop the object without releasing it.
func takenFieldVerdicts(r *Input) []verdict.Verdict {
	k := r.Contracts
	if len(k.ByStarter) == 0 && !k.Imported {
		return nil
	}
	var takes []*ast.AssignStmt
	for _, file := range r.X.Files {
		ast.Inspect(file, func(n ast.Node) bool {
			if as, ok := n.(*ast.AssignStmt); ok && takenField(r.X, as) != nil {
				takes = append(takes, as)
			}
			return true
		})
	}
	var out []verdict.Verdict
	starters := map[*types.Var]*fieldStarter{}
	for _, take := range takes {
		field := takenField(r.X, take)
		fs, ok := starters[field]
		if !ok {
			fs = fieldStarterOf(r, field)
			starters[field] = fs
		}
		if fs == nil {
			continue
		}
		if v, ok := takenFieldVerdict(r, take, field, fs); ok {
			out = append(out, v)
		}
	}
	return out
}

// takenField is the field f of `v := o.f` (or v = o.f), when v is a local
// variable and f holds a pointer to, or a value of, a named struct type.
func takenField(x *syntax.Index, as *ast.AssignStmt) *types.Var {
	if len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return nil
	}
	if _, ok := as.Lhs[0].(*ast.Ident); !ok {
		return nil
	}
	sel, ok := ast.Unparen(as.Rhs[0]).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	f, ok := x.Info.Uses[sel.Sel].(*types.Var)
	if !ok || !f.IsField() {
		return nil
	}
	named, ok := types.Unalias(syntax.DerefType(f.Type())).(*types.Named)
	if !ok {
		return nil
	}
	if _, ok := named.Underlying().(*types.Struct); !ok {
		return nil
	}
	return f.Origin()
}

// fieldStarterOf is the constructor under a contract whose result the
// package assigns to field (o.f = NewT(...)), or nil when there is none, or
// more than one.
func fieldStarterOf(r *Input, field *types.Var) *fieldStarter {
	var found *fieldStarter
	for _, id := range r.X.UsesOf(field) {
		cur := r.X.CursorOf(id)
		if !cur.Valid() {
			continue
		}
		sel, ok := cur.Parent().Node().(*ast.SelectorExpr)
		if !ok || sel.Sel != id {
			continue
		}
		as, ok := cur.Parent().Parent().Node().(*ast.AssignStmt)
		if !ok || len(as.Lhs) != len(as.Rhs) {
			continue
		}
		for i, lhs := range as.Lhs {
			if lhs != sel {
				continue
			}
			call, ok := ast.Unparen(as.Rhs[i]).(*ast.CallExpr)
			if !ok {
				continue
			}
			fn := syntax.StaticCallee(r.X.Info, call)
			if fn == nil {
				continue
			}
			c := r.Contracts.Of(r.X, fn)
			if c == nil || (fn.Type().(*types.Signature).Recv() != nil && !c.OnResult) || c.ParentArg > 0 {
				continue
			}
			if found != nil && found.fn != fn {
				return nil
			}
			found = &fieldStarter{fn, c}
		}
	}
	return found
}

// takenFieldVerdict decides on one take v := o.f: the report is at the
// assignment that later clears or replaces o.f in the same function.
func takenFieldVerdict(r *Input, take *ast.AssignStmt, field *types.Var, fs *fieldStarter) (verdict.Verdict, bool) {
	v, ok := r.X.Info.ObjectOf(take.Lhs[0].(*ast.Ident)).(*types.Var)
	if !ok {
		return verdict.Verdict{}, false
	}
	cur := r.X.CursorOf(take)
	if !cur.Valid() {
		return verdict.Verdict{}, false
	}
	owner := flow.PlaceAt(cur).Owner
	body := syntax.BodyOf(owner)
	if body == nil || v.Pos() < body.Pos() || v.Pos() >= body.End() {
		return verdict.Verdict{}, false
	}
	base := syntax.ObjectOf(r.X, ast.Unparen(take.Rhs[0]).(*ast.SelectorExpr).X)
	if base == nil {
		return verdict.Verdict{}, false
	}
	clear := clearingAssign(r.X, owner, take, field, base)
	if clear == nil {
		return verdict.Verdict{}, false
	}
	if contract.ReleaseState(r.X, v, owner, fs.c.Methods) != contract.Unreleased {
		return verdict.Verdict{}, false
	}
	c := fs.c
	p := pattern.UnguardedRecv
	if c.SendsOn != "" {
		p = pattern.UnreadSend // a read contract's goroutine blocks on a send
	}
	return verdict.Verdict{Pattern: p, At: clear, Spawn: c.Start,
		Why: verdict.ContractTaken{Starter: fs.fn, Methods: c.Methods, Wait: c.Wait(), Loop: c.Loop(),
			Object: v, Field: field, Take: take, Owner: owner, SendsOn: c.SendsOn}}, true
}

// clearingAssign is the first assignment to base.field after take, in
// owner's own code.
func clearingAssign(x *syntax.Index, owner ast.Node, take *ast.AssignStmt, field *types.Var, base types.Object) *ast.AssignStmt {
	var found *ast.AssignStmt
	ast.Inspect(syntax.BodyOf(owner), func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			if n.Pos() < take.End() {
				return true
			}
			for _, lhs := range n.Lhs {
				sel, ok := ast.Unparen(lhs).(*ast.SelectorExpr)
				if ok && syntax.OriginOf(syntax.ObjectOf(x, sel)) == field && syntax.ObjectOf(x, sel.X) == base {
					found = n
				}
			}
		}
		return found == nil
	})
	return found
}
