package leak

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
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
}

// findContracts infers the lifecycle contracts of the package's own types
// from its goroutines, and exports them as facts.
func (c *checker) findContracts(spawns []*spawn) {
	exports := false
	for _, s := range spawns {
		decl, ok := s.parent.(*ast.FuncDecl)
		if !ok {
			continue
		}
		fn, ok := c.info.Defs[decl.Name].(*types.Func)
		if !ok || c.contracts[fn] != nil {
			continue
		}
		named := c.starterType(fn)
		if named == nil || blocksItself(decl) || !startsUnconditionally(s, decl) {
			continue
		}
		fields := c.waitFields(s, named)
		if len(fields) == 0 {
			continue
		}
		methods := c.releaseMethods(named, fields, fn)
		if len(methods) == 0 {
			continue
		}
		if c.contracts == nil {
			c.contracts = make(map[*types.Func]*contract)
		}
		c.contracts[fn] = &contract{methods: methods, start: s}
		// Other packages can call only the exported release methods.
		var exported []string
		for _, m := range methods {
			if token.IsExported(m) {
				exported = append(exported, m)
			}
		}
		if len(exported) > 0 {
			c.pass.ExportObjectFact(fn, &releasedBy{Methods: exported})
			exports = true
		}
	}
	if exports {
		c.pass.ExportPackageFact(new(hasContracts))
	}
}

// startsUnconditionally reports whether the go statement (or wg.Go call) of
// s is one of decl's top-level statements: a starter whose goroutine depends
// on an option does not bind every caller.
func startsUnconditionally(s *spawn, decl *ast.FuncDecl) bool {
	for _, stmt := range decl.Body.List {
		if stmt == s.start {
			return true
		}
		if es, ok := stmt.(*ast.ExprStmt); ok && ast.Unparen(es.X) == s.start {
			return true
		}
	}
	return false
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
func (c *checker) starterType(fn *types.Func) *types.Named {
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
	if !ok || named.Obj().Pkg() != c.pass.Pkg {
		return nil
	}
	if _, isStruct := named.Underlying().(*types.Struct); !isStruct {
		return nil
	}
	return named
}

// waitFields returns the channel fields of the named type that goroutine s
// waits on to finish: either it starts by receiving from one, or it runs
// a loop whose every way out is a select case receiving from one. Nil when
// the goroutine has any other way to finish.
func (c *checker) waitFields(s *spawn, named *types.Named) map[*types.Var]bool {
	body := s.body(c)
	if body == nil {
		return nil
	}
	fields := map[*types.Var]bool{}
	for _, stmt := range body.List {
		if es, ok := stmt.(*ast.ExprStmt); ok {
			if u, ok := ast.Unparen(es.X).(*ast.UnaryExpr); ok {
				if f := c.ownField(u.X, named); f != nil {
					fields[f] = true
					return fields
				}
			}
		}
		fs, ok := stmt.(*ast.ForStmt)
		if !ok || fs.Cond != nil {
			if mayLeave(stmt) {
				return nil
			}
			continue
		}
		ok = true
		c.eachLeave(fs.Body, "", func(leave ast.Node) bool {
			f := c.fieldOfEnclosingCase(leave, fs, named)
			if f == nil {
				ok = false
				return false
			}
			fields[f] = true
			return true
		})
		if !ok || len(fields) == 0 {
			return nil
		}
		return fields
	}
	return nil
}

// fieldOfEnclosingCase finds the select case (inside loop) around n and
// returns the field of named it receives from, or nil.
func (c *checker) fieldOfEnclosingCase(n ast.Node, loop ast.Node, named *types.Named) *types.Var {
	for enc := range c.cursorOf(n).Enclosing((*ast.CommClause)(nil), (*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		cc, ok := enc.Node().(*ast.CommClause)
		if !ok {
			return nil // another loop, or ours, before any case
		}
		if ch, send := commChannel(cc); ch != nil && !send {
			return c.ownField(ch, named)
		}
		return nil
	}
	return nil
}

// ownField returns the unexported channel field of named selected by e.
func (c *checker) ownField(e ast.Expr, named *types.Named) *types.Var {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	f, ok := c.info.Uses[sel.Sel].(*types.Var)
	if !ok || !f.IsField() || f.Exported() || !hasField(named, f) || !isChan(f.Type()) {
		return nil
	}
	return f.Origin()
}

// releaseMethods lists the methods of named, other than the starter, that
// close or send on one of the fields, provided nothing else does.
func (c *checker) releaseMethods(named *types.Named, fields map[*types.Var]bool, starter *types.Func) []string {
	set := map[string]bool{}
	for f := range fields {
		flow := c.fieldFlow(f)
		if flow == nil || flow.escapes {
			return nil
		}
		for _, u := range flow.uses {
			if u.kind != opSend && u.kind != opClose {
				continue
			}
			m := c.methodAround(u.at, named)
			if m == nil || m == starter {
				return nil // released by other code: no contract to infer
			}
			set[m.Name()] = true
		}
	}
	c.closeOverCalls(named, set, starter)
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
func (c *checker) closeOverCalls(named *types.Named, set map[string]bool, starter *types.Func) {
	var methods []*ast.FuncDecl
	for fn, decl := range c.decls {
		if fn != starter && decl.Recv != nil && c.methodAround(c.cursorOfDecl(decl), named) == fn {
			methods = append(methods, decl)
		}
	}
	for changed := true; changed; {
		changed = false
		for _, decl := range methods {
			if set[decl.Name.Name] || !callsOnReceiver(decl, set) {
				continue
			}
			set[decl.Name.Name] = true
			changed = true
		}
	}
}

// callsOnReceiver reports whether decl calls recv.m() for an m in set.
func callsOnReceiver(decl *ast.FuncDecl, set map[string]bool) bool {
	if len(decl.Recv.List) == 0 || len(decl.Recv.List[0].Names) == 0 {
		return false
	}
	recv := decl.Recv.List[0].Names[0].Name
	found := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		// recv.m() or the method value recv.m (once.Do(recv.m))
		if sel, ok := n.(*ast.SelectorExpr); ok && set[sel.Sel.Name] {
			if id, ok := ast.Unparen(sel.X).(*ast.Ident); ok && id.Name == recv {
				found = true
			}
		}
		return !found
	})
	return found
}

// cursorOfDecl is the cursor of a top-level function declaration.
func (c *checker) cursorOfDecl(decl *ast.FuncDecl) inspector.Cursor {
	return c.cursorOf(decl.Body)
}

// methodAround is the method of named whose body holds pos, or nil.
func (c *checker) methodAround(cur inspector.Cursor, named *types.Named) *types.Func {
	for enc := range cur.Enclosing((*ast.FuncDecl)(nil)) {
		decl := enc.Node().(*ast.FuncDecl)
		fn, ok := c.info.Defs[decl.Name].(*types.Func)
		if !ok || decl.Recv == nil {
			return nil
		}
		recv := fn.Type().(*types.Signature).Recv().Type()
		if p, ok := recv.(*types.Pointer); ok {
			recv = p.Elem()
		}
		if n, ok := types.Unalias(recv).(*types.Named); ok && n.Origin() == named.Origin() {
			return fn
		}
	}
	return nil
}

// checkContractCalls reports calls that start a goroutine under a contract
// and then drop the object without calling a release method.
func (c *checker) checkContractCalls() {
	if len(c.contracts) == 0 && !c.importsContracts() {
		return
	}
	for cur := range c.root().Preorder((*ast.CallExpr)(nil)) {
		call := cur.Node().(*ast.CallExpr)
		fn := staticCallee(c.info, call)
		if fn == nil {
			continue
		}
		methods, start := c.contractOf(fn)
		if methods == nil {
			continue
		}
		c.checkContractCall(cur, fn, methods, start)
	}
}

func (c *checker) importsContracts() bool {
	for _, imp := range c.pass.Pkg.Imports() {
		if c.pass.ImportPackageFact(imp, new(hasContracts)) {
			return true
		}
	}
	return false
}

// contractOf returns the release methods of a starter, and its goroutine
// when it is in this package.
func (c *checker) contractOf(fn *types.Func) ([]string, *spawn) {
	if k := c.contracts[fn]; k != nil {
		return k.methods, k.start
	}
	if fn.Pkg() == c.pass.Pkg || fn.Pkg() == nil {
		return nil, nil
	}
	var fact releasedBy
	if c.pass.ImportObjectFact(fn, &fact) {
		return fact.Methods, nil
	}
	return nil, nil
}

func (c *checker) checkContractCall(cur inspector.Cursor, fn *types.Func, methods []string, start *spawn) {
	call := cur.Node().(*ast.CallExpr)
	callerPlace := c.placeAt(cur)
	if decl, ok := callerPlace.owner.(*ast.FuncDecl); ok && (c.isProcessLifetime(decl) || c.calledOnceFromMain(decl)) {
		return
	}
	var rel []analysis.RelatedInformation
	if start != nil {
		rel = append(rel, startedHere(start))
	}
	release := func(x string) string {
		parts := make([]string, len(methods))
		for i, m := range methods {
			parts[i] = x + m
		}
		return strings.Join(parts, " or ")
	}
	isMethod := fn.Type().(*types.Signature).Recv() != nil
	var id *ast.Ident
	if isMethod {
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok {
			return
		}
		if id, ok = ast.Unparen(sel.X).(*ast.Ident); !ok {
			return
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
			c.reportAt(UnguardedRecv, call, fmt.Sprintf("%s starts a goroutine that runs until %s is called on its result, which is discarded: the goroutine leaks",
				fn.Name(), release("")), rel...)
			return
		}
		if id == nil {
			return
		}
	}
	v, ok := c.info.ObjectOf(id).(*types.Var)
	if !ok || v.IsField() {
		return
	}
	owner := c.placeOf(v.Pos())
	body := bodyOf(owner.owner)
	if body == nil || v.Pos() < body.Pos() || v.Pos() >= body.End() {
		return // a parameter or a package variable: its owner is elsewhere
	}
	if isMethod && !c.isFresh(v, body, methods) {
		return // made elsewhere: whoever made it may have arranged its release
	}
	switch c.releaseState(v, body, methods) {
	case released, escaped:
		return
	}
	if isMethod {
		c.reportAt(UnguardedRecv, call, fmt.Sprintf("%s.%s starts a goroutine that runs until %s is called, but %s never calls it: the goroutine leaks when %s is dropped",
			v.Name(), fn.Name(), release(v.Name()+"."), funcName(owner.owner), v.Name()), rel...)
		return
	}
	c.reportAt(UnguardedRecv, call, fmt.Sprintf("%s starts a goroutine that runs until %s is called, but %s never calls it: the goroutine leaks when %s is dropped",
		fn.Name(), release(v.Name()+"."), funcName(owner.owner), v.Name()), rel...)
}

// isFresh reports whether the object in v is made here: a zero value, a
// composite literal, new(T), or the result of a constructor of its own
// package that does not call a release method itself (a test helper that
// registers t.Cleanup(h.Close) does).
func (c *checker) isFresh(v *types.Var, body *ast.BlockStmt, methods []string) bool {
	value := c.soleValue(v)
	if value == nil {
		value = c.tupleSource(v, body)
	}
	if value == nil {
		// var x T, given no value
		for _, cur := range c.mentions(body, v) {
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
		if id, ok := ast.Unparen(value.Fun).(*ast.Ident); ok && c.info.Uses[id] == types.Universe.Lookup("new") {
			return true
		}
		fn := staticCallee(c.info, value)
		if fn == nil {
			return false
		}
		if c.decls[fn] != nil {
			set := map[string]bool{}
			for _, m := range methods {
				set[m] = true
			}
			return !c.mentionsRelease(fn, set, 3)
		}
		named, ok := types.Unalias(derefType(v.Type())).(*types.Named)
		return ok && fn.Pkg() == named.Obj().Pkg()
	}
	return false
}

// mentionsRelease reports whether fn, a function of this package, or one
// it calls (to the given depth), mentions a release method: a helper that
// registers t.Cleanup(h.Close) deep down still arranges the release.
func (c *checker) mentionsRelease(fn *types.Func, set map[string]bool, depth int) bool {
	decl := c.decls[fn]
	if decl == nil || depth == 0 {
		return false
	}
	found := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			found = set[n.Sel.Name]
		case *ast.CallExpr:
			if callee := staticCallee(c.info, n); callee != nil && callee != fn {
				found = c.mentionsRelease(callee, set, depth-1)
			}
		}
		return !found
	})
	return found
}

// tupleSource returns the call of `v, err := f()` when that is v's only
// definition in body, or nil.
func (c *checker) tupleSource(v *types.Var, body *ast.BlockStmt) ast.Expr {
	var src ast.Expr
	for _, cur := range c.mentions(body, v) {
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

// releaseState follows the object in v through body: it is released when
// one of methods is called on it, and escapes when it is used other than
// by selecting a field or method, or is assigned more than once.
func (c *checker) releaseState(v *types.Var, body *ast.BlockStmt, methods []string) objectState {
	state, defs := unreleased, 0
	for _, cur := range c.mentions(body, v) {
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

// isProcessLifetime reports whether decl runs once per process: main.main
// or an init function.
func (c *checker) isProcessLifetime(decl *ast.FuncDecl) bool {
	if decl.Recv != nil {
		return false
	}
	switch decl.Name.Name {
	case "init", "TestMain":
		return true
	case "main":
		return c.pass.Pkg.Name() == "main"
	}
	return false
}

// calledOnceFromMain reports whether, in a package main, decl is a function
// that runs once per process: every reference to it is a call, outside
// loops and function literals, from main, init or another such function
// (func main() { run() }).
func (c *checker) calledOnceFromMain(decl *ast.FuncDecl) bool {
	if c.pass.Pkg.Name() != "main" || decl.Recv != nil {
		return false
	}
	fn, ok := c.info.Defs[decl.Name].(*types.Func)
	if !ok {
		return false
	}
	if r, ok := c.onceFromMain[fn]; ok {
		return r
	}
	if c.onceFromMain == nil {
		c.onceFromMain = make(map[*types.Func]bool)
		c.funcRefs = make(map[*types.Func][]*ast.Ident)
		for id, obj := range c.info.Uses {
			if f, ok := obj.(*types.Func); ok && f.Pkg() == c.pass.Pkg {
				c.funcRefs[f] = append(c.funcRefs[f], id)
			}
		}
	}
	c.onceFromMain[fn] = false // recursion: not proven
	refs := c.funcRefs[fn]
	result := len(refs) > 0
	for _, id := range refs {
		cur := c.cursorOf(id)
		call, ok := cur.Parent().Node().(*ast.CallExpr)
		if !ok || ast.Unparen(call.Fun) != id {
			result = false // used as a value: may run any number of times
			break
		}
		p := c.placeAt(cur)
		caller, ok := p.owner.(*ast.FuncDecl)
		if !ok || p.inLoop || !c.isProcessLifetime(caller) && !c.calledOnceFromMain(caller) {
			result = false
			break
		}
	}
	c.onceFromMain[fn] = result
	return result
}
