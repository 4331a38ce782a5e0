package contract

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// Lifecycle contracts: a constructor or a Start method starts a goroutine
// that waits on an unexported channel field, and only some methods of the
// type (Stop, Close) close or send on that field. A caller that creates the
// object and never calls one of them leaks the goroutine. This is the shape
// of bodyclose's "must be closed", except that the release method is
// inferred from the code rather than listed.

// ReleasedBy is attached to a function or method that starts a goroutine
// which runs until one of the named methods is called on the object it
// returns (a constructor) or on its receiver (a Start method).
type ReleasedBy struct {
	Methods []string
	// OnResult: the object is the method's result, not its receiver.
	OnResult bool
	// ParentArg, when not 0, is 1 + the parameter that is the parent
	// context of the goroutine's: the contract binds callers that pass a
	// context that is never cancelled.
	ParentArg int
	// WaitsAt is file:line where the goroutine waits for a release, so
	// that a caller in another package can relate it; LoopsAt, when it
	// waits in a loop that runs until then, that loop's.
	WaitsAt string
	LoopsAt string
	// SendsOn, when set, names the channel field whose send the goroutine
	// waits in: the methods receive from it or hand it out (see
	// readContract).
	SendsOn string
}

func (*ReleasedBy) AFact() {}

func (f *ReleasedBy) String() string { return "releasedBy(" + strings.Join(f.Methods, "|") + ")" }

// HasContracts is attached to a package that exports releasedBy facts, so
// that packages importing none skip the search for calls.
type HasContracts struct{}

func (*HasContracts) AFact() {}

func (*HasContracts) String() string { return "hasContracts" }

// A contract is what this package knows of one of its starters.
type Contract struct {
	Methods []string
	Start   *flow.Spawn
	waitAt  ast.Node // where the goroutine waits for a release
	// WaitPos is where, for a contract of another package, its fact says
	// the goroutine waits; NoPos when this file set does not hold it.
	WaitPos token.Pos
	// loopAt is the loop the goroutine runs until it is released, when it
	// waits in one (see loopAround); LoopPos is the same from a fact.
	loopAt  *ast.ForStmt
	LoopPos token.Pos

	// OnResult says the object is the starter's result, where by default
	// a method starts its receiver's goroutine and a function its result's.
	OnResult bool
	// ParentArg, when not 0, is 1 + the starter's parameter that is the
	// parent of the context the goroutine waits on: a caller is bound
	// only when it passes a context that is never cancelled.
	ParentArg int
	// SendsOn names the field the goroutine's last send is on, for a
	// read contract (see readContract): its methods are those that
	// receive from the field or hand it out.
	SendsOn string

	// named is the type whose methods release the goroutine, and
	// released the fields whose close, send or call (a stored cancel)
	// releases it; both only for this package's contracts.
	named    *types.Named
	released map[*types.Var]bool
}

// Wait is where the contract's goroutine waits, to relate.
// Loop is the loop the goroutine runs until it is released, or none.
func (c *Contract) Loop() syntax.Span {
	if c.loopAt != nil {
		return syntax.Span{Pos: c.loopAt.Pos(), End: syntax.KeywordEnd(c.loopAt)}
	}
	return syntax.Span{Pos: c.LoopPos}
}

// loopAround is the for loop without a condition, in the goroutine's own
// function, around its wait: such a goroutine runs the loop (a ticker's
// work, say) until it is released, and the loop is what never ends.
func loopAround(x *syntax.Index, wait ast.Node) *ast.ForStmt {
	for c := x.CursorOf(wait).Parent(); c.Valid(); c = c.Parent() {
		switch n := c.Node().(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			return nil
		case *ast.ForStmt:
			if n.Cond == nil {
				return n
			}
		}
	}
	return nil
}

func (c *Contract) Wait() syntax.Span {
	if c.waitAt != nil {
		return syntax.Span{Pos: c.waitAt.Pos(), End: syntax.KeywordEnd(c.waitAt)}
	}
	return syntax.Span{Pos: c.WaitPos}
}

// channelContract is the contract of a starter whose goroutine waits on
// channel fields of the starter's type (see waitFields), or nil.
func channelContract(x *syntax.Index, sum *flow.Summaries, m *model.Channels, s *flow.Spawn, fn *types.Func) *Contract {
	named := StarterType(x.Pkg, fn)
	if named == nil {
		return nil
	}
	fields, waitAt, methods := releasedWait(x, sum, m, s, named, fn)
	if len(methods) == 0 {
		return nil
	}
	return &Contract{Methods: methods, Start: s, waitAt: waitAt, named: named, released: fields}
}

// releasedWait finds the fields of named that goroutine s waits on to
// finish, where it waits, and the methods that release it: those that send
// on or close the fields of a select (see WaitFields), or those that close
// the field of a receive loop (see closedLoopField). Nil methods when the
// goroutine waits otherwise, or other code releases it.
func releasedWait(x *syntax.Index, sum *flow.Summaries, m *model.Channels, s *flow.Spawn, named *types.Named, starter *types.Func) (map[*types.Var]bool, ast.Node, []string) {
	if fields, waitAt := WaitFields(x, sum, s, named); len(fields) > 0 {
		return fields, waitAt, model.ReleaseMethods(x, m, named, fields, starter)
	}
	field, waitAt := closedLoopField(x, sum, s, named)
	if field == nil {
		return nil, nil, nil
	}
	fields := map[*types.Var]bool{field: true}
	return fields, waitAt, model.CloseMethods(x, m, named, fields, starter)
}

// closedLoopField finds the field of named that goroutine s receives from
// in a loop that it leaves only once the receive tells that the field is
// closed: for { f := <-t.queue; if f == nil { return }; f() }, or the
// same with v, ok := <-t.queue and !ok. It returns the field and the
// receive, or nil.
func closedLoopField(x *syntax.Index, sum *flow.Summaries, s *flow.Spawn, named *types.Named) (*types.Var, ast.Node) {
	if s.Body == nil {
		return nil, nil
	}
	for _, stmt := range s.Body.List {
		fs, ok := stmt.(*ast.ForStmt)
		if !ok || fs.Cond != nil {
			if flow.MayLeave(stmt) {
				return nil, nil
			}
			continue
		}
		if len(fs.Body.List) == 0 {
			return nil, nil
		}
		as, ok := fs.Body.List[0].(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 || len(as.Lhs) > 2 {
			return nil, nil
		}
		recv, ok := ast.Unparen(as.Rhs[0]).(*ast.UnaryExpr)
		if !ok || recv.Op != token.ARROW {
			return nil, nil
		}
		field := OwnField(x.Info, recv.X, named)
		if field == nil {
			return nil, nil
		}
		// What tells a closed field: ok when it is received, else the value.
		told, nilTest := as.Lhs[len(as.Lhs)-1], len(as.Lhs) == 1
		closedVar, _ := x.Info.ObjectOf(identOf(told)).(*types.Var)
		if closedVar == nil {
			return nil, nil
		}
		ok = true
		flow.EachLeave(sum, fs.Body, "", func(leave ast.Node) bool {
			ok = testsClosed(x, leave, closedVar, nilTest)
			return ok
		})
		if !ok {
			return nil, nil
		}
		return field, recv
	}
	return nil, nil
}

// testsClosed reports whether leave is a statement of the body of an if
// whose condition tests that v says its channel is closed: v == nil, or
// !v for the ok of a receive.
func testsClosed(x *syntax.Index, leave ast.Node, v *types.Var, nilTest bool) bool {
	cur := x.CursorOf(leave)
	if !cur.Valid() {
		return false
	}
	if _, ok := cur.Parent().Node().(*ast.BlockStmt); !ok {
		return false
	}
	ifs, ok := cur.Parent().Parent().Node().(*ast.IfStmt)
	if !ok || ifs.Body != cur.Parent().Node() {
		return false
	}
	isV := func(e ast.Expr) bool { id := identOf(e); return id != nil && x.Info.Uses[id] == v }
	switch c := ast.Unparen(ifs.Cond).(type) {
	case *ast.BinaryExpr:
		return nilTest && c.Op == token.EQL && (isV(c.X) && syntax.IsNilIdent(x.Info, c.Y) || isV(c.Y) && syntax.IsNilIdent(x.Info, c.X))
	case *ast.UnaryExpr:
		return !nilTest && c.Op == token.NOT && isV(c.X)
	}
	return false
}

// heldContract is the contract of a starter whose goroutine runs a method
// of an object kept in a field of the starter's type (go t.keeper.run()):
// the goroutine waits on fields of the kept object that only some of its
// methods release, and the methods of the starter's type that call one of
// those on t.keeper release it in turn (disable taking the keeper out and
// stopping it). Nil when code other than those methods, or the kept
// type's own, calls the kept object's release methods.
func heldContract(x *syntax.Index, sum *flow.Summaries, m *model.Channels, s *flow.Spawn, fn *types.Func) *Contract {
	named := StarterType(x.Pkg, fn)
	if named == nil || s.Call == nil || s.Callee == nil || s.Body == nil {
		return nil
	}
	sel, ok := ast.Unparen(s.Call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	held := keptField(x, sel.X, named)
	inner := StarterType(x.Pkg, s.Callee)
	if held == nil || inner == nil || inner.Origin() == named.Origin() || s.Callee.Type().(*types.Signature).Recv() == nil {
		return nil
	}
	fields, waitAt := WaitFields(x, sum, s, inner)
	if len(fields) == 0 {
		return nil
	}
	innerMethods := model.ReleaseMethods(x, m, inner, fields, nil)
	if len(innerMethods) == 0 {
		return nil
	}
	set := map[string]bool{}
	for caller, decl := range x.Decls {
		ok := true
		ast.Inspect(decl.Body, func(n ast.Node) bool {
			call, isCall := n.(*ast.CallExpr)
			if !isCall {
				return ok
			}
			callee := syntax.StaticCallee(x.Info, call)
			if callee == nil || !syntax.IsMethodOfNamed(callee, inner) || !slices.Contains(innerMethods, callee.Name()) {
				return true
			}
			switch {
			case syntax.IsMethodOfNamed(caller, inner):
				// The kept type's own methods (Close calling stop).
			case syntax.IsMethodOfNamed(caller, named) && caller != fn && keptField(x, receiverOf(call), named) == held:
				set[caller.Name()] = true
			default:
				ok = false // released by code we do not bind
			}
			return ok
		})
		if !ok {
			return nil
		}
	}
	if len(set) == 0 {
		return nil
	}
	return &Contract{Methods: model.ClosedSet(x, named, set, fn), Start: s, waitAt: waitAt, named: named, released: fields}
}

// receiverOf is x in the call x.m(...), or nil.
func receiverOf(call *ast.CallExpr) ast.Expr {
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		return sel.X
	}
	return nil
}

// keptField is the field of named that e reads: t.keeper, or a local
// variable whose only value is t.keeper; nil otherwise.
func keptField(x *syntax.Index, e ast.Expr, named *types.Named) *types.Var {
	if e == nil {
		return nil
	}
	if id, ok := ast.Unparen(e).(*ast.Ident); ok {
		v, ok := x.Info.Uses[id].(*types.Var)
		if !ok {
			return nil
		}
		if e = x.SoleValue(v); e == nil {
			return nil
		}
	}
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	f, ok := x.Info.Uses[sel.Sel].(*types.Var)
	if !ok || !f.IsField() || !syntax.HasField(named, f) {
		return nil
	}
	return f.Origin()
}

// GoOnObject is the contract of a go statement that runs a method of an
// object of this package's type (go n.run(), go svc.dispatcher.run()): the
// function that starts it is bound like a constructor's caller, to call
// one of the release methods. It returns the contract and the object as
// the go statement names it, or nil when the goroutine waits on no fields
// of the object that only its methods release.
func GoOnObject(x *syntax.Index, sum *flow.Summaries, m *model.Channels, s *flow.Spawn) (*Contract, ast.Expr) {
	if s.Call == nil || s.Callee == nil || s.Body == nil || s.Callee.Type().(*types.Signature).Recv() == nil {
		return nil, nil
	}
	sel, ok := ast.Unparen(s.Call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil, nil
	}
	object := ast.Unparen(sel.X)
	named := StarterType(x.Pkg, s.Callee)
	if named == nil {
		return nil, nil
	}
	fields, waitAt, methods := releasedWait(x, sum, m, s, named, s.Callee)
	if len(methods) == 0 {
		return nil, nil
	}
	c := &Contract{Methods: methods, Start: s, waitAt: waitAt, named: named, released: fields}
	c.loopAt = loopAround(x, waitAt)
	return c, object
}

// contextContractOf is the contract of a starter whose goroutine waits on a
// context whose cancel function it stores (see contextContract), or nil.
func contextContractOf(x *syntax.Index, s *flow.Spawn, fn *types.Func, decl *ast.FuncDecl, assigns []*ast.AssignStmt) *Contract {
	k := contextContract(x, s, fn, decl, assigns)
	if k == nil {
		return nil
	}
	isMethod := fn.Type().(*types.Signature).Recv() != nil
	return &Contract{Methods: k.methods, Start: s, waitAt: k.waitAt, OnResult: isMethod && k.onResult, ParentArg: k.parentArg,
		named: k.named, released: map[*types.Var]bool{k.cancel: true}}
}

// Contracts is the result of the contract stage, which runs after the
// channel model: the package's own starters, and whether any package it
// imports exports some.
type Contracts struct {
	ByStarter map[*types.Func]*Contract
	Imported  bool // an import exports a contract
	pass      *analysis.Pass
	pkg       *types.Package
}

// Of is the contract of starter fn: this package's, with its goroutine, or
// another package's fact, with its methods alone; nil when fn starts none.
func (k *Contracts) Of(x *syntax.Index, fn *types.Func) *Contract {
	if c := k.ByStarter[fn]; c != nil {
		return c
	}
	if fn.Pkg() == k.pkg || fn.Pkg() == nil {
		return nil
	}
	var fact ReleasedBy
	if k.pass.ImportObjectFact(fn, &fact) {
		return &Contract{Methods: fact.Methods, OnResult: fact.OnResult, ParentArg: fact.ParentArg, SendsOn: fact.SendsOn,
			WaitPos: syntax.LineStart(x, fact.WaitsAt), LoopPos: syntax.LineStart(x, fact.LoopsAt)}
	}
	return nil
}

// InferContracts infers the lifecycle contracts of the package's own types
// from its goroutines, and exports them as facts.
func InferContracts(pass *analysis.Pass, x *syntax.Index, sum *flow.Summaries, gs *flow.Goroutines, m *model.Channels) *Contracts {
	k := &Contracts{ByStarter: make(map[*types.Func]*Contract), pass: pass, pkg: x.Pkg}
	for _, imp := range x.Pkg.Imports() {
		if pass.ImportPackageFact(imp, new(HasContracts)) {
			k.Imported = true
			break
		}
	}
	exports := false
	// What is asked of each starter's body is asked once, not once per
	// goroutine it starts: a function may start thousands.
	blocks := map[*ast.FuncDecl]bool{}
	cancels := map[*ast.FuncDecl][]*ast.AssignStmt{}
	for _, s := range gs.List {
		decl, ok := s.Parent.(*ast.FuncDecl)
		if !ok {
			continue
		}
		fn, ok := x.Info.Defs[decl.Name].(*types.Func)
		if !ok || k.ByStarter[fn] != nil {
			continue
		}
		if !startsUnconditionally(s, decl) {
			continue
		}
		b, ok := blocks[decl]
		if !ok {
			b = blocksItself(decl)
			blocks[decl] = b
		}
		if b {
			continue
		}
		c := channelContract(x, sum, m, s, fn)
		if c == nil {
			c = heldContract(x, sum, m, s, fn)
		}
		if c == nil {
			assigns, ok := cancels[decl]
			if !ok {
				assigns = withCancelAssigns(x, decl)
				cancels[decl] = assigns
			}
			c = contextContractOf(x, s, fn, decl, assigns)
		}
		if c == nil {
			c = readContract(x, sum, s, fn)
		}
		if c == nil {
			continue
		}
		if c.waitAt != nil {
			c.loopAt = loopAround(x, c.waitAt)
		}
		k.ByStarter[fn] = c
		// Other packages can call only the exported release methods.
		var exported []string
		for _, m := range c.Methods {
			if token.IsExported(m) {
				exported = append(exported, m)
			}
		}
		if len(exported) > 0 {
			fact := &ReleasedBy{Methods: exported, OnResult: c.OnResult, ParentArg: c.ParentArg, WaitsAt: fileLine(x, c.waitAt), SendsOn: c.SendsOn}
			if c.loopAt != nil {
				fact.LoopsAt = fileLine(x, c.loopAt)
			}
			pass.ExportObjectFact(fn, fact)
			exports = true
		}
	}
	if exports {
		pass.ExportPackageFact(new(HasContracts))
	}
	return k
}

// startsUnconditionally reports whether the go statement (or wg.Go call) of
// s is one of decl's top-level statements: a starter whose goroutine depends
// on an option does not bind every caller.
func startsUnconditionally(s *flow.Spawn, decl *ast.FuncDecl) bool {
	cur := s.Cur.Parent()
	for {
		switch cur.Node().(type) {
		case *ast.ParenExpr, *ast.ExprStmt: // wg.Go(f) as a statement
			cur = cur.Parent()
			continue
		}
		return cur.Node() == decl.Body
	}
}

// blocksItself reports whether a function runs a loop of its own at top
// level (an accept loop, say): such a Run method returns only when the
// object is done with, and its callers are the process's top level.
func blocksItself(decl *ast.FuncDecl) bool {
	for _, stmt := range decl.Body.List {
		switch s := stmt.(type) {
		case *ast.ForStmt:
			if s.Cond == nil {
				return true
			}
		case *ast.SelectStmt:
			if len(s.Body.List) == 0 {
				return true
			}
		}
	}
	return false
}

// StarterType is the named type of fn's receiver, or of its only result
// when fn is a function returning T or *T: the object whose methods release
// what fn starts. The type must be declared in this package.
func StarterType(pkg *types.Package, fn *types.Func) *types.Named {
	sig := fn.Type().(*types.Signature)
	var t types.Type
	switch {
	case sig.Recv() != nil:
		t = sig.Recv().Type()
	case sig.Results().Len() >= 1:
		t = sig.Results().At(0).Type()
	default:
		return nil
	}
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() != pkg {
		return nil
	}
	if _, isStruct := named.Underlying().(*types.Struct); !isStruct {
		return nil
	}
	return named
}

// WaitFields returns the channel fields of the named type that goroutine s
// waits on to finish, and where it waits: either it starts by receiving
// from one, or it runs a loop whose every way out is a select case
// receiving from one (it waits in the first such select). Nil when the
// goroutine has any other way to finish.
func WaitFields(x *syntax.Index, sum *flow.Summaries, s *flow.Spawn, named *types.Named) (map[*types.Var]bool, ast.Node) {
	body := s.Body
	if body == nil {
		return nil, nil
	}
	fields := map[*types.Var]bool{}
	for _, stmt := range body.List {
		if es, ok := stmt.(*ast.ExprStmt); ok {
			if u, ok := ast.Unparen(es.X).(*ast.UnaryExpr); ok {
				if f := OwnField(x.Info, u.X, named); f != nil {
					fields[f] = true
					return fields, u
				}
			}
		}
		// A labelled loop (Loop: for { select { ... break Loop } }) is
		// left by its label's breaks.
		loop, label := stmt, ""
		if ls, ok := stmt.(*ast.LabeledStmt); ok {
			loop, label = ls.Stmt, ls.Label.Name
		}
		fs, ok := loop.(*ast.ForStmt)
		if !ok || fs.Cond != nil {
			if flow.MayLeave(stmt) {
				return nil, nil
			}
			continue
		}
		ok = true
		var waitAt ast.Node
		flow.EachLeave(sum, fs.Body, label, func(leave ast.Node) bool {
			f, sel := fieldOfEnclosingCase(x, leave, named)
			if f == nil {
				ok = false
				return false
			}
			fields[f] = true
			if waitAt == nil {
				waitAt = sel
			}
			return true
		})
		if !ok || len(fields) == 0 {
			return nil, nil
		}
		return fields, waitAt
	}
	return nil, nil
}

// fieldOfEnclosingCase finds the select case (inside loop) around n and
// returns the field of named it receives from, and the select; nil when
// there is none.
func fieldOfEnclosingCase(x *syntax.Index, n ast.Node, named *types.Named) (*types.Var, ast.Node) {
	for enc := range x.CursorOf(n).Enclosing((*ast.CommClause)(nil), (*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		cc, ok := enc.Node().(*ast.CommClause)
		if !ok {
			return nil, nil // another loop, or ours, before any case
		}
		if ch, send := syntax.CommChannel(cc); ch != nil && !send {
			if f := OwnField(x.Info, ch, named); f != nil {
				return f, enc.Parent().Parent().Node() // the clause's block, then its select
			}
		}
		return nil, nil
	}
	return nil, nil
}

// OwnField returns the unexported channel field of named selected by e.
func OwnField(info *types.Info, e ast.Expr, named *types.Named) *types.Var {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	f, ok := info.Uses[sel.Sel].(*types.Var)
	if !ok || !f.IsField() || f.Exported() || !syntax.HasField(named, f) || !syntax.IsChan(f.Type()) {
		return nil
	}
	return f.Origin()
}

// IsFresh reports whether the object in v is made here: a zero value, a
// composite literal, new(T), or the result of a constructor of its own
// package that does not call a release method itself (a test helper that
// registers t.Cleanup(h.Close) does).
func IsFresh(x *syntax.Index, v *types.Var, owner ast.Node, methods []string) bool {
	value := x.SoleValue(v)
	if value == nil {
		value = x.TupleSource(v, owner)
	}
	if value == nil {
		// var x T, given no value
		for _, cur := range x.Mentions(owner, v) {
			if vs, ok := cur.Parent().Node().(*ast.ValueSpec); ok && len(vs.Values) == 0 {
				return true
			}
		}
		return false
	}
	if u, ok := value.(*ast.UnaryExpr); ok && u.Op == token.AND {
		value = ast.Unparen(u.X)
	}
	switch value := value.(type) {
	case *ast.CompositeLit:
		return true
	case *ast.CallExpr:
		if id, ok := ast.Unparen(value.Fun).(*ast.Ident); ok && x.Info.Uses[id] == types.Universe.Lookup("new") {
			return true
		}
		fn := syntax.StaticCallee(x.Info, value)
		if fn == nil {
			return false
		}
		if x.Decls[fn] != nil {
			set := map[string]bool{}
			for _, m := range methods {
				set[m] = true
			}
			return !mentionsRelease(x, fn, set, 3)
		}
		named, ok := types.Unalias(syntax.DerefType(v.Type())).(*types.Named)
		return ok && fn.Pkg() == named.Obj().Pkg()
	}
	return false
}

// IsIdle reports whether the object in v is made here and runs nothing
// yet: it is fresh (see IsFresh), and when a function of this package
// makes it, that function starts no goroutine, itself or through the
// functions it calls. A test helper that builds a server
// and starts its accept loop hands out a running object, whose other
// goroutines may be what releases the one the caller starts.
func IsIdle(x *syntax.Index, v *types.Var, owner ast.Node, methods []string) bool {
	if !IsFresh(x, v, owner, methods) {
		return false
	}
	value := x.SoleValue(v)
	if value == nil {
		value = x.TupleSource(v, owner)
	}
	call, ok := value.(*ast.CallExpr)
	if !ok {
		return true
	}
	fn := syntax.StaticCallee(x.Info, call)
	return fn == nil || !startsGoroutines(x, fn, map[*types.Func]bool{})
}

// startsGoroutines reports whether fn, a function of this package, or
// one it calls, directly or not, has a go statement. Each function is
// read once per question (seen).
func startsGoroutines(x *syntax.Index, fn *types.Func, seen map[*types.Func]bool) bool {
	decl := x.Decls[fn]
	if decl == nil || seen[fn] {
		return false
	}
	seen[fn] = true
	found := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			found = true
		case *ast.CallExpr:
			if callee := syntax.StaticCallee(x.Info, n); callee != nil {
				found = startsGoroutines(x, callee, seen)
			}
		}
		return !found
	})
	return found
}

// mentionsRelease reports whether fn, a function of this package, or one
// it calls (to the given depth), mentions a release method: a helper that
// registers t.Cleanup(h.Close) deep down still arranges the release.
func mentionsRelease(x *syntax.Index, fn *types.Func, set map[string]bool, depth int) bool {
	decl := x.Decls[fn]
	if decl == nil || depth == 0 {
		return false
	}
	found := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			found = set[n.Sel.Name]
		case *ast.CallExpr:
			if callee := syntax.StaticCallee(x.Info, n); callee != nil && callee != fn {
				found = mentionsRelease(x, callee, set, depth-1)
			}
		}
		return !found
	})
	return found
}

type objectState int

const (
	Unreleased objectState = iota
	Released
	Escaped
)

// ReleaseState follows the object in v through owner: it is released when
// one of methods is called on it, and escapes when it is used other than
// by selecting a field or method, comparing it with nil or lending it to
// a function (see lentTo), or is assigned more than once.
func ReleaseState(x *syntax.Index, v *types.Var, owner ast.Node, methods []string) objectState {
	return ReleaseStateOf(x, v, owner, methods, nil)
}

// ReleaseStateOf is ReleaseState for the value that the assignment def
// gives v, when v is given several: a test that shuts a server down and
// creates it again in the same variable owns the new value from def on.
// Only the mentions after def, or in a function literal (which reads the
// variable's latest value when it runs), can release or leak that value;
// those before it, run before def, can only borrow the old value (a
// deferred s.Shutdown() binds the old value as it is deferred). A def in a
// loop, or not in owner's own code, keeps the answer of ReleaseState.
func ReleaseStateOf(x *syntax.Index, v *types.Var, owner ast.Node, methods []string, def ast.Node) objectState {
	if def != nil && !straightLineDef(x, def, owner) {
		def = nil
	}
	state, defs := Unreleased, 0
	for _, cur := range x.Mentions(owner, v) {
		before := def != nil && cur.Node().Pos() < def.Pos() && !inFuncLit(cur, owner)
		switch parent := cur.Parent().Node().(type) {
		case *ast.SelectorExpr:
			// A call x.Stop(), or the method value x.Stop handed to
			// t.Cleanup or context.AfterFunc.
			for _, m := range methods {
				if parent.Sel.Name == m && !before {
					state = Released
				}
			}
			continue
		case *ast.BinaryExpr:
			if isNilTest(x, parent) {
				continue
			}
		case *ast.AssignStmt:
			if k, _ := cur.ParentEdge(); k == edge.AssignStmt_Lhs {
				defs++
				continue
			}
		case *ast.ValueSpec:
			if k, _ := cur.ParentEdge(); k == edge.ValueSpec_Names {
				defs++
				continue
			}
		}
		if lentTo(x, cur, methods, 2) {
			continue
		}
		return Escaped
	}
	if defs > 1 && def == nil {
		return Escaped
	}
	return state
}

// straightLineDef reports whether def is a statement of owner's own code
// (not of a function literal in it) and in no loop: it runs at most once
// per call of owner, after every statement that precedes it.
func straightLineDef(x *syntax.Index, def, owner ast.Node) bool {
	for cur := x.CursorOf(def).Parent(); cur.Valid(); cur = cur.Parent() {
		switch cur.Node().(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			return cur.Node() == owner
		case *ast.ForStmt, *ast.RangeStmt, *ast.LabeledStmt:
			return false // a loop, or a label a goto may return to
		}
	}
	return false
}

// inFuncLit reports whether cur is inside a function literal within owner.
func inFuncLit(cur inspector.Cursor, owner ast.Node) bool {
	for c := cur.Parent(); c.Valid() && c.Node() != owner; c = c.Parent() {
		if _, ok := c.Node().(*ast.FuncLit); ok {
			return true
		}
	}
	return false
}

// fileLine is n's position as a fact carries it: file:line.
func fileLine(x *syntax.Index, n ast.Node) string {
	at := x.Fset.Position(n.Pos())
	return fmt.Sprintf("%s:%d", at.Filename, at.Line)
}

// lentTo reports whether the mention of an object at cur (x, or &x) is an
// argument of a call of this package's function that only borrows it: the
// function's parameter is used only to select fields and methods other
// than the release methods, or compared with nil, or lent on in turn (to
// the given depth). A test helper readyWithTimeout(&n) that only calls
// n.Ready() neither keeps n nor releases it.
func lentTo(x *syntax.Index, cur inspector.Cursor, methods []string, depth int) bool {
	if depth == 0 {
		return false
	}
	arg := cur
	if u, ok := cur.Parent().Node().(*ast.UnaryExpr); ok && u.Op == token.AND {
		arg = cur.Parent()
	}
	call, ok := arg.Parent().Node().(*ast.CallExpr)
	if k, _ := arg.ParentEdge(); !ok || k != edge.CallExpr_Args {
		return false
	}
	fn := syntax.StaticCallee(x.Info, call)
	if fn == nil || x.Decls[fn] == nil {
		return false
	}
	sig := fn.Type().(*types.Signature)
	params := sig.Params()
	i := slices.Index(call.Args, arg.Node().(ast.Expr))
	if i < 0 || i >= params.Len() && !sig.Variadic() {
		return false
	}
	decl := x.Decls[fn]
	if sig.Variadic() && i >= params.Len()-1 {
		// One of f(t, a, b)'s ...T: the slice's elements are borrowed
		// when the slice is only ranged over or indexed.
		if call.Ellipsis.IsValid() {
			return false
		}
		return elementsBorrowed(x, decl, params.At(params.Len()-1), methods, depth)
	}
	return borrowed(x, decl, params.At(i), methods, depth)
}

// borrowed reports whether v, a variable of decl, is used only to select
// fields and methods other than the release methods, compared with nil,
// or lent on in turn (to the given depth).
func borrowed(x *syntax.Index, decl *ast.FuncDecl, v *types.Var, methods []string, depth int) bool {
	for _, use := range x.Mentions(decl.Body, v) {
		if x.Info.Defs[use.Node().(*ast.Ident)] == v {
			continue // a range's element variable, declared
		}
		switch parent := use.Parent().Node().(type) {
		case *ast.SelectorExpr:
			if !slices.Contains(methods, parent.Sel.Name) {
				continue
			}
		case *ast.BinaryExpr:
			if isNilTest(x, parent) {
				continue
			}
		}
		if lentTo(x, use, methods, depth-1) {
			continue
		}
		return false
	}
	return true
}

// elementsBorrowed reports whether the elements of the slice param are
// borrowed (see borrowed): the slice is only ranged over, with an element
// variable that is borrowed, or indexed, with the element borrowed where
// it is selected from, or has its length taken.
func elementsBorrowed(x *syntax.Index, decl *ast.FuncDecl, param *types.Var, methods []string, depth int) bool {
	for _, use := range x.Mentions(decl.Body, param) {
		switch parent := use.Parent().Node().(type) {
		case *ast.RangeStmt:
			if k, _ := use.ParentEdge(); k != edge.RangeStmt_X || parent.Tok != token.DEFINE {
				return false
			}
			if parent.Value == nil {
				continue
			}
			elem, ok := x.Info.Defs[parent.Value.(*ast.Ident)].(*types.Var)
			if ok && !borrowed(x, decl, elem, methods, depth) {
				return false
			}
			continue
		case *ast.IndexExpr:
			if sel, ok := use.Parent().Parent().Node().(*ast.SelectorExpr); ok && !slices.Contains(methods, sel.Sel.Name) {
				continue
			}
		case *ast.CallExpr:
			if id, ok := ast.Unparen(parent.Fun).(*ast.Ident); ok && x.Info.Uses[id] == types.Universe.Lookup("len") {
				continue
			}
		}
		return false
	}
	return true
}

// isNilTest reports whether b is x == nil or x != nil: a test, not a use.
func isNilTest(x *syntax.Index, b *ast.BinaryExpr) bool {
	return (b.Op == token.EQL || b.Op == token.NEQ) && (syntax.IsNilIdent(x.Info, b.X) || syntax.IsNilIdent(x.Info, b.Y))
}
