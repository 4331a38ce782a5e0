package leak

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
)

// opKind is what one use of a channel does.
type opKind uint8

const (
	opRecv opKind = iota
	opRange
	opSend
	opClose
)

func (k opKind) receives() bool { return k == opRecv || k == opRange }

// A chanUse is one operation on a channel.
type chanUse struct {
	kind     opKind
	node     ast.Node        // *ast.UnaryExpr, *ast.RangeStmt, *ast.SendStmt or the *ast.CallExpr that does it
	comm     *ast.CommClause // the select case whose communication this is, if any
	inSelect bool            // the operation is a select case (here or in a callee)
	via      *ast.CallExpr   // the call that does it, when it happens in a callee
	callee   *types.Func
	arg      int              // with via: the callee's parameter that receives the channel
	at       inspector.Cursor // the channel's identifier in the operation
	place    place            // the function whose code does it
	spawn    *spawn           // the goroutine that does it, if any; set by the channel model
}

func (u *chanUse) pos() token.Pos { return u.node.Pos() }

// blocks reports whether the use, on its own, waits until a partner comes.
func (u *chanUse) blocks() bool { return u.kind != opClose && !u.inSelect }

// A chanFlow is everything a function does with one channel variable.
type chanFlow struct {
	v        *types.Var
	uses     []chanUse
	escapes  bool          // some use lets the channel reach code we cannot see
	capacity int           // buffer size of its make; -1 when not a known constant
	made     *ast.CallExpr // its make, when it is given one value by make
	isNil    bool          // never given a value other than nil
	defs     int           // how many non-nil values it is given
	field    bool          // v is a struct field: many values, one per struct
	buffered bool          // some value it is given has a buffer, or one of unknown size
	// returned says a return statement gives the channel to the caller,
	// and escapesBesidesReturn that it escapes in some other way too.
	returned, escapesBesidesReturn bool
}

func (f *chanFlow) count(pred func(*chanUse) bool) int {
	n := 0
	for i := range f.uses {
		if pred(&f.uses[i]) {
			n++
		}
	}
	return n
}

// maxBindDepth bounds how far a channel is followed through literal
// functions it is passed to as an argument.
const maxBindDepth = 4

// flowOf classifies every use of the channel variable v within fn, a
// function declaration or literal.
func (sum *summaries) flowOf(v *types.Var, fn ast.Node) *chanFlow {
	f := &chanFlow{v: v, capacity: -1}
	sum.collect(f, v, fn, 0)
	if f.defs > 1 {
		// Assigned more than once: which value each use sees is beyond us.
		f.escapes = true
	}
	if f.defs > 0 {
		f.isNil = false
	}
	// A returned channel reaches the caller: it escapes, though a
	// generator (generators.go) is just that.
	f.escapesBesidesReturn = f.escapes
	if f.returned {
		f.escapes = true
	}
	return f
}

// collect adds to f the uses of v in fn. v may be f.v or a parameter of a
// function literal that f.v was passed to.
func (sum *summaries) collect(f *chanFlow, v *types.Var, fn ast.Node, depth int) {
	for _, cur := range sum.x.mentions(fn, v) {
		if sum.x.info.Defs[cur.Node().(*ast.Ident)] == v && isParamOrResultIdent(cur) {
			continue
		}
		sum.classify(f, cur, depth)
		if f.escapes {
			return
		}
	}
}

// classify records what the expression at cur (a use of the channel) does.
func (sum *summaries) classify(f *chanFlow, cur inspector.Cursor, depth int) {
	n := len(f.uses)
	defer func() {
		for i := n; i < len(f.uses); i++ {
			if !f.uses[i].at.Valid() {
				f.uses[i].at = cur
			}
			f.uses[i].place = placeAt(f.uses[i].at)
		}
	}()
	for {
		if _, ok := cur.Parent().Node().(*ast.ParenExpr); !ok {
			break
		}
		cur = cur.Parent()
	}
	e := cur.Node()
	parent := cur.Parent()
	kind, _ := cur.ParentEdge()
	switch p := parent.Node().(type) {
	case *ast.UnaryExpr:
		if p.Op == token.ARROW {
			u := chanUse{kind: opRecv, node: p}
			u.comm = commClauseOf(parent)
			u.inSelect = u.comm != nil
			f.uses = append(f.uses, u)
			return
		}
	case *ast.SendStmt:
		if kind == edge.SendStmt_Chan {
			u := chanUse{kind: opSend, node: p}
			if cc, ok := parent.Parent().Node().(*ast.CommClause); ok && cc.Comm == p {
				u.comm, u.inSelect = cc, true
			}
			f.uses = append(f.uses, u)
			return
		}
	case *ast.RangeStmt:
		if kind == edge.RangeStmt_X {
			f.uses = append(f.uses, chanUse{kind: opRange, node: p})
			return
		}
	case *ast.BinaryExpr:
		if p.Op == token.EQL || p.Op == token.NEQ {
			return // comparing with nil or another channel
		}
	case *ast.ReturnStmt:
		if depth == 0 && !f.field {
			f.returned = true // flowOf makes it escape, once every use is known
			return
		}
		if f.field && depth < maxBindDepth {
			if getter := getterOf(sum.x, parent); getter != nil {
				sum.collectGetterCalls(f, getter, depth)
				return
			}
		}
	case *ast.AssignStmt:
		if kind == edge.AssignStmt_Lhs && depth == 0 {
			recordDef(sum.x, f, p.Lhs, p.Rhs, e)
			return
		}
		if kind == edge.AssignStmt_Rhs && f.field && len(p.Lhs) == len(p.Rhs) && depth < maxBindDepth {
			if sum.collectCopy(f, parent, p.Lhs[cur.ParentEdgeIndex()], depth) {
				return
			}
		}
	case *ast.ValueSpec:
		if kind == edge.ValueSpec_Names && depth == 0 {
			recordDef(sum.x, f, identsAsExprs(p.Names), p.Values, e)
			return
		}
		if kind == edge.ValueSpec_Values && f.field && len(p.Names) == len(p.Values) && depth < maxBindDepth {
			if sum.collectCopy(f, parent, p.Names[cur.ParentEdgeIndex()], depth) {
				return
			}
		}
	case *ast.KeyValueExpr:
		if kind == edge.KeyValueExpr_Key && f.field {
			recordDef(sum.x, f, []ast.Expr{p.Key}, []ast.Expr{p.Value}, e)
			return
		}
	case *ast.CallExpr:
		if kind == edge.CallExpr_Args {
			sum.classifyArg(f, p, cur.ParentEdgeIndex(), depth)
			return
		}
	}
	f.escapes = true
}

// getterOf returns the method whose body is the return statement at ret
// (func (g *gate) done() <-chan struct{} { return g.done }), perhaps after
// a guard against a nil receiver (see getterReturn), when no other package
// can call it and no interface of the package names it: its call sites
// are then all in this package, and in sight.
func getterOf(x *index, ret inspector.Cursor) *types.Func {
	decl, ok := ret.Parent().Parent().Node().(*ast.FuncDecl)
	if !ok || getterReturn(x.info, decl) != ret.Node() {
		return nil
	}
	fn, ok := x.info.Defs[decl.Name].(*types.Func)
	if !ok || !hidden(x, fn) || interfaceNames(x, fn.Name()) {
		return nil
	}
	return fn
}

// getterReturn is the return statement of a method whose body is just
// `return e`, or `if recv == nil { return nil }; return e`; nil for other
// functions.
func getterReturn(info *types.Info, decl *ast.FuncDecl) *ast.ReturnStmt {
	if decl.Recv == nil || decl.Body == nil {
		return nil
	}
	list := decl.Body.List
	if len(list) == 2 && isNilReceiverGuard(info, decl, list[0]) {
		list = list[1:]
	}
	if len(list) != 1 {
		return nil
	}
	ret, ok := list[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return nil
	}
	return ret
}

// isNilReceiverGuard recognises `if recv == nil { return nil }`.
func isNilReceiverGuard(info *types.Info, decl *ast.FuncDecl, stmt ast.Stmt) bool {
	ifs, ok := stmt.(*ast.IfStmt)
	if !ok || ifs.Init != nil || ifs.Else != nil || len(ifs.Body.List) != 1 || len(decl.Recv.List) != 1 || len(decl.Recv.List[0].Names) != 1 {
		return false
	}
	cond, ok := ifs.Cond.(*ast.BinaryExpr)
	if !ok || cond.Op != token.EQL || !isNilIdent(info, cond.Y) {
		return false
	}
	recv, ok := cond.X.(*ast.Ident)
	if !ok || info.Uses[recv] != info.Defs[decl.Recv.List[0].Names[0]] {
		return false
	}
	ret, ok := ifs.Body.List[0].(*ast.ReturnStmt)
	return ok && len(ret.Results) == 1 && isNilIdent(info, ret.Results[0])
}

// collectGetterCalls adds to f, the flow of a field, the uses of the
// getter's results at its call sites. Anything but a call (a method value)
// makes the field escape.
func (sum *summaries) collectGetterCalls(f *chanFlow, getter *types.Func, depth int) {
	for _, id := range sum.x.usesOf(getter) {
		cur := sum.x.cursorOf(id)
		sel, ok := cur.Parent().Node().(*ast.SelectorExpr)
		if !ok || sel.Sel != id {
			f.escapes = true
			return
		}
		call, ok := cur.Parent().Parent().Node().(*ast.CallExpr)
		if !ok || call.Fun != sel {
			f.escapes = true // a method value: called who knows where
			return
		}
		sum.classify(f, cur.Parent().Parent(), depth+1)
		if f.escapes {
			return
		}
	}
}

// collectCopy follows a local copy of a field (x := s.f, var x = s.f):
// the copy's uses are the field's. The copy must be given no other value.
// It reports whether target was such a local.
func (sum *summaries) collectCopy(f *chanFlow, stmt inspector.Cursor, target ast.Expr, depth int) bool {
	id, ok := target.(*ast.Ident)
	if !ok {
		return false
	}
	v, ok := sum.x.info.Defs[id].(*types.Var)
	if !ok || v.IsField() {
		return false // an assignment to a variable declared elsewhere
	}
	fn := enclosingFunc(stmt)
	if fn == nil {
		return false
	}
	for _, cur := range sum.x.mentions(fn, v) {
		if cur.Node() == id {
			continue // the copy itself
		}
		// depth+1: a later assignment to the copy makes the field escape.
		sum.classify(f, cur, depth+1)
		if f.escapes {
			break
		}
	}
	return true
}

// recordDef notes the value given to the channel by an assignment.
func recordDef(x *index, f *chanFlow, lhs, rhs []ast.Expr, target ast.Node) {
	if len(rhs) == 0 {
		f.isNil = true // var ch chan T
		return
	}
	if len(lhs) != len(rhs) {
		f.escapes = true // ch, err := f()
		return
	}
	for i, l := range lhs {
		if l != target {
			continue
		}
		switch value := ast.Unparen(rhs[i]).(type) {
		case *ast.Ident:
			if isNilIdent(x.info, value) {
				f.isNil = true
				return
			}
		case *ast.CallExpr:
			if capacity, ok := makeChanCap(x, value); ok {
				f.capacity = capacity
				f.made = value
				f.buffered = f.buffered || capacity != 0
				f.defs++
				return
			}
		}
	}
	f.escapes = true
}

// makeChanCap recognises make(chan T) and make(chan T, n): capacity is the
// constant n, or -1 when n is not constant.
func makeChanCap(x *index, call *ast.CallExpr) (capacity int, ok bool) {
	id, isIdent := ast.Unparen(call.Fun).(*ast.Ident)
	if !isIdent || x.info.Uses[id] != types.Universe.Lookup("make") || len(call.Args) == 0 {
		return 0, false
	}
	if !isChan(x.info.TypeOf(call.Args[0])) {
		return 0, false
	}
	if len(call.Args) == 1 {
		return 0, true
	}
	tv := x.info.Types[call.Args[1]]
	if tv.Value != nil {
		if n, exact := constant.Int64Val(constant.ToInt(tv.Value)); exact && n >= 0 && n < 1<<30 {
			return int(n), true
		}
	}
	return -1, true
}

// classifyArg follows the channel into the function it is passed to.
func (sum *summaries) classifyArg(f *chanFlow, call *ast.CallExpr, index, depth int) {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		switch sum.x.info.Uses[id] {
		case types.Universe.Lookup("close"):
			f.uses = append(f.uses, chanUse{kind: opClose, node: call})
			return
		case types.Universe.Lookup("len"), types.Universe.Lookup("cap"):
			return
		}
	}
	if call.Ellipsis.IsValid() {
		f.escapes = true
		return
	}
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		sig, _ := sum.x.info.TypeOf(lit).(*types.Signature)
		if sig == nil || depth >= maxBindDepth || index >= sig.Params().Len() || sig.Variadic() && index >= sig.Params().Len()-1 {
			f.escapes = true
			return
		}
		sum.collect(f, sig.Params().At(index), lit, depth+1)
		return
	}
	fn := staticCallee(sum.x.info, call)
	if fn == nil || isMethodExpr(sum.x.info, call) {
		f.escapes = true // unknown code, or (*T).m(x, ch) whose indices are shifted
		return
	}
	sig := fn.Type().(*types.Signature)
	if index >= sig.Params().Len() || sig.Variadic() && index >= sig.Params().Len()-1 || !isChan(sig.Params().At(index).Type()) {
		f.escapes = true // an any, generic or variadic parameter: its use is not summarised
		return
	}
	ops, ok := sum.paramOps(fn, index)
	if !ok || ops&paramEscapes != 0 {
		f.escapes = true
		return
	}
	add := func(kind opKind, inSelect bool) {
		f.uses = append(f.uses, chanUse{kind: kind, node: call, inSelect: inSelect, via: call, callee: fn, arg: index})
	}
	switch {
	case ops&paramBlockingRange != 0:
		add(opRange, false)
	case ops&paramBlockingRecv != 0:
		add(opRecv, false)
	case ops&paramRecv != 0:
		add(opRecv, true)
	}
	switch {
	case ops&paramBlockingSend != 0:
		add(opSend, false)
	case ops&paramSend != 0:
		add(opSend, true)
	}
	if ops&paramClose != 0 {
		add(opClose, false)
	}
}

// commClauseOf returns the select case whose communication is the receive
// at cur (`case <-ch:`, `case v := <-ch:`, `case v, ok = <-ch:`), or nil.
func commClauseOf(cur inspector.Cursor) *ast.CommClause {
	stmt := cur.Parent()
	switch stmt.Node().(type) {
	case *ast.ExprStmt, *ast.AssignStmt:
	default:
		return nil
	}
	if cc, ok := stmt.Parent().Node().(*ast.CommClause); ok && cc.Comm == stmt.Node() {
		return cc
	}
	return nil
}

func isParamOrResultIdent(cur inspector.Cursor) bool {
	k, _ := cur.ParentEdge()
	if k != edge.Field_Names {
		return false
	}
	_, ok := cur.Parent().Parent().Node().(*ast.FieldList)
	return ok
}

func identsAsExprs(ids []*ast.Ident) []ast.Expr {
	out := make([]ast.Expr, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// isMethodExpr reports whether call calls a method expression, (*T).m.
func isMethodExpr(info *types.Info, call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	selection, ok := info.Selections[sel]
	return ok && selection.Kind() == types.MethodExpr
}
