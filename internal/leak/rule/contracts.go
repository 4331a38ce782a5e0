package rule

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/contract"
	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// contractVerdicts finds calls that start a goroutine under a contract
// and then drop the object without calling a release method.
func contractVerdicts(r *Input) []verdict.Verdict {
	k := r.Contracts
	if len(k.ByStarter) == 0 && !k.Imported {
		return nil
	}
	// One walk of the package finds the calls of starters; cursors are
	// built only for the declarations that make one.
	type starterCall struct {
		call *ast.CallExpr
		fn   *types.Func
		c    *contract.Contract
	}
	var calls []starterCall
	for _, file := range r.X.Files {
		ast.Inspect(file, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if fn := syntax.StaticCallee(r.X.Info, call); fn != nil {
					if c := k.Of(r.X, fn); c != nil {
						calls = append(calls, starterCall{call, fn, c})
					}
				}
			}
			return true
		})
	}
	var out []verdict.Verdict
	for _, sc := range calls {
		if cur := r.X.CursorOf(sc.call); cur.Valid() {
			if v, ok := contractVerdict(r, cur, sc.fn, sc.c); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// contractVerdict decides on one call of a starter fn.
func contractVerdict(r *Input, cur inspector.Cursor, fn *types.Func, c *contract.Contract) (verdict.Verdict, bool) {
	methods := c.Methods
	call := cur.Node().(*ast.CallExpr)
	if decl, ok := flow.PlaceAt(cur).Owner.(*ast.FuncDecl); ok && r.Gs.Life.RunsOnce(decl) {
		return verdict.Verdict{}, false
	}
	if syntax.ExpectedToPanic(r.X.Info, cur) {
		return verdict.Verdict{}, false // the test asserts that the call panics, so it starts nothing
	}
	found := func(why verdict.Reason) (verdict.Verdict, bool) {
		return verdict.Verdict{Pattern: pattern.UnguardedRecv, At: call, Spawn: c.Start, Why: why}, true
	}
	if c.ParentArg > 0 && (c.ParentArg > len(call.Args) || syntax.NeverCancelled(r.X, call.Args[c.ParentArg-1]) == "") {
		return verdict.Verdict{}, false // the caller's context may be cancelled, which releases the goroutine
	}
	// The object is the receiver of a method starter (o.Start()), or the
	// result of a constructor.
	isMethod := fn.Type().(*types.Signature).Recv() != nil && !c.OnResult
	var id *ast.Ident
	if isMethod {
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok {
			return verdict.Verdict{}, false
		}
		if id, ok = ast.Unparen(sel.X).(*ast.Ident); !ok {
			return verdict.Verdict{}, false
		}
	} else {
		switch parent := cur.Parent().Node().(type) {
		case *ast.AssignStmt:
			if len(parent.Rhs) == 1 && parent.Rhs[0] == call {
				id, _ = parent.Lhs[0].(*ast.Ident)
			}
		case *ast.ValueSpec:
			if len(parent.Values) == 1 && parent.Values[0] == call {
				id = parent.Names[0]
			}
		case *ast.ExprStmt:
			return found(verdict.ContractDiscarded{Starter: fn, Methods: methods, Wait: c.Wait(), Loop: c.Loop()})
		}
		if id == nil {
			return verdict.Verdict{}, false
		}
	}
	v, ok := r.X.Info.ObjectOf(id).(*types.Var)
	if !ok || v.IsField() {
		return verdict.Verdict{}, false
	}
	vCur := r.X.CursorAt(v.Pos())
	if !vCur.Valid() {
		return verdict.Verdict{}, false
	}
	owner := flow.PlaceAt(vCur).Owner
	body := syntax.BodyOf(owner)
	if body == nil || v.Pos() < body.Pos() || v.Pos() >= body.End() {
		return verdict.Verdict{}, false // a parameter or a package variable: its owner is elsewhere
	}
	if isMethod && !contract.IsFresh(r.X, v, owner, methods) {
		return verdict.Verdict{}, false // made elsewhere: whoever made it may have arranged its release
	}
	switch contract.ReleaseState(r.X, v, owner, methods) {
	case contract.Released, contract.Escaped:
		return verdict.Verdict{}, false
	}
	return found(verdict.ContractDropped{Starter: fn, Methods: methods, Wait: c.Wait(), Loop: c.Loop(), Object: v, Owner: owner, Method: isMethod})
}
