package model

import (
	"go/ast"
	"go/types"

	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// Calls through function values with one known target. A goroutine that
// calls a hook stored in a field, or a function parameter, runs code the
// call names only indirectly; when the package gives that value exactly
// one function, the call is followed like a static one.

// Targets resolves calls through function values to their one target,
// remembering each interface method's sole implementation.
type Targets struct {
	x     *syntax.Index
	impls map[*types.Func]*types.Func // memo of soleImplementation
}

func NewTargets(x *syntax.Index) *Targets {
	return &Targets{x: x, impls: make(map[*types.Func]*types.Func)}
}

// OneTarget is the one function of this package (a declaration or a
// literal) that call can run, or nil:
//   - a static call of a function declared here;
//   - x.hook(), where hook is an unexported field of function type given a
//     value once in the package: a literal, a function or a method value;
//   - f(), where f is a parameter of the function declaration around the
//     call, never assigned, and that function has one call site, which
//     passes a literal, a function or a method value;
//   - x.m(), where x is an interface that only this package's types can
//     implement (it has an unexported method), and one type does.
func (r *Targets) OneTarget(call *ast.CallExpr) ast.Node {
	if fn := syntax.StaticCallee(r.x.Info, call); fn != nil {
		if decl := r.x.Decls[fn]; decl != nil {
			return decl
		}
		return nil
	}
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.SelectorExpr:
		if field, ok := r.x.Info.Uses[fun.Sel].(*types.Var); ok && field.IsField() {
			if value, _ := FieldFuncValue(r.x, field); value != nil {
				return funcNode(r.x, value)
			}
		}
		if method, ok := r.x.Info.Uses[fun.Sel].(*types.Func); ok {
			// A method promoted from another package's type has no
			// declaration here; a nil *ast.FuncDecl must not become a
			// non-nil ast.Node.
			if decl := r.x.Decls[r.soleImplementation(method)]; decl != nil {
				return decl
			}
		}
	case *ast.Ident:
		if v, ok := r.x.Info.Uses[fun].(*types.Var); ok {
			if value := r.x.SoleValue(v); value != nil {
				return funcNode(r.x, value)
			}
			if value := paramFuncValue(r.x, call, v); value != nil {
				return funcNode(r.x, value)
			}
		}
	}
	return nil
}

// soleImplementation is, for a method of an interface of this package
// that only its types can implement (it has an unexported method), the
// method of the one type that does; nil otherwise.
func (r *Targets) soleImplementation(method *types.Func) *types.Func {
	if impl, ok := r.impls[method]; ok {
		return impl
	}
	impl := findImplementation(r.x, method)
	r.impls[method] = impl
	return impl
}

// findImplementation is soleImplementation, uncached: one look at every
// type of the package.
func findImplementation(x *syntax.Index, method *types.Func) *types.Func {
	recv := method.Signature().Recv()
	if recv == nil || !types.IsInterface(recv.Type()) {
		return nil
	}
	named, ok := types.Unalias(recv.Type()).(*types.Named)
	if !ok || named.Obj().Pkg() != x.Pkg {
		return nil
	}
	iface := named.Underlying().(*types.Interface)
	sealed := false
	for i := range iface.NumMethods() {
		sealed = sealed || !iface.Method(i).Exported()
	}
	if !sealed {
		return nil
	}
	var impl *types.Func
	scope := x.Pkg.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() || types.IsInterface(tn.Type()) {
			continue
		}
		if n, ok := tn.Type().(*types.Named); ok && n.TypeParams().Len() > 0 {
			return nil // a generic type: its instances are beyond this count
		}
		t := tn.Type()
		if !types.Implements(t, iface) {
			t = types.NewPointer(t)
			if !types.Implements(t, iface) {
				continue
			}
		}
		if impl != nil {
			return nil // two implementations
		}
		obj, _, _ := types.LookupFieldOrMethod(t, false, x.Pkg, method.Name())
		impl, ok = obj.(*types.Func)
		if !ok {
			return nil
		}
	}
	return impl
}

// funcNode is the declaration or literal a function-valued expression
// denotes, or nil.
func funcNode(x *syntax.Index, e ast.Expr) ast.Node {
	if lit, ok := ast.Unparen(e).(*ast.FuncLit); ok {
		return lit
	}
	if fn := syntax.FuncValue(x.Info, e); fn != nil {
		if decl := x.Decls[fn]; decl != nil {
			return decl
		}
	}
	return nil
}

// FieldFuncValue is the one value an unexported function field of this
// package is given, when its every other mention calls it or compares it
// with nil, and the field it is assigned to (x.hook), when the value is
// given by an assignment; nil otherwise.
func FieldFuncValue(x *syntax.Index, field *types.Var) (value, assignedTo ast.Expr) {
	hook, ok := HookOf(x, field)
	if !ok || len(hook.Values) != 1 {
		return nil, nil
	}
	return hook.Values[0].Value, hook.Values[0].To
}

// A Hook is an unexported function field of this package that the package
// only calls, compares with nil and gives values: every value it can hold
// is in sight, and so is every call of it.
type Hook struct {
	Calls  []*ast.CallExpr // x.hook(...)
	Values []HookValue     // in source order
}

// A HookValue is one value given to a hook: by x.hook = value (To is
// x.hook), or by a keyed struct literal (To is nil).
type HookValue struct {
	Value, To ast.Expr
}

// HookOf reports what the package does with an unexported function field;
// ok is false when some mention does anything else with it (passes it on,
// assigns it to a variable), or a struct literal without keys may set it.
func HookOf(x *syntax.Index, field *types.Var) (hook Hook, ok bool) {
	field = field.Origin()
	if !syntax.Hidden(x, field) || !syntax.IsFuncType(field.Type()) || x.PositionallyBuilt(field) {
		return Hook{}, false
	}
	for _, cur := range x.FieldMentions(field) {
		id := cur.Node().(*ast.Ident)
		if x.Info.Defs[id] == field {
			continue // the declaration
		}
		if sel, ok := cur.Parent().Node().(*ast.SelectorExpr); ok && sel.Sel == id {
			cur = cur.Parent()
		}
		e := cur.Node().(ast.Expr)
		switch p := cur.Parent().Node().(type) {
		case *ast.CallExpr:
			if p.Fun == e {
				hook.Calls = append(hook.Calls, p)
				continue
			}
		case *ast.BinaryExpr:
			if syntax.IsNilIdent(x.Info, p.X) || syntax.IsNilIdent(x.Info, p.Y) {
				continue
			}
		case *ast.AssignStmt:
			if i := cur.ParentEdgeIndex(); len(p.Lhs) == len(p.Rhs) && i < len(p.Lhs) && p.Lhs[i] == e {
				hook.Values = append(hook.Values, HookValue{Value: p.Rhs[i], To: e})
				continue
			}
		case *ast.KeyValueExpr:
			if p.Key == e {
				hook.Values = append(hook.Values, HookValue{Value: p.Value})
				continue
			}
		}
		return Hook{}, false
	}
	return hook, true
}

// paramFuncValue is the function value passed for param, a parameter of
// the function declaration around call, at that function's only call
// site; nil when there is not exactly one or param is assigned.
func paramFuncValue(x *syntax.Index, call *ast.CallExpr, param *types.Var) ast.Expr {
	cur := x.CursorOf(call)
	if !cur.Valid() {
		return nil
	}
	var decl *ast.FuncDecl
	for enc := range cur.Enclosing((*ast.FuncDecl)(nil)) {
		decl = enc.Node().(*ast.FuncDecl)
	}
	if decl == nil {
		return nil
	}
	fn, ok := x.Info.Defs[decl.Name].(*types.Func)
	if !ok {
		return nil
	}
	sig := fn.Signature()
	index := syntax.ParamIndex(sig, param)
	if index < 0 || sig.Variadic() && index == sig.Params().Len()-1 {
		return nil
	}
	for _, m := range x.Mentions(decl, param) {
		if _, assigned := m.Parent().Node().(*ast.AssignStmt); assigned {
			return nil
		}
		if _, addressed := m.Parent().Node().(*ast.UnaryExpr); addressed {
			return nil
		}
	}
	var value ast.Expr
	for _, id := range x.UsesOf(fn) {
		use := x.CursorOf(id)
		if !use.Valid() {
			return nil
		}
		if sel, ok := use.Parent().Node().(*ast.SelectorExpr); ok && sel.Sel == id {
			use = use.Parent() // x.Method
		}
		site, ok := use.Parent().Node().(*ast.CallExpr)
		if !ok || site.Fun != use.Node() || value != nil || len(site.Args) != sig.Params().Len() {
			return nil // passed as a value, called twice, or with a spread
		}
		value = site.Args[index]
	}
	return value
}
