package fix

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/rule"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// ---- sends stranded by shutdown, in a function that returns values ----
//
// Returning zero values once the receiver has stopped (etcd #6857: Status
// returns a zero Status) changes what a caller sees, unless no caller can
// see it. These helpers prove that: every call of the function discards
// its results, and nothing outside the package, no interface and no
// reflection can call it.

// closedOnStop is the unexported channel field that the stop case
// closes before it returns, after nothing but calls, when the package makes it once, never
// sends on it and closes it nowhere else: it is closed exactly when the
// loop has stopped. Nil otherwise.
func closedOnStop(r *rule.Input, stopCase *ast.CommClause) *types.Var {
	if len(stopCase.Body) == 0 {
		return nil
	}
	if _, ok := stopCase.Body[len(stopCase.Body)-1].(*ast.ReturnStmt); !ok {
		return nil
	}
	// Only calls come before the close, so the case reaches it.
	for _, st := range stopCase.Body {
		es, ok := st.(*ast.ExprStmt)
		if !ok {
			return nil
		}
		call, ok := ast.Unparen(es.X).(*ast.CallExpr)
		if !ok || len(call.Args) != 1 || !isCloseOf(r.X, call, syntax.ObjectOf(r.X, call.Args[0])) {
			continue
		}
		field := closedOnlyField(r, call.Args[0])
		if field == nil {
			continue
		}
		only := true
		for _, u := range r.M.FieldFlow(field).Uses {
			if u.Kind == flow.OpClose && (u.Node.Pos() < stopCase.Pos() || u.Node.End() > stopCase.End()) {
				only = false
			}
		}
		if only {
			return field
		}
	}
	return nil
}

// zeroResults writes the zero values of sig's results, as a return
// statement's operands, when the results are unnamed and each can be
// written without naming a type of another package. False otherwise.
func zeroResults(x *syntax.Index, sig *types.Signature) (string, bool) {
	var vals []string
	for i := range sig.Results().Len() {
		if sig.Results().At(i).Name() != "" {
			return "", false // a deferred function could read it
		}
		t := sig.Results().At(i).Type()
		switch u := t.Underlying().(type) {
		case *types.Basic:
			switch {
			case u.Info()&types.IsBoolean != 0:
				vals = append(vals, "false")
			case u.Info()&types.IsString != 0:
				vals = append(vals, `""`)
			case u.Info()&types.IsNumeric != 0:
				vals = append(vals, "0")
			default:
				return "", false
			}
		case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
			vals = append(vals, "nil")
		case *types.Struct, *types.Array:
			named, ok := t.(*types.Named)
			if !ok || named.Obj().Pkg() != x.Pkg || named.TypeArgs().Len() > 0 || named.Obj().Parent() != x.Pkg.Scope() {
				return "", false
			}
			vals = append(vals, named.Obj().Name()+"{}")
		default:
			return "", false
		}
	}
	return strings.Join(vals, ", "), true
}

// resultsUnobserved reports whether no caller can see what the function
// declared by decl returns: every use of it in the package is the callee
// of a go, defer or expression statement; it cannot be called from
// another package (it is unexported, or the package is main); no
// interface of the package names a method of its name; and, for an
// exported method of package main, which reflection (text/template) could
// call, no value of its receiver type ever becomes an interface.
func resultsUnobserved(x *syntax.Index, decl *ast.FuncDecl) bool {
	fn, ok := x.Info.Defs[decl.Name].(*types.Func)
	if !ok || fn.Type().(*types.Signature).TypeParams().Len() > 0 {
		return false
	}
	if fn.Exported() && x.Pkg.Name() != "main" {
		return false
	}
	for _, id := range x.UsesOf(fn) {
		if !discardedCall(x, id) {
			return false
		}
	}
	if decl.Recv == nil {
		return true
	}
	if syntax.InterfaceNames(x, fn.Name()) || localInterfaceNames(x, fn.Name()) {
		return false
	}
	recv := fn.Type().(*types.Signature).Recv()
	named := namedOf(recv.Type())
	if named == nil || named.TypeParams().Len() > 0 {
		return false
	}
	return !fn.Exported() || neverInterface(x, named)
}

// namedOf is t, or what t points to, when that is a named type.
func namedOf(t types.Type) *types.Named {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := t.(*types.Named)
	return n
}

// discardedCall reports whether the identifier id names the callee of a
// call made as a go, defer or expression statement.
func discardedCall(x *syntax.Index, id *ast.Ident) bool {
	cur := x.CursorOf(id)
	if !cur.Valid() {
		return false
	}
	var fun ast.Node = id
	parent := cur.Parent()
	if sel, ok := parent.Node().(*ast.SelectorExpr); ok && sel.Sel == id {
		fun, parent = sel, parent.Parent()
	}
	call, ok := parent.Node().(*ast.CallExpr)
	if !ok || call.Fun != fun {
		return false
	}
	switch parent.Parent().Node().(type) {
	case *ast.GoStmt, *ast.DeferStmt, *ast.ExprStmt:
		return true
	}
	return false
}

// localInterfaceNames reports whether an interface type written anywhere
// in the package (a literal, a local declaration, an imported interface
// it names) has a method called name.
func localInterfaceNames(x *syntax.Index, name string) bool {
	for _, tv := range x.Info.Types {
		if !tv.IsType() {
			continue
		}
		if it, ok := tv.Type.Underlying().(*types.Interface); ok {
			for i := range it.NumMethods() {
				if it.Method(i).Name() == name {
					return true
				}
			}
		}
	}
	return false
}

// neverInterface reports whether no value whose type holds named (named
// itself, a pointer to it, a slice of them, a struct with such a field)
// can become an interface: every such expression of the package is the
// operand of a selector, index or range, is compared, discarded, or
// flows to a variable, result or parameter of a type identical to its
// own. Anything else (a composite literal, a send, append, a conversion,
// a generic call) counts as escaping.
func neverInterface(x *syntax.Index, named *types.Named) bool {
	for e, tv := range x.Info.Types {
		if tv.IsType() || tv.IsBuiltin() || !holdsNamed(tv.Type, named, map[types.Type]bool{}) {
			continue
		}
		if !staysTyped(x, e, tv.Type, named) {
			return false
		}
	}
	return true
}

// staysTyped reports whether the value of e, of type t, stays of a type
// identical to t where e's parent puts it.
func staysTyped(x *syntax.Index, e ast.Expr, t types.Type, named *types.Named) bool {
	cur := x.CursorOf(e)
	if !cur.Valid() {
		return false
	}
	parent := cur.Parent()
	ident := func(lhs ast.Expr) bool {
		id, ok := ast.Unparen(lhs).(*ast.Ident)
		if !ok {
			return false
		}
		if id.Name == "_" {
			return true
		}
		obj := x.Info.ObjectOf(id)
		return obj != nil && types.Identical(obj.Type(), t)
	}
	switch p := parent.Node().(type) {
	case *ast.SelectorExpr:
		return p.X == e
	case *ast.IndexExpr:
		return p.X == e
	case *ast.RangeStmt:
		return p.X == e
	case *ast.ExprStmt:
		return true
	case *ast.BinaryExpr:
		return p.Op == token.EQL || p.Op == token.NEQ
	case *ast.ParenExpr, *ast.StarExpr, *ast.UnaryExpr:
		pt := x.Info.TypeOf(p.(ast.Expr))
		return pt != nil && holdsNamed(pt, named, map[types.Type]bool{})
	case *ast.AssignStmt:
		for i, l := range p.Lhs {
			if l == e {
				return true
			}
			if len(p.Lhs) == len(p.Rhs) && p.Rhs[i] == e {
				return ident(l)
			}
		}
		return false
	case *ast.ValueSpec:
		for i, v := range p.Values {
			if v == e && len(p.Names) == len(p.Values) {
				return ident(p.Names[i])
			}
		}
		return false
	case *ast.ReturnStmt:
		sig, ok := signatureOf(x, syntax.EnclosingFunc(cur))
		if !ok || sig.Results().Len() != len(p.Results) {
			return false
		}
		for i, res := range p.Results {
			if res == e {
				return types.Identical(sig.Results().At(i).Type(), t)
			}
		}
		return false
	case *ast.CallExpr:
		if p.Fun == e {
			return true
		}
		fun := ast.Unparen(p.Fun)
		if sel, ok := fun.(*ast.SelectorExpr); ok {
			fun = sel.Sel
		}
		if id, ok := fun.(*ast.Ident); ok {
			if _, generic := x.Info.Instances[id]; generic {
				return false
			}
		}
		sig, ok := x.Info.TypeOf(p.Fun).(*types.Signature)
		if tv := x.Info.Types[p.Fun]; !ok || tv.IsType() || tv.IsBuiltin() || p.Ellipsis.IsValid() {
			return false
		}
		for i, a := range p.Args {
			if a == e {
				if sig.Variadic() && i >= sig.Params().Len()-1 {
					return false
				}
				return i < sig.Params().Len() && types.Identical(sig.Params().At(i).Type(), t)
			}
		}
		return false
	}
	return false
}

// holdsNamed reports whether t is, points to, or is made of named.
func holdsNamed(t types.Type, named *types.Named, seen map[types.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t := t.(type) {
	case *types.Named:
		if t.Origin() == named {
			return true
		}
		for i := range t.TypeArgs().Len() {
			if holdsNamed(t.TypeArgs().At(i), named, seen) {
				return true
			}
		}
		return holdsNamed(t.Underlying(), named, seen)
	case *types.Pointer:
		return holdsNamed(t.Elem(), named, seen)
	case *types.Slice:
		return holdsNamed(t.Elem(), named, seen)
	case *types.Array:
		return holdsNamed(t.Elem(), named, seen)
	case *types.Chan:
		return holdsNamed(t.Elem(), named, seen)
	case *types.Map:
		return holdsNamed(t.Key(), named, seen) || holdsNamed(t.Elem(), named, seen)
	case *types.Struct:
		for i := range t.NumFields() {
			if holdsNamed(t.Field(i).Type(), named, seen) {
				return true
			}
		}
	case *types.Tuple:
		for i := range t.Len() {
			if holdsNamed(t.At(i).Type(), named, seen) {
				return true
			}
		}
	case *types.Signature:
		return holdsNamed(t.Params(), named, seen) || holdsNamed(t.Results(), named, seen)
	}
	return false
}
