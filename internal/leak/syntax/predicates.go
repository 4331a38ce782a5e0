package syntax

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// StaticCallee is the generic origin of call's static callee, or nil.
func StaticCallee(info *types.Info, call *ast.CallExpr) *types.Func {
	if fn := typeutil.StaticCallee(info, call); fn != nil {
		return fn.Origin()
	}
	return nil
}

// FuncValue is the function that a function-valued expression such as
// f or s.run denotes statically, or nil.
func FuncValue(info *types.Info, e ast.Expr) *types.Func {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		if fn, ok := info.Uses[e].(*types.Func); ok {
			return fn.Origin()
		}
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[e]; ok {
			if sel.Kind() == types.MethodVal {
				if fn, ok := sel.Obj().(*types.Func); ok && !types.IsInterface(sel.Recv()) {
					return fn.Origin()
				}
			}
			return nil
		}
		if fn, ok := info.Uses[e.Sel].(*types.Func); ok {
			return fn.Origin()
		}
	}
	return nil
}

// IsMethodOf reports whether fn is a method of pkgPath.typeName (or of a
// pointer to it).
func IsMethodOf(fn *types.Func, pkgPath, typeName string) bool {
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return false
	}
	return IsNamed(sig.Recv().Type(), pkgPath, typeName)
}

// IsNamed reports whether t (or *t) is the named type pkgPath.name.
func IsNamed(t types.Type, pkgPath, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := n.Obj()
	return obj.Name() == name && obj.Pkg() != nil && obj.Pkg().Path() == pkgPath
}

func IsFunc(fn *types.Func, pkgPath string, names ...string) bool {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != pkgPath {
		return false
	}
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		return false
	}
	for _, name := range names {
		if fn.Name() == name {
			return true
		}
	}
	return false
}

func IsChan(t types.Type) bool {
	_, ok := t.Underlying().(*types.Chan)
	return ok
}

// IsMethodOfNamed reports whether fn is a method of named (or of a
// pointer to it), generic instances included.
func IsMethodOfNamed(fn *types.Func, named *types.Named) bool {
	sig := fn.Type().(*types.Signature)
	if sig.Recv() == nil {
		return false
	}
	n, ok := types.Unalias(DerefType(sig.Recv().Type())).(*types.Named)
	return ok && n.Origin() == named.Origin()
}

func DerefType(t types.Type) types.Type {
	if p, ok := t.(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

func IsParamOrResultIdent(cur inspector.Cursor) bool {
	k, _ := cur.ParentEdge()
	if k != edge.Field_Names {
		return false
	}
	_, ok := cur.Parent().Parent().Node().(*ast.FieldList)
	return ok
}

func HasField(t types.Type, field *types.Var) bool {
	if t == nil {
		return false
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := range st.NumFields() {
		if st.Field(i).Origin() == field.Origin() {
			return true
		}
	}
	return false
}

// ShortExpr prints an expression for a message, shortened.
func ShortExpr(e ast.Expr) string {
	s := types.ExprString(e)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// CommChannel returns the channel a select case communicates on, and
// whether it sends on it; nil for the default case.
func CommChannel(cc *ast.CommClause) (ch ast.Expr, send bool) {
	var recv ast.Expr
	switch comm := cc.Comm.(type) {
	case *ast.SendStmt:
		return comm.Chan, true
	case *ast.ExprStmt:
		recv = comm.X
	case *ast.AssignStmt:
		if len(comm.Rhs) == 1 {
			recv = comm.Rhs[0]
		}
	}
	if u, ok := ast.Unparen(recv).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
		return u.X, false
	}
	return nil, false
}

// FieldOnVar splits a channel expression v.f, where v is a variable, into
// the field and the variable.
func FieldOnVar(x *Index, ch ast.Expr) (*types.Var, types.Object) {
	sel, ok := ast.Unparen(ch).(*ast.SelectorExpr)
	if !ok {
		return nil, nil
	}
	id, ok := ast.Unparen(sel.X).(*ast.Ident)
	if !ok {
		return nil, nil
	}
	field, ok := x.Info.Uses[sel.Sel].(*types.Var)
	base := x.Info.Uses[id]
	if !ok || !field.IsField() || base == nil {
		return nil, nil
	}
	return field.Origin(), base
}

// ObjectOf is the variable an expression names: x, or x.f's field; nil
// for anything else.
func ObjectOf(x *Index, e ast.Expr) types.Object {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return x.Info.Uses[e]
	case *ast.SelectorExpr:
		return x.Info.Uses[e.Sel]
	case *ast.UnaryExpr: // &wg
		return ObjectOf(x, e.X)
	}
	return nil
}

func IsCall(n ast.Node) bool {
	_, ok := n.(*ast.CallExpr)
	return ok
}

// ContextInScope is the context the code at pos means by cancellation: of
// the local context variables visible there, the one declared last (a
// ctx derived by WithCancel, not its parent). Nil when there is none.
func ContextInScope(x *Index, pos token.Pos) *types.Var {
	var last *types.Var
	seen := map[string]bool{}
	for scope := x.Pkg.Scope().Innermost(pos); scope != nil && scope != x.Pkg.Scope(); scope = scope.Parent() {
		for _, name := range scope.Names() {
			v, ok := scope.Lookup(name).(*types.Var)
			if !ok || v.Pos() >= pos || seen[name] {
				continue
			}
			seen[name] = true // an outer variable of this name is shadowed
			if IsNamed(v.Type(), "context", "Context") && (last == nil || v.Pos() > last.Pos()) {
				last = v
			}
		}
	}
	return last
}

// ExpectedToFail reports whether the call at cur is an argument of an
// assertion that it returns an error (testify's Error, ErrorIs, ErrorAs,
// ErrorContains, EqualError, and helpers of the same names): the test
// says the call fails, and a starter that fails starts nothing.
func ExpectedToFail(info *types.Info, cur inspector.Cursor) bool {
	if k, _ := cur.ParentEdge(); k != edge.CallExpr_Args {
		return false
	}
	fn := StaticCallee(info, cur.Parent().Node().(*ast.CallExpr))
	if fn == nil || fn.Pkg() != nil && fn.Pkg().Path() == "testing" {
		return false // t.Error(x) logs x, whatever it is
	}
	switch fn.Name() {
	case "Error", "ErrorIs", "ErrorAs", "ErrorContains", "EqualError":
		return true
	}
	return false
}

// ExpectedToPanic reports whether cur lies in a function literal that is
// handed to an assertion that the function panics (testify's Panics,
// PanicsWithValue, PanicsWithError, and helpers of the same names): the
// test says the call there does not return, so nothing it would have
// started or returned is dropped.
func ExpectedToPanic(info *types.Info, cur inspector.Cursor) bool {
	for lit := range cur.Enclosing((*ast.FuncLit)(nil)) {
		call, ok := lit.Parent().Node().(*ast.CallExpr)
		if !ok {
			continue
		}
		if fn := StaticCallee(info, call); fn != nil {
			switch fn.Name() {
			case "Panics", "PanicsWithValue", "PanicsWithError":
				return true
			}
		}
	}
	return false
}

// IsReceiveOnly reports whether t is a receive-only channel type, <-chan T:
// code that holds only such a value can wait on the channel but can
// neither send on it nor close it.
func IsReceiveOnly(t types.Type) bool {
	if t == nil {
		return false
	}
	ch, ok := t.Underlying().(*types.Chan)
	return ok && ch.Dir() == types.RecvOnly
}

// AssignedType is the type that the expression at cur is given to: the
// parameter it is passed as (or the type it is converted to), the result
// it is returned as, the field, element, variable or channel it is stored
// in. Nil when cur is no such value.
func AssignedType(info *types.Info, cur inspector.Cursor) types.Type {
	kind, index := cur.ParentEdge()
	switch p := cur.Parent().Node().(type) {
	case *ast.CallExpr:
		if kind != edge.CallExpr_Args {
			return nil
		}
		if tv, ok := info.Types[p.Fun]; ok && tv.IsType() {
			return tv.Type // a conversion
		}
		sig, ok := types.Unalias(info.TypeOf(p.Fun)).(*types.Signature)
		if !ok {
			return nil
		}
		params := sig.Params()
		switch {
		case sig.Variadic() && index >= params.Len()-1 && !p.Ellipsis.IsValid():
			return params.At(params.Len() - 1).Type().(*types.Slice).Elem()
		case index < params.Len():
			return params.At(index).Type()
		}
	case *ast.ReturnStmt:
		var sig *types.Signature
		switch fn := EnclosingFunc(cur).(type) {
		case *ast.FuncDecl:
			if obj, ok := info.Defs[fn.Name].(*types.Func); ok {
				sig = obj.Type().(*types.Signature)
			}
		case *ast.FuncLit:
			sig, _ = info.TypeOf(fn).(*types.Signature)
		}
		if sig != nil && sig.Results().Len() == len(p.Results) {
			return sig.Results().At(index).Type()
		}
	case *ast.KeyValueExpr:
		if kind != edge.KeyValueExpr_Value {
			return nil
		}
		if id, ok := p.Key.(*ast.Ident); ok {
			if f, ok := info.Uses[id].(*types.Var); ok && f.IsField() {
				return f.Type()
			}
		}
	case *ast.AssignStmt:
		if kind == edge.AssignStmt_Rhs && len(p.Lhs) == len(p.Rhs) {
			return info.TypeOf(p.Lhs[index])
		}
	case *ast.ValueSpec:
		if kind == edge.ValueSpec_Values && p.Type != nil {
			return info.TypeOf(p.Type)
		}
	case *ast.SendStmt:
		if kind == edge.SendStmt_Value {
			if ch, ok := info.TypeOf(p.Chan).Underlying().(*types.Chan); ok {
				return ch.Elem()
			}
		}
	}
	return nil
}

// ReturnsError reports whether fn's last result is an error.
func ReturnsError(fn *types.Func) bool {
	res := fn.Type().(*types.Signature).Results()
	return res.Len() > 0 && types.Identical(res.At(res.Len()-1).Type(), types.Universe.Lookup("error").Type())
}
