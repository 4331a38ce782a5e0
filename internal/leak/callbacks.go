package leak

import (
	"go/ast"
	"go/token"
	"go/types"
)

// Calls through function values with one known target. A goroutine that
// calls a hook stored in a field, or a function parameter, runs code the
// call names only indirectly; when the package gives that value exactly
// one function, the call is followed like a static one.

// targets resolves calls through function values to their one target,
// remembering each interface method's sole implementation.
type targets struct {
	x     *index
	impls map[*types.Func]*types.Func // memo of soleImplementation
}

func newTargets(x *index) *targets {
	return &targets{x: x, impls: make(map[*types.Func]*types.Func)}
}

// oneTarget is the one function of this package (a declaration or a
// literal) that call can run, or nil:
//   - a static call of a function declared here;
//   - x.hook(), where hook is an unexported field of function type given a
//     value once in the package: a literal, a function or a method value;
//   - f(), where f is a parameter of the function declaration around the
//     call, never assigned, and that function has one call site, which
//     passes a literal, a function or a method value;
//   - x.m(), where x is an interface that only this package's types can
//     implement (it has an unexported method), and one type does.
func (r *targets) oneTarget(call *ast.CallExpr) ast.Node {
	if fn := staticCallee(r.x.info, call); fn != nil {
		if decl := r.x.decls[fn]; decl != nil {
			return decl
		}
		return nil
	}
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.SelectorExpr:
		if field, ok := r.x.info.Uses[fun.Sel].(*types.Var); ok && field.IsField() {
			if value, _ := fieldFuncValue(r.x, field); value != nil {
				return funcNode(r.x, value)
			}
		}
		if method, ok := r.x.info.Uses[fun.Sel].(*types.Func); ok {
			// A method promoted from another package's type has no
			// declaration here; a nil *ast.FuncDecl must not become a
			// non-nil ast.Node.
			if decl := r.x.decls[r.soleImplementation(method)]; decl != nil {
				return decl
			}
		}
	case *ast.Ident:
		if param, ok := r.x.info.Uses[fun].(*types.Var); ok {
			if value := paramFuncValue(r.x, call, param); value != nil {
				return funcNode(r.x, value)
			}
		}
	}
	return nil
}

// soleImplementation is, for a method of an interface of this package
// that only its types can implement (it has an unexported method), the
// method of the one type that does; nil otherwise.
func (r *targets) soleImplementation(method *types.Func) *types.Func {
	if impl, ok := r.impls[method]; ok {
		return impl
	}
	impl := findImplementation(r.x, method)
	r.impls[method] = impl
	return impl
}

// findImplementation is soleImplementation, uncached: one look at every
// type of the package.
func findImplementation(x *index, method *types.Func) *types.Func {
	recv := method.Signature().Recv()
	if recv == nil || !types.IsInterface(recv.Type()) {
		return nil
	}
	named, ok := types.Unalias(recv.Type()).(*types.Named)
	if !ok || named.Obj().Pkg() != x.pkg {
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
	scope := x.pkg.Scope()
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
		obj, _, _ := types.LookupFieldOrMethod(t, false, x.pkg, method.Name())
		impl, ok = obj.(*types.Func)
		if !ok {
			return nil
		}
	}
	return impl
}

// funcNode is the declaration or literal a function-valued expression
// denotes, or nil.
func funcNode(x *index, e ast.Expr) ast.Node {
	if lit, ok := ast.Unparen(e).(*ast.FuncLit); ok {
		return lit
	}
	if fn := funcValue(x.info, e); fn != nil {
		if decl := x.decls[fn]; decl != nil {
			return decl
		}
	}
	return nil
}

// fieldFuncValue is the one value an unexported function field of this
// package is given, when its every other mention calls it or compares it
// with nil, and the field it is assigned to (x.hook), when the value is
// given by an assignment; nil otherwise.
func fieldFuncValue(x *index, field *types.Var) (value, assignedTo ast.Expr) {
	field = field.Origin()
	if !hidden(x, field) || !isFuncType(field.Type()) || x.positionallyBuilt(field) {
		return nil, nil
	}
	for _, cur := range x.fieldMentions(field) {
		id := cur.Node().(*ast.Ident)
		if x.info.Defs[id] == field {
			continue // the declaration
		}
		if sel, ok := cur.Parent().Node().(*ast.SelectorExpr); ok && sel.Sel == id {
			cur = cur.Parent()
		}
		e := cur.Node().(ast.Expr)
		switch p := cur.Parent().Node().(type) {
		case *ast.CallExpr:
			if p.Fun == e {
				continue
			}
		case *ast.BinaryExpr:
			if isNilIdent(x.info, p.X) || isNilIdent(x.info, p.Y) {
				continue
			}
		case *ast.AssignStmt:
			if i := cur.ParentEdgeIndex(); len(p.Lhs) == len(p.Rhs) && i < len(p.Lhs) && p.Lhs[i] == e && value == nil {
				value, assignedTo = p.Rhs[i], e
				continue
			}
		case *ast.KeyValueExpr:
			if p.Key == e && value == nil {
				value = p.Value
				continue
			}
		}
		return nil, nil
	}
	return value, assignedTo
}

// paramFuncValue is the function value passed for param, a parameter of
// the function declaration around call, at that function's only call
// site; nil when there is not exactly one or param is assigned.
func paramFuncValue(x *index, call *ast.CallExpr, param *types.Var) ast.Expr {
	cur := x.cursorOf(call)
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
	fn, ok := x.info.Defs[decl.Name].(*types.Func)
	if !ok {
		return nil
	}
	sig := fn.Signature()
	index := -1
	for i := range sig.Params().Len() {
		if sig.Params().At(i) == param {
			index = i
		}
	}
	if index < 0 || sig.Variadic() && index == sig.Params().Len()-1 {
		return nil
	}
	for _, m := range x.mentions(decl, param) {
		if _, assigned := m.Parent().Node().(*ast.AssignStmt); assigned {
			return nil
		}
		if _, addressed := m.Parent().Node().(*ast.UnaryExpr); addressed {
			return nil
		}
	}
	var value ast.Expr
	for _, id := range x.usesOf(fn) {
		use := x.cursorOf(id)
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

// A goroutine that waits on a channel field of its object that only its
// own deferred close releases: the close runs when the goroutine returns,
// which it cannot do while it waits. The wait may be in the goroutine's
// code, in a method it calls on the object, or in a hook of the object
// that holds a method value of that same object (x.onStop = x.wait).

// ownCloseVerdicts finds such waits.
func ownCloseVerdicts(r *rules) []verdict {
	var out []verdict
	for _, s := range r.gs.list {
		if s.body == nil {
			continue
		}
		for _, stmt := range s.body.List {
			d, ok := stmt.(*ast.DeferStmt)
			if !ok || !isCloseCall(r.x.info, d.Call) {
				continue
			}
			field, base := fieldOnVar(r.x, d.Call.Args[0])
			if field == nil || !onlyClosedBy(r, field, s.body) {
				continue
			}
			ownWaits(r.x, s.body, base, field, 0, nil, func(op ast.Node, ch ast.Expr, via *ast.CallExpr) {
				kind := opRecv
				if _, ok := op.(*ast.RangeStmt); ok {
					kind = opRange
				}
				out = append(out, verdict{pattern: UnguardedRecv, at: op, spawn: s, through: via,
					why: ownClose{blockedOp: blockedOp{kind: kind, channel: shortExpr(ch)}, close: d}})
			})
		}
	}
	return out
}

// onlyClosedBy tells whether the field's channel is never sent on, and
// closed only by deferred closes in body.
func onlyClosedBy(r *rules, field *types.Var, body *ast.BlockStmt) bool {
	f := r.m.fieldFlow(field)
	if f == nil || f.escapes {
		return false
	}
	for _, u := range f.uses {
		switch u.kind {
		case opSend:
			return false
		case opClose:
			if u.pos() < body.Pos() || u.pos() >= body.End() || u.via != nil {
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
func ownWaits(x *index, body *ast.BlockStmt, obj types.Object, field *types.Var, depth int, via *ast.CallExpr, found func(op ast.Node, ch ast.Expr, via *ast.CallExpr)) {
	onOwn := func(ch ast.Expr) bool {
		f, base := fieldOnVar(x, ch)
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
func methodOnObject(x *index, call *ast.CallExpr, obj types.Object) (*ast.FuncDecl, types.Object) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || objectOf(x, sel.X) != obj {
		return nil, nil
	}
	var decl *ast.FuncDecl
	if fn := staticCallee(x.info, call); fn != nil {
		decl = x.decls[fn]
	} else if field, ok := x.info.Uses[sel.Sel].(*types.Var); ok && field.IsField() {
		value, assignedTo := fieldFuncValue(x, field)
		vsel, ok1 := ast.Unparen(value).(*ast.SelectorExpr)
		asel, ok2 := ast.Unparen(assignedTo).(*ast.SelectorExpr)
		if !ok1 || !ok2 || objectOf(x, vsel.X) == nil || objectOf(x, vsel.X) != objectOf(x, asel.X) {
			return nil, nil
		}
		if fn := funcValue(x.info, vsel); fn != nil {
			decl = x.decls[fn]
		}
	}
	if decl == nil || decl.Recv == nil || len(decl.Recv.List) == 0 || len(decl.Recv.List[0].Names) == 0 {
		return nil, nil
	}
	return decl, x.info.Defs[decl.Recv.List[0].Names[0]]
}
