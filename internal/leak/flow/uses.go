package flow

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
)

// OpKind is what one use of a channel does.
type OpKind uint8

const (
	OpRecv OpKind = iota
	OpRange
	OpSend
	OpClose
)

func (k OpKind) Receives() bool { return k == OpRecv || k == OpRange }

// A chanUse is one operation on a channel.
type ChanUse struct {
	Kind     OpKind
	Node     ast.Node        // *ast.UnaryExpr, *ast.RangeStmt, *ast.SendStmt or the *ast.CallExpr that does it
	Comm     *ast.CommClause // the select case whose communication this is, if any
	InSelect bool            // the operation is a select case (here or in a callee)
	Via      *ast.CallExpr   // the call that does it, when it happens in a callee
	Callee   *types.Func
	Arg      int              // with via: the callee's parameter that receives the channel
	At       inspector.Cursor // the channel's identifier in the operation
	Place    place            // the function whose code does it
	Spawn    *Spawn           // the goroutine that does it, if any; set by the channel model
}

func (u *ChanUse) Pos() token.Pos { return u.Node.Pos() }

// Blocks reports whether the use, on its own, waits until a partner comes.
func (u *ChanUse) Blocks() bool { return u.Kind != OpClose && !u.InSelect }

// A chanFlow is everything a function does with one channel variable.
type ChanFlow struct {
	V        *types.Var
	Uses     []ChanUse
	Escapes  bool          // some use lets the channel reach code we cannot see
	Capacity int           // buffer size of its make; -1 when not a known constant
	Made     *ast.CallExpr // its make, when it is given one value by make
	IsNil    bool          // never given a value other than nil
	Defs     int           // how many non-nil values it is given
	Field    bool          // v is a struct field: many values, one per struct
	Buffered bool          // some value it is given has a buffer, or one of unknown size
	// Returned says a return statement gives the channel to the caller,
	// and escapesBesidesReturn that it escapes in some other way too.
	Returned, EscapesBesidesReturn bool
	// EscapesByUse says that a use lets the channel reach code we cannot
	// see: Escapes, less being assigned twice or returned.
	EscapesByUse bool
	// EscapesReceiveOnly says, of a field, that some use hands it on as a
	// receive-only channel (a <-chan T parameter, result or field): the
	// code it reaches can wait on it, but can neither send on it nor close
	// it. Such a use is no entry of Uses, and the field's flow, once every
	// use is known, escapes (see SendsKnown).
	EscapesReceiveOnly bool
	// SendsKnown says, of a field that escapes, that it escapes only as a
	// receive-only channel, so Uses hold every send and close.
	SendsKnown bool
}

func (f *ChanFlow) Count(pred func(*ChanUse) bool) int {
	n := 0
	for i := range f.Uses {
		if pred(&f.Uses[i]) {
			n++
		}
	}
	return n
}

// maxBindDepth bounds how far a channel is followed through literal
// functions it is passed to as an argument.
const maxBindDepth = 4

// FlowOf classifies every use of the channel variable v within fn, a
// function declaration or literal.
func (sum *Summaries) FlowOf(v *types.Var, fn ast.Node) *ChanFlow {
	f := &ChanFlow{V: v, Capacity: -1}
	sum.collect(f, v, fn, 0)
	f.EscapesByUse = f.Escapes
	if f.Defs > 1 {
		// Assigned more than once: which value each use sees is beyond us.
		f.Escapes = true
	}
	if f.Defs > 0 {
		f.IsNil = false
	}
	// A returned channel reaches the caller: it escapes, though a
	// generator (package contract) is just that.
	f.EscapesBesidesReturn = f.Escapes
	if f.Returned {
		f.Escapes = true
	}
	return f
}

// collect adds to f the uses of v in fn. v may be f.v or a parameter of a
// function literal that f.v was passed to.
func (sum *Summaries) collect(f *ChanFlow, v *types.Var, fn ast.Node, depth int) {
	for _, cur := range sum.X.Mentions(fn, v) {
		if sum.X.Info.Defs[cur.Node().(*ast.Ident)] == v && syntax.IsParamOrResultIdent(cur) {
			continue
		}
		sum.Classify(f, cur, depth)
		if f.Escapes {
			return
		}
	}
}

// Classify records what the expression at cur (a use of the channel) does.
func (sum *Summaries) Classify(f *ChanFlow, cur inspector.Cursor, depth int) {
	n := len(f.Uses)
	defer func() {
		for i := n; i < len(f.Uses); i++ {
			if !f.Uses[i].At.Valid() {
				f.Uses[i].At = cur
			}
			f.Uses[i].Place = PlaceAt(f.Uses[i].At)
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
			u := ChanUse{Kind: OpRecv, Node: p}
			u.Comm = CommClauseOf(parent)
			u.InSelect = u.Comm != nil
			f.Uses = append(f.Uses, u)
			return
		}
	case *ast.SendStmt:
		if kind == edge.SendStmt_Chan {
			u := ChanUse{Kind: OpSend, Node: p}
			if cc, ok := parent.Parent().Node().(*ast.CommClause); ok && cc.Comm == p {
				u.Comm, u.InSelect = cc, true
			}
			f.Uses = append(f.Uses, u)
			return
		}
	case *ast.RangeStmt:
		if kind == edge.RangeStmt_X {
			f.Uses = append(f.Uses, ChanUse{Kind: OpRange, Node: p})
			return
		}
	case *ast.BinaryExpr:
		if p.Op == token.EQL || p.Op == token.NEQ {
			return // comparing with nil or another channel
		}
	case *ast.ReturnStmt:
		if depth == 0 && !f.Field {
			f.Returned = true // flowOf makes it escape, once every use is known
			return
		}
		if f.Field && depth < maxBindDepth {
			if getter := GetterOf(sum.X, parent); getter != nil {
				sum.collectGetterCalls(f, getter, depth)
				return
			}
		}
	case *ast.AssignStmt:
		if kind == edge.AssignStmt_Lhs && depth == 0 {
			recordDef(sum.X, f, p.Lhs, p.Rhs, e)
			return
		}
		if kind == edge.AssignStmt_Rhs && f.Field && len(p.Lhs) == len(p.Rhs) && depth < maxBindDepth {
			if sum.collectCopy(f, parent, p.Lhs[cur.ParentEdgeIndex()], depth) {
				return
			}
		}
	case *ast.ValueSpec:
		if kind == edge.ValueSpec_Names && depth == 0 {
			recordDef(sum.X, f, identsAsExprs(p.Names), p.Values, e)
			return
		}
		if kind == edge.ValueSpec_Values && f.Field && len(p.Names) == len(p.Values) && depth < maxBindDepth {
			if sum.collectCopy(f, parent, p.Names[cur.ParentEdgeIndex()], depth) {
				return
			}
		}
	case *ast.KeyValueExpr:
		if kind == edge.KeyValueExpr_Key && f.Field {
			recordDef(sum.X, f, []ast.Expr{p.Key}, []ast.Expr{p.Value}, e)
			return
		}
	case *ast.CallExpr:
		if kind == edge.CallExpr_Args {
			sum.classifyArg(f, p, cur.ParentEdgeIndex(), depth)
			if f.Escapes {
				f.escapesAs(sum.X.Info, cur)
			}
			return
		}
	}
	f.Escapes = true
	f.escapesAs(sum.X.Info, cur)
}

// escapesAs revises the escape of a field at cur when the use hands it on
// as a receive-only channel: then it is no escape of the field's sends
// (see EscapesReceiveOnly).
func (f *ChanFlow) escapesAs(info *types.Info, cur inspector.Cursor) {
	if f.Field && syntax.IsReceiveOnly(syntax.AssignedType(info, cur)) {
		f.Escapes, f.EscapesReceiveOnly = false, true
	}
}

// GetterOf returns the method whose body is the return statement at ret
// (func (g *gate) done() <-chan struct{} { return g.done }), perhaps after
// a guard against a nil receiver (see getterReturn), when no other package
// can call it and no interface of the package names it: its call sites
// are then all in this package, and in sight.
func GetterOf(x *syntax.Index, ret inspector.Cursor) *types.Func {
	decl, ok := ret.Parent().Parent().Node().(*ast.FuncDecl)
	if !ok || GetterReturn(x.Info, decl) != ret.Node() {
		return nil
	}
	fn, ok := x.Info.Defs[decl.Name].(*types.Func)
	if !ok || !syntax.Hidden(x, fn) || syntax.InterfaceNames(x, fn.Name()) {
		return nil
	}
	return fn
}

// GetterReturn is the return statement of a method whose body is just
// `return e`, or `if recv == nil { return nil }; return e`; nil for other
// functions.
func GetterReturn(info *types.Info, decl *ast.FuncDecl) *ast.ReturnStmt {
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
	if !ok || cond.Op != token.EQL || !syntax.IsNilIdent(info, cond.Y) {
		return false
	}
	recv, ok := cond.X.(*ast.Ident)
	if !ok || info.Uses[recv] != info.Defs[decl.Recv.List[0].Names[0]] {
		return false
	}
	ret, ok := ifs.Body.List[0].(*ast.ReturnStmt)
	return ok && len(ret.Results) == 1 && syntax.IsNilIdent(info, ret.Results[0])
}

// collectGetterCalls adds to f, the flow of a field, the uses of the
// getter's results at its call sites. Anything but a call (a method value)
// makes the field escape.
func (sum *Summaries) collectGetterCalls(f *ChanFlow, getter *types.Func, depth int) {
	for _, id := range sum.X.UsesOf(getter) {
		cur := sum.X.CursorOf(id)
		sel, ok := cur.Parent().Node().(*ast.SelectorExpr)
		if !ok || sel.Sel != id {
			f.Escapes = true
			return
		}
		call, ok := cur.Parent().Parent().Node().(*ast.CallExpr)
		if !ok || call.Fun != sel {
			f.Escapes = true // a method value: called who knows where
			return
		}
		sum.Classify(f, cur.Parent().Parent(), depth+1)
		if f.Escapes {
			return
		}
	}
}

// collectCopy follows a local copy of a field (x := s.f, var x = s.f):
// the copy's uses are the field's. The copy must be given no other value.
// It reports whether target was such a local.
func (sum *Summaries) collectCopy(f *ChanFlow, stmt inspector.Cursor, target ast.Expr, depth int) bool {
	id, ok := target.(*ast.Ident)
	if !ok {
		return false
	}
	v, ok := sum.X.Info.Defs[id].(*types.Var)
	if !ok || v.IsField() {
		return false // an assignment to a variable declared elsewhere
	}
	fn := syntax.EnclosingFunc(stmt)
	if fn == nil {
		return false
	}
	for _, cur := range sum.X.Mentions(fn, v) {
		if cur.Node() == id {
			continue // the copy itself
		}
		// depth+1: a later assignment to the copy makes the field escape.
		sum.Classify(f, cur, depth+1)
		if f.Escapes {
			break
		}
	}
	return true
}

// recordDef notes the value given to the channel by an assignment.
func recordDef(x *syntax.Index, f *ChanFlow, lhs, rhs []ast.Expr, target ast.Node) {
	if len(rhs) == 0 {
		f.IsNil = true // var ch chan T
		return
	}
	if len(lhs) != len(rhs) {
		f.Escapes = true // ch, err := f()
		return
	}
	for i, l := range lhs {
		if l != target {
			continue
		}
		switch value := ast.Unparen(rhs[i]).(type) {
		case *ast.Ident:
			if syntax.IsNilIdent(x.Info, value) {
				f.IsNil = true
				return
			}
		case *ast.CallExpr:
			if capacity, ok := MakeChanCap(x, value); ok {
				f.Capacity = capacity
				f.Made = value
				f.Buffered = f.Buffered || capacity != 0
				f.Defs++
				return
			}
		}
	}
	f.Escapes = true
}

// MakeChanCap recognises make(chan T) and make(chan T, n): capacity is the
// constant n, or -1 when n is not constant.
func MakeChanCap(x *syntax.Index, call *ast.CallExpr) (capacity int, ok bool) {
	id, isIdent := ast.Unparen(call.Fun).(*ast.Ident)
	if !isIdent || x.Info.Uses[id] != types.Universe.Lookup("make") || len(call.Args) == 0 {
		return 0, false
	}
	if !syntax.IsChan(x.Info.TypeOf(call.Args[0])) {
		return 0, false
	}
	if len(call.Args) == 1 {
		return 0, true
	}
	tv := x.Info.Types[call.Args[1]]
	if tv.Value != nil {
		if n, exact := constant.Int64Val(constant.ToInt(tv.Value)); exact && n >= 0 && n < 1<<30 {
			return int(n), true
		}
	}
	return -1, true
}

// classifyArg follows the channel into the function it is passed to.
func (sum *Summaries) classifyArg(f *ChanFlow, call *ast.CallExpr, index, depth int) {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		switch sum.X.Info.Uses[id] {
		case types.Universe.Lookup("close"):
			f.Uses = append(f.Uses, ChanUse{Kind: OpClose, Node: call})
			return
		case types.Universe.Lookup("len"), types.Universe.Lookup("cap"):
			return
		}
	}
	if call.Ellipsis.IsValid() {
		f.Escapes = true
		return
	}
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		sig, _ := sum.X.Info.TypeOf(lit).(*types.Signature)
		if sig == nil || depth >= maxBindDepth || index >= sig.Params().Len() || sig.Variadic() && index >= sig.Params().Len()-1 {
			f.Escapes = true
			return
		}
		sum.collect(f, sig.Params().At(index), lit, depth+1)
		return
	}
	fn := syntax.StaticCallee(sum.X.Info, call)
	if fn == nil || isMethodExpr(sum.X.Info, call) {
		f.Escapes = true // unknown code, or (*T).m(x, ch) whose indices are shifted
		return
	}
	sig := fn.Type().(*types.Signature)
	if index >= sig.Params().Len() || sig.Variadic() && index >= sig.Params().Len()-1 || !syntax.IsChan(sig.Params().At(index).Type()) {
		f.Escapes = true // an any, generic or variadic parameter: its use is not summarised
		return
	}
	ops, ok := sum.paramOps(fn, index)
	if !ok || ops&paramEscapes != 0 {
		f.Escapes = true
		return
	}
	add := func(kind OpKind, inSelect bool) {
		f.Uses = append(f.Uses, ChanUse{Kind: kind, Node: call, InSelect: inSelect, Via: call, Callee: fn, Arg: index})
	}
	switch {
	case ops&paramBlockingRange != 0:
		add(OpRange, false)
	case ops&paramBlockingRecv != 0:
		add(OpRecv, false)
	case ops&paramRecv != 0:
		add(OpRecv, true)
	}
	switch {
	case ops&paramBlockingSend != 0:
		add(OpSend, false)
	case ops&paramSend != 0:
		add(OpSend, true)
	}
	if ops&paramClose != 0 {
		add(OpClose, false)
	}
}

// CommClauseOf returns the select case whose communication is the receive
// at cur (`case <-ch:`, `case v := <-ch:`, `case v, ok = <-ch:`), or nil.
func CommClauseOf(cur inspector.Cursor) *ast.CommClause {
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

// SpawnOf returns the goroutine that performs u, or nil.
func (gs *Goroutines) SpawnOf(u *ChanUse) *Spawn {
	if u.Via != nil {
		if s := gs.ByNode[u.Via]; s != nil && s.Lit == nil {
			return s
		}
	}
	if u.Place.Owner != nil {
		return gs.ByNode[u.Place.Owner]
	}
	return nil
}

// UsesWhere returns pointers to the uses that satisfy pred.
func (f *ChanFlow) UsesWhere(pred func(*ChanUse) bool) []*ChanUse {
	var out []*ChanUse
	for i := range f.Uses {
		if pred(&f.Uses[i]) {
			out = append(out, &f.Uses[i])
		}
	}
	return out
}
