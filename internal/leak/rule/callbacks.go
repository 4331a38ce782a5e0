package rule

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// A goroutine that waits on a channel field of its object that only its
// own deferred close releases: the close runs when the goroutine returns,
// which it cannot do while it waits. The wait may be in the goroutine's
// code, in a method it calls on the object, or in a hook of the object
// that holds a method value of that same object (x.onStop = x.wait).

// ownCloseVerdicts finds such waits.
func ownCloseVerdicts(r *Input) []verdict.Verdict {
	var out []verdict.Verdict
	for _, s := range r.Gs.List {
		if s.Body == nil {
			continue
		}
		for _, stmt := range s.Body.List {
			d, ok := stmt.(*ast.DeferStmt)
			if !ok || !syntax.IsCloseCall(r.X.Info, d.Call) {
				continue
			}
			field, base := syntax.FieldOnVar(r.X, d.Call.Args[0])
			if field == nil || !onlyClosedBy(r, field, s.Body) {
				continue
			}
			ownWaits(r.X, s.Body, base, field, 0, nil, func(op ast.Node, ch ast.Expr, via *ast.CallExpr) {
				kind := flow.OpRecv
				if _, ok := op.(*ast.RangeStmt); ok {
					kind = flow.OpRange
				}
				out = append(out, verdict.Verdict{Pattern: pattern.UnguardedRecv, At: op, Spawn: s, Through: via,
					Why: verdict.OwnClose{BlockedOp: verdict.BlockedOp{Kind: kind, Channel: syntax.ShortExpr(ch)}, Close: d}})
			})
		}
	}
	return out
}

// onlyClosedBy tells whether the field's channel is never sent on, and
// closed only by deferred closes in body.
func onlyClosedBy(r *Input, field *types.Var, body *ast.BlockStmt) bool {
	f := r.M.FieldFlow(field)
	if f == nil || f.Escapes {
		return false
	}
	for _, u := range f.Uses {
		switch u.Kind {
		case flow.OpSend:
			return false
		case flow.OpClose:
			if u.Pos() < body.Pos() || u.Pos() >= body.End() || u.Via != nil {
				return false
			}
		}
	}
	return true
}

// maxOwnDepth bounds how deep ownWaits follows calls.
const maxOwnDepth = 3

// ownWaits calls found for each receive or range on obj.field in body
// (not in deferred code, goroutines or literals) and in the methods body
// calls on obj; via is the call in the goroutine's own body that leads to
// it.
func ownWaits(x *syntax.Index, body *ast.BlockStmt, obj types.Object, field *types.Var, depth int, via *ast.CallExpr, found func(op ast.Node, ch ast.Expr, via *ast.CallExpr)) {
	onOwn := func(ch ast.Expr) bool {
		f, base := syntax.FieldOnVar(x, ch)
		return f == field && base == obj
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit, *ast.GoStmt, *ast.DeferStmt, *ast.SelectStmt:
			return false // later, elsewhere, or with other ways out
		case *ast.UnaryExpr:
			if n.Op == token.ARROW && onOwn(n.X) {
				found(n, n.X, via)
			}
		case *ast.RangeStmt:
			if onOwn(n.X) {
				found(n, n.X, via)
			}
		case *ast.CallExpr:
			if depth >= maxOwnDepth {
				break
			}
			if decl, recv := methodOnObject(x, n, obj); decl != nil {
				next := via
				if next == nil {
					next = n
				}
				ownWaits(x, decl.Body, recv, field, depth+1, next, found)
			}
		}
		return true
	})
}

// methodOnObject returns the method that call runs on obj, and its
// receiver: obj.m(), or obj.hook() where the hook's one value is a method
// value of the object it is stored in (x.hook = x.m).
func methodOnObject(x *syntax.Index, call *ast.CallExpr, obj types.Object) (*ast.FuncDecl, types.Object) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || syntax.ObjectOf(x, sel.X) != obj {
		return nil, nil
	}
	var decl *ast.FuncDecl
	if fn := syntax.StaticCallee(x.Info, call); fn != nil {
		decl = x.Decls[fn]
	} else if field, ok := x.Info.Uses[sel.Sel].(*types.Var); ok && field.IsField() {
		value, assignedTo := model.FieldFuncValue(x, field)
		vsel, ok1 := ast.Unparen(value).(*ast.SelectorExpr)
		asel, ok2 := ast.Unparen(assignedTo).(*ast.SelectorExpr)
		if !ok1 || !ok2 || syntax.ObjectOf(x, vsel.X) == nil || syntax.ObjectOf(x, vsel.X) != syntax.ObjectOf(x, asel.X) {
			return nil, nil
		}
		if fn := syntax.FuncValue(x.Info, vsel); fn != nil {
			decl = x.Decls[fn]
		}
	}
	if decl == nil || decl.Recv == nil || len(decl.Recv.List) == 0 || len(decl.Recv.List[0].Names) == 0 {
		return nil, nil
	}
	return decl, x.Info.Defs[decl.Recv.List[0].Names[0]]
}
