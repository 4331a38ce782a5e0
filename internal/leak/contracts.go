package leak

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
)

// Lifecycle contracts: a constructor or a Start method starts a goroutine
// that waits on an unexported channel field, and only some methods of the
// type (Stop, Close) close or send on that field. A caller that creates the
// object and never calls one of them leaks the goroutine. This is the shape
// of bodyclose's "must be closed", except that the release method is
// inferred from the code rather than listed.

// releasedBy is attached to a function or method that starts a goroutine
// which runs until one of the named methods is called on the object it
// returns (a constructor) or on its receiver (a Start method).
type releasedBy struct {
	Methods []string
	// OnResult: the object is the method's result, not its receiver.
	OnResult bool
	// ParentArg, when not 0, is 1 + the parameter that is the parent
	// context of the goroutine's: the contract binds callers that pass a
	// context that is never cancelled.
	ParentArg int
	// WaitsAt is file:line where the goroutine waits for a release, so
	// that a caller in another package can relate it.
	WaitsAt string
}

func (*releasedBy) AFact() {}

func (f *releasedBy) String() string { return "releasedBy(" + strings.Join(f.Methods, "|") + ")" }

// hasContracts is attached to a package that exports releasedBy facts, so
// that packages importing none skip the search for calls.
type hasContracts struct{}

func (*hasContracts) AFact() {}

func (*hasContracts) String() string { return "hasContracts" }

// A contract is what this package knows of one of its starters.
type contract struct {
	methods []string
	start   *spawn
	waitAt  ast.Node // where the goroutine waits for a release
	// waitPos is where, for a contract of another package, its fact says
	// the goroutine waits; NoPos when this file set does not hold it.
	waitPos token.Pos

	// onResult says the object is the starter's result, where by default
	// a method starts its receiver's goroutine and a function its result's.
	onResult bool
	// parentArg, when not 0, is 1 + the starter's parameter that is the
	// parent of the context the goroutine waits on: a caller is bound
	// only when it passes a context that is never cancelled.
	parentArg int
}

// wait is where the contract's goroutine waits, to relate.
func (c *contract) wait() span {
	if c.waitAt != nil {
		return span{c.waitAt.Pos(), keywordEnd(c.waitAt)}
	}
	return span{pos: c.waitPos}
}

// channelContract is the contract of a starter whose goroutine waits on
// channel fields of the starter's type (see waitFields), or nil.
func channelContract(x *index, sum *summaries, m *channelModel, s *spawn, fn *types.Func) *contract {
	named := starterType(x.pkg, fn)
	if named == nil {
		return nil
	}
	fields, waitAt := waitFields(x, sum, s, named)
	if len(fields) == 0 {
		return nil
	}
	methods := releaseMethods(x, m, named, fields, fn)
	if len(methods) == 0 {
		return nil
	}
	return &contract{methods: methods, start: s, waitAt: waitAt}
}

// contextContractOf is the contract of a starter whose goroutine waits on a
// context whose cancel function it stores (see contextContract), or nil.
func contextContractOf(x *index, s *spawn, fn *types.Func, decl *ast.FuncDecl, assigns []*ast.AssignStmt) *contract {
	k := contextContract(x, s, fn, decl, assigns)
	if k == nil {
		return nil
	}
	isMethod := fn.Type().(*types.Signature).Recv() != nil
	return &contract{methods: k.methods, start: s, waitAt: k.waitAt, onResult: isMethod && k.onResult, parentArg: k.parentArg}
}

// contracts is the result of the contract stage, which runs after the
// channel model: the package's own starters, and whether any package it
// imports exports some.
type contracts struct {
	byStarter map[*types.Func]*contract
	imported  bool
}

// inferContracts infers the lifecycle contracts of the package's own types
// from its goroutines, and exports them as facts.
func inferContracts(pass *analysis.Pass, x *index, sum *summaries, gs *goroutines, m *channelModel) *contracts {
	k := &contracts{byStarter: make(map[*types.Func]*contract)}
	for _, imp := range x.pkg.Imports() {
		if pass.ImportPackageFact(imp, new(hasContracts)) {
			k.imported = true
			break
		}
	}
	exports := false
	// What is asked of each starter's body is asked once, not once per
	// goroutine it starts: a function may start thousands.
	blocks := map[*ast.FuncDecl]bool{}
	cancels := map[*ast.FuncDecl][]*ast.AssignStmt{}
	for _, s := range gs.list {
		decl, ok := s.parent.(*ast.FuncDecl)
		if !ok {
			continue
		}
		fn, ok := x.info.Defs[decl.Name].(*types.Func)
		if !ok || k.byStarter[fn] != nil {
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
			assigns, ok := cancels[decl]
			if !ok {
				assigns = withCancelAssigns(x, decl)
				cancels[decl] = assigns
			}
			c = contextContractOf(x, s, fn, decl, assigns)
		}
		if c == nil {
			continue
		}
		k.byStarter[fn] = c
		// Other packages can call only the exported release methods.
		var exported []string
		for _, m := range c.methods {
			if token.IsExported(m) {
				exported = append(exported, m)
			}
		}
		if len(exported) > 0 {
			at := x.fset.Position(c.waitAt.Pos())
			pass.ExportObjectFact(fn, &releasedBy{Methods: exported, OnResult: c.onResult, ParentArg: c.parentArg,
				WaitsAt: fmt.Sprintf("%s:%d", at.Filename, at.Line)})
			exports = true
		}
	}
	if exports {
		pass.ExportPackageFact(new(hasContracts))
	}
	return k
}

// startsUnconditionally reports whether the go statement (or wg.Go call) of
// s is one of decl's top-level statements: a starter whose goroutine depends
// on an option does not bind every caller.
func startsUnconditionally(s *spawn, decl *ast.FuncDecl) bool {
	cur := s.cur.Parent()
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

// starterType is the named type of fn's receiver, or of its only result
// when fn is a function returning T or *T: the object whose methods release
// what fn starts. The type must be declared in this package.
func starterType(pkg *types.Package, fn *types.Func) *types.Named {
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

// waitFields returns the channel fields of the named type that goroutine s
// waits on to finish, and where it waits: either it starts by receiving
// from one, or it runs a loop whose every way out is a select case
// receiving from one (it waits in the first such select). Nil when the
// goroutine has any other way to finish.
func waitFields(x *index, sum *summaries, s *spawn, named *types.Named) (map[*types.Var]bool, ast.Node) {
	body := s.body
	if body == nil {
		return nil, nil
	}
	fields := map[*types.Var]bool{}
	for _, stmt := range body.List {
		if es, ok := stmt.(*ast.ExprStmt); ok {
			if u, ok := ast.Unparen(es.X).(*ast.UnaryExpr); ok {
				if f := ownField(x.info, u.X, named); f != nil {
					fields[f] = true
					return fields, u
				}
			}
		}
		fs, ok := stmt.(*ast.ForStmt)
		if !ok || fs.Cond != nil {
			if mayLeave(stmt) {
				return nil, nil
			}
			continue
		}
		ok = true
		var waitAt ast.Node
		eachLeave(sum, fs.Body, "", func(leave ast.Node) bool {
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
func fieldOfEnclosingCase(x *index, n ast.Node, named *types.Named) (*types.Var, ast.Node) {
	for enc := range x.cursorOf(n).Enclosing((*ast.CommClause)(nil), (*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		cc, ok := enc.Node().(*ast.CommClause)
		if !ok {
			return nil, nil // another loop, or ours, before any case
		}
		if ch, send := commChannel(cc); ch != nil && !send {
			if f := ownField(x.info, ch, named); f != nil {
				return f, enc.Parent().Parent().Node() // the clause's block, then its select
			}
		}
		return nil, nil
	}
	return nil, nil
}

// ownField returns the unexported channel field of named selected by e.
func ownField(info *types.Info, e ast.Expr, named *types.Named) *types.Var {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	f, ok := info.Uses[sel.Sel].(*types.Var)
	if !ok || !f.IsField() || f.Exported() || !hasField(named, f) || !isChan(f.Type()) {
		return nil
	}
	return f.Origin()
}

// releaseMethods lists the methods of named, other than the starter, that
// close or send on one of the fields, provided nothing else does.
func releaseMethods(x *index, m *channelModel, named *types.Named, fields map[*types.Var]bool, starter *types.Func) []string {
	ids := make([]string, 0, len(fields))
	for f := range fields {
		ids = append(ids, fmt.Sprintf("%p", f))
	}
	sort.Strings(ids)
	key := releaseKey{named: named, fields: strings.Join(ids, " ")}
	rel, ok := m.releaseMemo[key]
	if !ok {
		rel = computeRelease(x, m, named, fields)
		if m.releaseMemo == nil {
			m.releaseMemo = make(map[releaseKey]*release)
		}
		m.releaseMemo[key] = rel
	}
	switch {
	case rel == nil || rel.direct[starter]:
		return nil // released by other code, or by the starter: no contract to infer
	case starter == nil || !slices.Contains(rel.methods, starter.Name()):
		return rel.methods
	}
	// The starter calls a release method: the closure without it.
	set := map[string]bool{}
	for f := range rel.direct {
		set[f.Name()] = true
	}
	return closedSet(x, named, set, starter)
}

// A release is what releaseMethods finds for a type and its fields, for
// any starter: the methods that send on or close them, and the methods
// that call those on their receiver.
type release struct {
	direct  map[*types.Func]bool
	methods []string // sorted
}

type releaseKey struct {
	named  *types.Named
	fields string // the fields' identities, sorted
}

func computeRelease(x *index, m *channelModel, named *types.Named, fields map[*types.Var]bool) *release {
	rel := &release{direct: map[*types.Func]bool{}}
	set := map[string]bool{}
	for f := range fields {
		methods, ok := m.releasers(f, named)
		if !ok {
			return nil
		}
		for _, method := range methods {
			if method == nil {
				return nil // released by other code: no contract to infer
			}
			rel.direct[method] = true
			set[method.Name()] = true
		}
	}
	rel.methods = closedSet(x, named, set, nil)
	return rel
}

// closedSet closes set over calls (see closeOverCalls) and sorts it.
func closedSet(x *index, named *types.Named, set map[string]bool, starter *types.Func) []string {
	closeOverCalls(x, named, set, starter)
	methods := make([]string, 0, len(set))
	for m := range set {
		methods = append(methods, m)
	}
	sort.Strings(methods)
	return methods
}

// closeOverCalls adds to set the methods of named that call a method in
// set on their receiver (Run calling start, Close calling stop), until
// nothing changes.
func closeOverCalls(x *index, named *types.Named, set map[string]bool, starter *types.Func) {
	callers := x.receiverCallers(named)
	var queue []string
	for name := range set {
		queue = append(queue, name)
	}
	for len(queue) > 0 {
		name := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, caller := range callers[name] {
			if set[caller.Name.Name] || starter != nil && caller == x.decls[starter] {
				continue
			}
			set[caller.Name.Name] = true
			queue = append(queue, caller.Name.Name)
		}
	}
}

// methodAround is the method of named whose body holds pos, or nil.
func methodAround(info *types.Info, cur inspector.Cursor, named *types.Named) *types.Func {
	for enc := range cur.Enclosing((*ast.FuncDecl)(nil)) {
		decl := enc.Node().(*ast.FuncDecl)
		fn, ok := info.Defs[decl.Name].(*types.Func)
		if !ok || decl.Recv == nil || !isMethodOfNamed(fn, named) {
			return nil
		}
		return fn
	}
	return nil
}

// isMethodOfNamed reports whether fn is a method of named (or of a
// pointer to it), generic instances included.
func isMethodOfNamed(fn *types.Func, named *types.Named) bool {
	sig := fn.Type().(*types.Signature)
	if sig.Recv() == nil {
		return false
	}
	n, ok := types.Unalias(derefType(sig.Recv().Type())).(*types.Named)
	return ok && n.Origin() == named.Origin()
}

// contractVerdicts finds calls that start a goroutine under a contract
// and then drop the object without calling a release method.
func contractVerdicts(r *rules, k *contracts) []verdict {
	if len(k.byStarter) == 0 && !k.imported {
		return nil
	}
	// One walk of the package finds the calls of starters; cursors are
	// built only for the declarations that make one.
	type starterCall struct {
		call *ast.CallExpr
		fn   *types.Func
		c    *contract
	}
	var calls []starterCall
	for _, file := range r.x.files {
		ast.Inspect(file, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if fn := staticCallee(r.x.info, call); fn != nil {
					if c := contractOf(r, k, fn); c != nil {
						calls = append(calls, starterCall{call, fn, c})
					}
				}
			}
			return true
		})
	}
	var out []verdict
	for _, sc := range calls {
		if cur := r.x.cursorOf(sc.call); cur.Valid() {
			if v, ok := contractVerdict(r, cur, sc.fn, sc.c); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// contractOf returns the contract of a starter: this package's, with its
// goroutine, or one of another package's facts, with its methods alone.
func contractOf(r *rules, k *contracts, fn *types.Func) *contract {
	if c := k.byStarter[fn]; c != nil {
		return c
	}
	if fn.Pkg() == r.x.pkg || fn.Pkg() == nil {
		return nil
	}
	var fact releasedBy
	if r.sum.pass.ImportObjectFact(fn, &fact) {
		return &contract{methods: fact.Methods, onResult: fact.OnResult, parentArg: fact.ParentArg, waitPos: lineStart(r.x, fact.WaitsAt)}
	}
	return nil
}

// contractVerdict decides on one call of a starter fn.
func contractVerdict(r *rules, cur inspector.Cursor, fn *types.Func, c *contract) (verdict, bool) {
	methods := c.methods
	call := cur.Node().(*ast.CallExpr)
	if decl, ok := placeAt(cur).owner.(*ast.FuncDecl); ok && r.gs.life.runsOnce(decl) {
		return verdict{}, false
	}
	found := func(why reason) (verdict, bool) {
		return verdict{pattern: UnguardedRecv, at: call, spawn: c.start, why: why}, true
	}
	if c.parentArg > 0 && (c.parentArg > len(call.Args) || !isNeverCancelled(r.x, call.Args[c.parentArg-1])) {
		return verdict{}, false // the caller's context may be cancelled, which releases the goroutine
	}
	// The object is the receiver of a method starter (o.Start()), or the
	// result of a constructor.
	isMethod := fn.Type().(*types.Signature).Recv() != nil && !c.onResult
	var id *ast.Ident
	if isMethod {
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok {
			return verdict{}, false
		}
		if id, ok = ast.Unparen(sel.X).(*ast.Ident); !ok {
			return verdict{}, false
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
			return found(contractDiscarded{starter: fn, methods: methods, wait: c.wait()})
		}
		if id == nil {
			return verdict{}, false
		}
	}
	v, ok := r.x.info.ObjectOf(id).(*types.Var)
	if !ok || v.IsField() {
		return verdict{}, false
	}
	vCur := r.x.cursorAt(v.Pos())
	if !vCur.Valid() {
		return verdict{}, false
	}
	owner := placeAt(vCur).owner
	body := bodyOf(owner)
	if body == nil || v.Pos() < body.Pos() || v.Pos() >= body.End() {
		return verdict{}, false // a parameter or a package variable: its owner is elsewhere
	}
	if isMethod && !isFresh(r.x, v, owner, methods) {
		return verdict{}, false // made elsewhere: whoever made it may have arranged its release
	}
	switch releaseState(r.x, v, owner, methods) {
	case released, escaped:
		return verdict{}, false
	}
	return found(contractDropped{starter: fn, methods: methods, wait: c.wait(), object: v, owner: owner, method: isMethod})
}

// isFresh reports whether the object in v is made here: a zero value, a
// composite literal, new(T), or the result of a constructor of its own
// package that does not call a release method itself (a test helper that
// registers t.Cleanup(h.Close) does).
func isFresh(x *index, v *types.Var, owner ast.Node, methods []string) bool {
	value := x.soleValue(v)
	if value == nil {
		value = tupleSource(x, v, owner)
	}
	if value == nil {
		// var x T, given no value
		for _, cur := range x.mentions(owner, v) {
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
		if id, ok := ast.Unparen(value.Fun).(*ast.Ident); ok && x.info.Uses[id] == types.Universe.Lookup("new") {
			return true
		}
		fn := staticCallee(x.info, value)
		if fn == nil {
			return false
		}
		if x.decls[fn] != nil {
			set := map[string]bool{}
			for _, m := range methods {
				set[m] = true
			}
			return !mentionsRelease(x, fn, set, 3)
		}
		named, ok := types.Unalias(derefType(v.Type())).(*types.Named)
		return ok && fn.Pkg() == named.Obj().Pkg()
	}
	return false
}

// mentionsRelease reports whether fn, a function of this package, or one
// it calls (to the given depth), mentions a release method: a helper that
// registers t.Cleanup(h.Close) deep down still arranges the release.
func mentionsRelease(x *index, fn *types.Func, set map[string]bool, depth int) bool {
	decl := x.decls[fn]
	if decl == nil || depth == 0 {
		return false
	}
	found := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			found = set[n.Sel.Name]
		case *ast.CallExpr:
			if callee := staticCallee(x.info, n); callee != nil && callee != fn {
				found = mentionsRelease(x, callee, set, depth-1)
			}
		}
		return !found
	})
	return found
}

// tupleSource returns the call of `v, err := f()` when that is v's only
// definition in owner, or nil.
func tupleSource(x *index, v *types.Var, owner ast.Node) ast.Expr {
	var src ast.Expr
	for _, cur := range x.mentions(owner, v) {
		as, ok := cur.Parent().Node().(*ast.AssignStmt)
		if !ok || len(as.Lhs) == 0 || as.Lhs[0] != cur.Node() {
			continue
		}
		if src != nil || len(as.Rhs) != 1 {
			return nil
		}
		src = ast.Unparen(as.Rhs[0])
	}
	return src
}

func derefType(t types.Type) types.Type {
	if p, ok := t.(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

type objectState int

const (
	unreleased objectState = iota
	released
	escaped
)

// releaseState follows the object in v through owner: it is released when
// one of methods is called on it, and escapes when it is used other than
// by selecting a field or method, or is assigned more than once.
func releaseState(x *index, v *types.Var, owner ast.Node, methods []string) objectState {
	state, defs := unreleased, 0
	for _, cur := range x.mentions(owner, v) {
		switch parent := cur.Parent().Node().(type) {
		case *ast.SelectorExpr:
			// A call x.Stop(), or the method value x.Stop handed to
			// t.Cleanup or context.AfterFunc.
			for _, m := range methods {
				if parent.Sel.Name == m {
					state = released
				}
			}
			continue
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
		return escaped
	}
	if defs > 1 {
		return escaped
	}
	return state
}
