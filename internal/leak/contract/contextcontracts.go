package contract

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// Context contracts: a starter derives a context with context.WithCancel,
// keeps its cancel function in a field of a type T, and starts a goroutine
// that waits on the derived context's Done(). Only the methods of T that
// call the stored cancel release the goroutine (besides the parent
// context, which a caller may cancel: so the contract binds a caller only
// where the parent is never cancelled, context.Background() or TODO()).
// This is the lifecycle contract of contracts.go with a cancel instead of a
// close.

// A ctxContract is what contextContract finds of one starter.
type ctxContract struct {
	named     *types.Named // T, whose methods release the goroutine
	onResult  bool         // T is the starter's result, not its receiver
	parentArg int          // 1 + the starter's parameter that is the parent context; 0 when the parent is never cancelled
	waitAt    ast.Node     // the goroutine's receive from Done()
	methods   []string
	cancel    *types.Var // the field that keeps the cancel function
}

// withCancelAssigns lists decl's top-level assignments of the form
// ctx, cancel := context.WithCancel(parent).
func withCancelAssigns(x *syntax.Index, decl *ast.FuncDecl) []*ast.AssignStmt {
	var out []*ast.AssignStmt
	for _, stmt := range decl.Body.List {
		as, ok := stmt.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 2 || len(as.Rhs) != 1 {
			continue
		}
		call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		if ok && len(call.Args) == 1 && onlyCancelled(syntax.StaticCallee(x.Info, call)) {
			out = append(out, as)
		}
	}
	return out
}

// onlyCancelled reports whether fn derives a context that only its cancel
// function ends: the goroutine waiting on it waits for that call.
func onlyCancelled(fn *types.Func) bool {
	derives, onlyCancel := syntax.WithCancel(fn)
	return derives && onlyCancel
}

// contextContract finds the context contract of starter fn (decl), whose
// unconditional goroutine is s, among decl's WithCancel assignments.
func contextContract(x *syntax.Index, s *flow.Spawn, fn *types.Func, decl *ast.FuncDecl, assigns []*ast.AssignStmt) *ctxContract {
	for _, as := range assigns {
		if k := contextContractAt(x, s, fn, decl, as); k != nil {
			return k
		}
	}
	return nil
}

// contextContractAt is the context contract that the WithCancel
// assignment as makes, if the goroutine s waits on its context.
func contextContractAt(x *syntax.Index, s *flow.Spawn, fn *types.Func, decl *ast.FuncDecl, as *ast.AssignStmt) *ctxContract {
	call := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
	k := &ctxContract{}
	if !k.parentOf(x, fn, call.Args[0]) {
		return nil
	}
	cancel, named := cancelField(x, decl, as.Lhs[1])
	if cancel == nil {
		return nil
	}
	k.named, k.cancel = named, cancel
	k.onResult = !syntax.IsMethodOfNamed(fn, named)
	if k.onResult && !returnsNamed(fn, named) {
		return nil
	}
	if k.waitAt = waitsOnDone(x, s, as.Lhs[0], decl, named); k.waitAt == nil {
		return nil
	}
	if k.methods = cancellers(x, fn, s.Callee, named, cancel); len(k.methods) == 0 {
		return nil
	}
	return k
}

// parentOf records which parent the derived context has: a parameter of
// fn, or a context that is never cancelled. Any other parent may be
// cancelled by code we do not follow.
func (k *ctxContract) parentOf(x *syntax.Index, fn *types.Func, parent ast.Expr) bool {
	if syntax.NeverCancelled(x, parent) != "" {
		return true
	}
	id, ok := ast.Unparen(parent).(*ast.Ident)
	if !ok {
		return false
	}
	params := fn.Type().(*types.Signature).Params()
	for i := range params.Len() {
		if x.Info.Uses[id] == params.At(i) {
			k.parentArg = i + 1
			return true
		}
	}
	return false
}

// cancelField finds the unexported field of a struct type of this package
// where decl keeps the cancel function assigned to target: the target
// itself (ctx, t.cancel = ...), or a field given the cancel variable in a
// composite literal or an assignment.
func cancelField(x *syntax.Index, decl *ast.FuncDecl, target ast.Expr) (*types.Var, *types.Named) {
	if sel, ok := ast.Unparen(target).(*ast.SelectorExpr); ok {
		return ownFuncField(x, sel)
	}
	id, ok := ast.Unparen(target).(*ast.Ident)
	if !ok {
		return nil, nil
	}
	v, ok := x.Info.ObjectOf(id).(*types.Var)
	if !ok {
		return nil, nil
	}
	var field *types.Var
	var named *types.Named
	found := 0
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.KeyValueExpr:
			if vid, ok := ast.Unparen(n.Value).(*ast.Ident); ok && x.Info.Uses[vid] == v {
				if key, ok := n.Key.(*ast.Ident); ok {
					if f, ok := x.Info.Uses[key].(*types.Var); ok && f.IsField() {
						field, named = f.Origin(), nil
						found++
					}
				}
			}
		case *ast.AssignStmt:
			for i, rhs := range n.Rhs {
				if vid, ok := ast.Unparen(rhs).(*ast.Ident); ok && x.Info.Uses[vid] == v && i < len(n.Lhs) {
					if sel, ok := ast.Unparen(n.Lhs[i]).(*ast.SelectorExpr); ok {
						field, named = ownFuncField(x, sel)
						found++
					}
				}
			}
		}
		return true
	})
	if found != 1 || field == nil || field.Exported() {
		return nil, nil
	}
	if named == nil {
		// From a composite literal: the struct type that declares it.
		named = namedWithField(x, field)
	}
	if named == nil {
		return nil, nil
	}
	return field, named
}

// ownFuncField is the unexported field of a struct type of this package
// that sel selects, and that type.
func ownFuncField(x *syntax.Index, sel *ast.SelectorExpr) (*types.Var, *types.Named) {
	f, ok := x.Info.Uses[sel.Sel].(*types.Var)
	if !ok || !f.IsField() || f.Exported() || f.Pkg() != x.Pkg {
		return nil, nil
	}
	named, ok := types.Unalias(syntax.DerefType(x.Info.TypeOf(sel.X))).(*types.Named)
	if !ok || named.Obj().Pkg() != x.Pkg {
		return nil, nil
	}
	return f.Origin(), named.Origin()
}

// namedWithField finds the named struct type of this package that
// declares field.
func namedWithField(x *syntax.Index, field *types.Var) *types.Named {
	scope := x.Pkg.Scope()
	for _, name := range scope.Names() {
		if tn, ok := scope.Lookup(name).(*types.TypeName); ok {
			if named, ok := types.Unalias(tn.Type()).(*types.Named); ok && syntax.HasField(named, field) {
				return named
			}
		}
	}
	return nil
}

// returnsNamed reports whether fn's first result is T or *T.
func returnsNamed(fn *types.Func, named *types.Named) bool {
	res := fn.Type().(*types.Signature).Results()
	if res.Len() == 0 {
		return false
	}
	n, ok := types.Unalias(syntax.DerefType(res.At(0).Type())).(*types.Named)
	return ok && n.Origin() == named.Origin()
}

// waitsOnDone finds the goroutine's first statement, when it is a receive
// from Done() of the derived context: the variable ctx that decl assigns
// (captured, or passed to the goroutine's function), or a field of T given
// that context.
func waitsOnDone(x *syntax.Index, s *flow.Spawn, ctx ast.Expr, decl *ast.FuncDecl, named *types.Named) ast.Node {
	if s.Body == nil || len(s.Body.List) == 0 {
		return nil
	}
	es, ok := s.Body.List[0].(*ast.ExprStmt)
	if !ok {
		return nil
	}
	recv, ok := ast.Unparen(es.X).(*ast.UnaryExpr)
	if !ok || recv.Op != token.ARROW {
		return nil
	}
	of := syntax.ContextOfDone(x, recv.X)
	if of == nil {
		return nil
	}
	derived := x.Info.ObjectOf(identOf(ctx))
	switch e := ast.Unparen(of).(type) {
	case *ast.Ident:
		obj := x.Info.Uses[e]
		if obj != nil && obj == derived {
			return recv // a literal that captures ctx
		}
		// A parameter of the goroutine's function, given ctx at the go call.
		if s.Callee != nil && s.Call != nil {
			params := s.Callee.Type().(*types.Signature).Params()
			for i := range params.Len() {
				if obj == params.At(i) && i < len(s.Call.Args) {
					if arg := identOf(s.Call.Args[i]); arg != nil && x.Info.Uses[arg] == derived {
						return recv
					}
				}
			}
		}
	case *ast.SelectorExpr:
		// A field of T that decl gives ctx.
		f, fnamed := ownFuncField(x, e)
		if f == nil || fnamed.Origin() != named.Origin() {
			return nil
		}
		if givenCtx(x, decl, f, derived) {
			return recv
		}
	}
	return nil
}

// givenCtx reports whether decl gives field the derived context, in a
// composite literal or an assignment.
func givenCtx(x *syntax.Index, decl *ast.FuncDecl, field *types.Var, derived types.Object) bool {
	found := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.KeyValueExpr:
			if key, ok := n.Key.(*ast.Ident); ok && x.Info.Uses[key] == field {
				if id := identOf(n.Value); id != nil && x.Info.Uses[id] == derived {
					found = true
				}
			}
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if sel, ok := ast.Unparen(lhs).(*ast.SelectorExpr); ok && x.Info.Uses[sel.Sel] == field && i < len(n.Rhs) {
					if id := identOf(n.Rhs[i]); id != nil && x.Info.Uses[id] == derived {
						found = true
					}
				}
			}
		}
		return !found
	})
	return found
}

func identOf(e ast.Expr) *ast.Ident {
	id, _ := ast.Unparen(e).(*ast.Ident)
	return id
}

// cancellers lists the methods of named, other than the starter and the
// goroutine's own function (which cancels only once it is woken), that use
// the stored cancel field, and the methods that call them; nil when
// anything else in the package uses the field (its release is then out of
// our sight).
func cancellers(x *syntax.Index, starter, goroutine *types.Func, named *types.Named, cancel *types.Var) []string {
	set := map[string]bool{}
	for _, cur := range x.FieldMentions(cancel) {
		if x.Info.Defs[cur.Node().(*ast.Ident)] != nil {
			continue // the field's declaration
		}
		method := model.MethodAround(x.Info, cur, named)
		switch method {
		case nil:
			if !isCompositeKey(cur) {
				return nil
			}
		case starter:
			// The assignment that stores it; any other use in the starter
			// releases the goroutine there.
			if !isAssignTarget(cur) && !isCompositeKey(cur) {
				return nil
			}
		default:
			set[method.Name()] = true
		}
	}
	if len(set) == 0 {
		return nil
	}
	model.CloseOverCalls(x, named, set, starter)
	if goroutine != nil {
		delete(set, goroutine.Name())
	}
	methods := make([]string, 0, len(set))
	for m := range set {
		methods = append(methods, m)
	}
	sort.Strings(methods)
	return methods
}

// isAssignTarget reports whether the field selected at cur (x.f) is
// assigned to.
func isAssignTarget(cur inspector.Cursor) bool {
	sel := cur.Parent()
	if _, ok := sel.Node().(*ast.SelectorExpr); !ok {
		return false
	}
	k, _ := sel.ParentEdge()
	return k == edge.AssignStmt_Lhs
}

// isCompositeKey reports whether the identifier at cur is the key of a
// composite literal's element (f: v).
func isCompositeKey(cur inspector.Cursor) bool {
	k, _ := cur.ParentEdge()
	return k == edge.KeyValueExpr_Key
}
