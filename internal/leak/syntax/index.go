package syntax

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"
)

// Stage 1, the index: what the later stages look up in the syntax of one
// package. Everything but the list of declarations is built on demand and
// per top-level declaration, so the cost follows the functions where a
// goroutine or a channel is followed, not the size of the package.

// Index is the syntax index of one package.
type Index struct {
	Info  *types.Info
	Pkg   *types.Package
	Fset  *token.FileSet
	Files []*ast.File

	Decls    map[*types.Func]*ast.FuncDecl // the package's functions with bodies
	tops     []ast.Decl                    // every top-level declaration, by position
	Spawners []ast.Decl                    // the top-level declarations that may start goroutines (see mayStartGoroutines)

	cursors  map[ast.Decl]inspector.Cursor                    // per declaration, on demand
	idents   map[ast.Node]map[types.Object][]inspector.Cursor // see mentions
	cfgs     map[ast.Node]*cfg.CFG
	cfgNodes map[*cfg.CFG]map[ast.Node]NodeAt
	pkgWide  *packageWide
	uses     map[types.Object][]*ast.Ident               // see usesOf
	callers  map[*types.Named]map[string][]*ast.FuncDecl // see receiverCallers
}

// NewIndex lists the package's declarations, and those that may start
// goroutines, in one walk of the syntax.
func NewIndex(info *types.Info, pkg *types.Package, fset *token.FileSet, files []*ast.File) *Index {
	x := &Index{
		Info:    info,
		Pkg:     pkg,
		Fset:    fset,
		Files:   files,
		Decls:   make(map[*types.Func]*ast.FuncDecl),
		cursors: make(map[ast.Decl]inspector.Cursor),
	}
	for _, file := range files {
		for _, d := range file.Decls {
			x.tops = append(x.tops, d)
			if decl, ok := d.(*ast.FuncDecl); ok && decl.Body != nil {
				if fn, ok := info.Defs[decl.Name].(*types.Func); ok {
					x.Decls[fn] = decl
				}
			}
			if mayStartGoroutines(info, d) {
				x.Spawners = append(x.Spawners, d)
			}
		}
	}
	sort.Slice(x.tops, func(i, j int) bool { return x.tops[i].Pos() < x.tops[j].Pos() })
	return x
}

// mayStartGoroutines is a cheap filter run before anything is built: does
// the declaration contain a go statement, a call of a method named Go, or a
// call that hands a function or a channel to its callee (which may start
// a goroutine that runs the one or uses the other)?
func mayStartGoroutines(info *types.Info, d ast.Decl) bool {
	found := false
	ast.Inspect(d, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			found = true
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Go" {
				found = true
			}
			for _, arg := range n.Args {
				if t := info.TypeOf(arg); IsFuncType(t) || t != nil && IsChan(t) {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// topAt is the top-level declaration that holds pos, or nil.
func (x *Index) topAt(pos token.Pos) ast.Decl {
	i := sort.Search(len(x.tops), func(i int) bool { return x.tops[i].End() > pos })
	if i < len(x.tops) && x.tops[i].Pos() <= pos {
		return x.tops[i]
	}
	return nil
}

// DeclCursor is the cursor of a top-level declaration, in an inspector
// built for that declaration alone the first time it is asked for.
func (x *Index) DeclCursor(d ast.Decl) inspector.Cursor {
	if cur, ok := x.cursors[d]; ok {
		return cur
	}
	// The inspector takes files: a file holding just d. Its Package
	// position bounds the extent by which the inspector sizes its tables.
	file := &ast.File{Package: d.Pos(), Name: &ast.Ident{Name: "_"}, Decls: []ast.Decl{d}}
	var cur inspector.Cursor
	for c := range inspector.New([]*ast.File{file}).Root().Preorder((*ast.FuncDecl)(nil), (*ast.GenDecl)(nil)) {
		cur = c
		break
	}
	x.cursors[d] = cur
	return cur
}

// CursorOf finds the cursor of a node of this package, or the zero Cursor.
func (x *Index) CursorOf(n ast.Node) inspector.Cursor {
	d := x.topAt(n.Pos())
	if d == nil {
		return inspector.Cursor{}
	}
	root := x.DeclCursor(d)
	if d == n {
		return root
	}
	// FindByPos skips the subtrees that end before the node, where
	// FindNode walks every node before it.
	cur, ok := root.FindByPos(n.Pos(), n.End())
	if ok && cur.Node() == n {
		return cur
	}
	if cur, ok = root.FindNode(n); ok {
		return cur
	}
	return inspector.Cursor{}
}

// CursorAt is the cursor of the innermost node around pos, or the zero
// Cursor.
func (x *Index) CursorAt(pos token.Pos) inspector.Cursor {
	d := x.topAt(pos)
	if d == nil {
		return inspector.Cursor{}
	}
	cur, _ := x.DeclCursor(d).FindByPos(pos, pos)
	return cur
}

// Mentions returns the identifiers within scope (a function or its body)
// that denote obj. The first call for a scope indexes all its identifiers,
// so that following many variables through one large function costs one
// walk, not one per variable.
func (x *Index) Mentions(scope ast.Node, obj types.Object) []inspector.Cursor {
	byObj, ok := x.idents[scope]
	if !ok {
		byObj = make(map[types.Object][]inspector.Cursor)
		if root := x.CursorOf(scope); root.Valid() {
			for cur := range root.Preorder((*ast.Ident)(nil)) {
				if v, isVar := x.Info.ObjectOf(cur.Node().(*ast.Ident)).(*types.Var); isVar {
					// Fields of generic types have one object per instance.
					o := types.Object(v.Origin())
					byObj[o] = append(byObj[o], cur)
				}
			}
		}
		if x.idents == nil {
			x.idents = make(map[ast.Node]map[types.Object][]inspector.Cursor)
		}
		x.idents[scope] = byObj
	}
	return byObj[obj]
}

// CfgOf builds (once) the control-flow graph of a function of this
// package: only functions with a candidate leak need one. mayReturn says
// which calls return.
func (x *Index) CfgOf(fn ast.Node, mayReturn func(*ast.CallExpr) bool) *cfg.CFG {
	if g, ok := x.cfgs[fn]; ok {
		return g
	}
	body := BodyOf(fn)
	if body == nil {
		return nil
	}
	if x.cfgs == nil {
		x.cfgs = make(map[ast.Node]*cfg.CFG)
	}
	g := cfg.New(body, mayReturn)
	x.cfgs[fn] = g
	return g
}

// NodeAt is the place of a node in a control-flow graph.
type NodeAt struct {
	Block *cfg.Block
	Index int
}

// CfgNodeIndex maps (once per CFG) each node of the graph to its place.
func (x *Index) CfgNodeIndex(g *cfg.CFG) map[ast.Node]NodeAt {
	if idx, ok := x.cfgNodes[g]; ok {
		return idx
	}
	idx := make(map[ast.Node]NodeAt)
	for _, b := range g.Blocks {
		for i, n := range b.Nodes {
			idx[n] = NodeAt{b, i}
		}
	}
	if x.cfgNodes == nil {
		x.cfgNodes = make(map[*cfg.CFG]map[ast.Node]NodeAt)
	}
	x.cfgNodes[g] = idx
	return idx
}

// packageWide is what only a walk of the whole package can tell, gathered
// in one walk the first time a rule needs it: the mentions of the
// package's unexported fields of channel and function types (a stored
// cancel) and of its unexported package-level channels, the struct types built by unkeyed literals, and the range
// and select statements.
type packageWide struct {
	fieldMentions map[*types.Var][]*ast.Ident
	positional    []types.Type
	Ranges        []*ast.RangeStmt // for the callers of generators
	Selects       []*ast.SelectStmt
}

// Wide walks the package once (on first use) for what packageWide holds.
func (x *Index) Wide() *packageWide {
	if x.pkgWide != nil {
		return x.pkgWide
	}
	w := &packageWide{fieldMentions: make(map[*types.Var][]*ast.Ident)}
	// The names of the fields wanted, from the package's definitions: most
	// identifiers are ruled out by name, before any type lookup.
	names := map[string]bool{}
	for id, obj := range x.Info.Defs {
		if v, ok := obj.(*types.Var); ok && x.isWideVar(v) {
			names[id.Name] = true
		}
	}
	for _, file := range x.Files {
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.RangeStmt:
				w.Ranges = append(w.Ranges, n)
			case *ast.SelectStmt:
				w.Selects = append(w.Selects, n)
			case *ast.Ident:
				if !names[n.Name] {
					break
				}
				if v, ok := x.Info.ObjectOf(n).(*types.Var); ok && x.isWideVar(v) {
					o := v.Origin()
					w.fieldMentions[o] = append(w.fieldMentions[o], n)
				}
			case *ast.CompositeLit:
				if len(n.Elts) > 0 {
					if _, keyed := n.Elts[0].(*ast.KeyValueExpr); !keyed {
						if t := x.Info.TypeOf(n); t != nil {
							if _, ok := t.Underlying().(*types.Struct); ok {
								w.positional = append(w.positional, t)
							}
						}
					}
				}
			}
			return true
		})
	}
	x.pkgWide = w
	return w
}

// isWideVar tells whether the walk of the package indexes the mentions
// of v: an unexported field of channel or function type, or an
// unexported package-level channel variable (a channel every function
// of the package shares, like a field).
func (x *Index) isWideVar(v *types.Var) bool {
	if !Hidden(x, v) {
		return false
	}
	if v.IsField() {
		return IsChan(v.Type()) || IsFuncType(v.Type())
	}
	return v.Parent() == x.Pkg.Scope() && IsChan(v.Type())
}

// FieldMentions returns the cursors of the identifiers that denote an
// unexported field of channel or function type of this package, or an
// unexported package-level channel variable, declaration included.
func (x *Index) FieldMentions(field *types.Var) []inspector.Cursor {
	var out []inspector.Cursor
	for _, id := range x.Wide().fieldMentions[field.Origin()] {
		if cur := x.CursorOf(id); cur.Valid() {
			out = append(out, cur)
		}
	}
	return out
}

// PositionallyBuilt reports whether a struct literal without keys builds
// a value of a struct type with the field.
func (x *Index) PositionallyBuilt(field *types.Var) bool {
	for _, t := range x.Wide().positional {
		if HasField(t, field) {
			return true
		}
	}
	return false
}

// Hidden tells whether no other package can name obj, a member of this
// package: it is unexported, or the package is a command, which nothing
// imports.
func Hidden(x *Index, obj types.Object) bool {
	return obj.Pkg() == x.Pkg && (!obj.Exported() || x.Pkg.Name() == "main")
}

// ReceiverCallers returns, once per type, for each name the methods of
// named whose code selects that name on their receiver: recv.m() or the
// method value recv.m (once.Do(recv.m)).
func (x *Index) ReceiverCallers(named *types.Named) map[string][]*ast.FuncDecl {
	if c, ok := x.callers[named]; ok {
		return c
	}
	if x.callers == nil {
		x.callers = make(map[*types.Named]map[string][]*ast.FuncDecl)
	}
	c := map[string][]*ast.FuncDecl{}
	x.callers[named] = c
	for fn, decl := range x.Decls {
		if decl.Recv == nil || len(decl.Recv.List) == 0 || len(decl.Recv.List[0].Names) == 0 || !IsMethodOfNamed(fn, named) {
			continue
		}
		recv := decl.Recv.List[0].Names[0].Name
		seen := map[string]bool{}
		ast.Inspect(decl.Body, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && !seen[sel.Sel.Name] {
				if id, ok := ast.Unparen(sel.X).(*ast.Ident); ok && id.Name == recv {
					seen[sel.Sel.Name] = true
					c[sel.Sel.Name] = append(c[sel.Sel.Name], decl)
				}
			}
			return true
		})
	}
	return c
}

// UsesOf returns the identifiers that refer to obj (its uses, not its
// declaration; for a generic function or field, the uses of its
// instances too), found in one walk of the package's uses.
//
// One walk, on the first question, indexes the uses of what the rules ask
// about: the package's functions, and its variables and fields of sync
// types (WaitGroup, Cond). Other objects are looked up with a walk each.
func (x *Index) UsesOf(obj types.Object) []*ast.Ident {
	if !indexedUse(x.Pkg, obj) {
		var out []*ast.Ident
		for id, o := range x.Info.Uses {
			if OriginOf(o) == obj {
				out = append(out, id)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Pos() < out[j].Pos() })
		return out
	}
	if x.uses == nil {
		x.uses = make(map[types.Object][]*ast.Ident)
		for id, o := range x.Info.Uses {
			if o := OriginOf(o); indexedUse(x.Pkg, o) {
				x.uses[o] = append(x.uses[o], id)
			}
		}
		for _, ids := range x.uses {
			sort.Slice(ids, func(i, j int) bool { return ids[i].Pos() < ids[j].Pos() })
		}
	}
	return x.uses[obj]
}

// indexedUse tells whether usesOf indexes the uses of obj.
func indexedUse(pkg *types.Package, obj types.Object) bool {
	if obj == nil || obj.Pkg() != pkg {
		return false
	}
	switch o := obj.(type) {
	case *types.Func:
		return true
	case *types.Var:
		return IsNamed(o.Type(), "sync", "WaitGroup") || IsNamed(o.Type(), "sync", "Cond")
	}
	return false
}

func OriginOf(obj types.Object) types.Object {
	switch o := obj.(type) {
	case *types.Func:
		return o.Origin()
	case *types.Var:
		return o.Origin()
	}
	return obj
}

// InterfaceNames reports whether an interface type declared at package
// level names a method called name.
func InterfaceNames(x *Index, name string) bool {
	scope := x.Pkg.Scope()
	for _, n := range scope.Names() {
		tn, ok := scope.Lookup(n).(*types.TypeName)
		if !ok {
			continue
		}
		if it, ok := tn.Type().Underlying().(*types.Interface); ok {
			for i := range it.NumMethods() {
				if it.Method(i).Name() == name {
					return true
				}
			}
		}
	}
	return false
}

// LineStart finds the start of a "file:line" of another package in the
// file set: the driver holds that package's syntax (the standalone
// binary), or a file of its export data that reaches the line (go vet).
// It returns NoPos when neither does.
func LineStart(x *Index, fileLine string) token.Pos {
	i := strings.LastIndexByte(fileLine, ':')
	if i < 0 {
		return token.NoPos
	}
	line, err := strconv.Atoi(fileLine[i+1:])
	if err != nil || line < 1 {
		return token.NoPos
	}
	pos := token.NoPos
	x.Fset.Iterate(func(f *token.File) bool {
		if f.Name() == fileLine[:i] && line <= f.LineCount() {
			pos = f.LineStart(line)
			return false
		}
		return true
	})
	return pos
}

// IsFuncType reports whether t is a function type; nil is not.
func IsFuncType(t types.Type) bool {
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Signature)
	return ok
}

// IsCloseCall reports whether call is the predeclared close(ch).
func IsCloseCall(info *types.Info, call *ast.CallExpr) bool {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	return ok && info.Uses[id] == types.Universe.Lookup("close") && len(call.Args) == 1
}

// IsNilIdent reports whether e is the predeclared nil.
func IsNilIdent(info *types.Info, e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && info.Uses[id] == types.Universe.Lookup("nil")
}

// CaseAround is the innermost select case around n that lies inside
// within (a loop, a range), or nil.
func CaseAround(x *Index, n, within ast.Node) *ast.CommClause {
	for cur := x.CursorOf(n); cur.Valid() && cur.Node() != within; cur = cur.Parent() {
		if cc, ok := cur.Node().(*ast.CommClause); ok {
			return cc
		}
	}
	return nil
}

// EnclosingFunc is the innermost function declaration or literal around
// cur, or nil.
func EnclosingFunc(cur inspector.Cursor) ast.Node {
	for enc := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		return enc.Node()
	}
	return nil
}

func BodyOf(fn ast.Node) *ast.BlockStmt {
	switch fn := fn.(type) {
	case *ast.FuncDecl:
		if fn != nil {
			return fn.Body
		}
	case *ast.FuncLit:
		if fn != nil {
			return fn.Body
		}
	}
	return nil
}

// SoleValue returns the one value a local variable is ever given, or nil
// when it is assigned more than once, has its address taken or is a
// parameter.
func (x *Index) SoleValue(v *types.Var) ast.Expr {
	values, ok := x.ValuesOf(v)
	if !ok || len(values) != 1 {
		return nil
	}
	return values[0]
}

// TupleSource returns the call of `v, err := f()` when that is v's only
// definition in owner, or nil.
func (x *Index) TupleSource(v *types.Var, owner ast.Node) ast.Expr {
	var src ast.Expr
	for _, cur := range x.Mentions(owner, v) {
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

// ValuesOf returns every value a local variable is given, in source order,
// with nil for a declaration without one (the zero value). It fails when
// the variable is a parameter, has its address taken, or is assigned in a
// way whose value is not one expression (a tuple, a range, ++).
func (x *Index) ValuesOf(v *types.Var) ([]ast.Expr, bool) {
	if v.IsField() || v.Parent() == nil || v.Parent() == x.Pkg.Scope() {
		return nil, false
	}
	idCur := x.CursorAt(v.Pos())
	if !idCur.Valid() {
		return nil, false
	}
	owner := EnclosingFunc(idCur)
	if owner == nil {
		return nil, false
	}
	var values []ast.Expr
	for _, cur := range x.Mentions(owner, v) {
		id := cur.Node().(*ast.Ident)
		if IsParamOrResultIdent(cur) {
			return nil, false
		}
		switch p := cur.Parent().Node().(type) {
		case *ast.AssignStmt:
			for i, lhs := range p.Lhs {
				if lhs == id {
					if len(p.Lhs) != len(p.Rhs) {
						return nil, false
					}
					values = append(values, ast.Unparen(p.Rhs[i]))
				}
			}
		case *ast.ValueSpec:
			for i, name := range p.Names {
				if name == id {
					switch len(p.Values) {
					case 0:
						values = append(values, nil)
					case len(p.Names):
						values = append(values, ast.Unparen(p.Values[i]))
					default:
						return nil, false
					}
				}
			}
		case *ast.UnaryExpr:
			if p.Op == token.AND {
				return nil, false
			}
		case *ast.RangeStmt:
			if k, _ := cur.ParentEdge(); k != edge.RangeStmt_X {
				return nil, false // range assigns to it
			}
		case *ast.IncDecStmt:
			return nil, false
		}
	}
	return values, true
}

// ArgumentsOf returns, for a parameter of a function literal that a local
// variable holds (f := func(p T) {...}), the argument given to it at each
// call of the variable. It fails unless the variable holds only that
// literal and is only ever called: a function value that goes elsewhere
// can be called with anything.
func (x *Index) ArgumentsOf(param *types.Var) ([]ast.Expr, bool) {
	paramCur := x.CursorAt(param.Pos())
	if !paramCur.Valid() || !IsParamOrResultIdent(paramCur) {
		return nil, false
	}
	var lit *ast.FuncLit
	for enc := range paramCur.Enclosing((*ast.FuncLit)(nil)) {
		lit = enc.Node().(*ast.FuncLit)
		break
	}
	if lit == nil {
		return nil, false
	}
	sig, ok := x.Info.TypeOf(lit).(*types.Signature)
	if !ok || sig.Variadic() {
		return nil, false
	}
	index := ParamIndex(sig, param)
	if index < 0 {
		return nil, false
	}
	var holder *types.Var
	switch p := x.CursorOf(lit).Parent().Node().(type) {
	case *ast.AssignStmt:
		if len(p.Lhs) == 1 && len(p.Rhs) == 1 {
			if id, ok := p.Lhs[0].(*ast.Ident); ok {
				holder, _ = x.Info.ObjectOf(id).(*types.Var)
			}
		}
	case *ast.ValueSpec:
		if len(p.Names) == 1 && len(p.Values) == 1 {
			holder, _ = x.Info.ObjectOf(p.Names[0]).(*types.Var)
		}
	}
	if holder == nil || x.SoleValue(holder) != lit {
		return nil, false
	}
	holderCur := x.CursorAt(holder.Pos())
	owner := EnclosingFunc(holderCur)
	if owner == nil {
		return nil, false
	}
	var args []ast.Expr
	for _, cur := range x.Mentions(owner, holder) {
		if x.Info.Defs[cur.Node().(*ast.Ident)] != nil {
			continue
		}
		call, ok := cur.Parent().Node().(*ast.CallExpr)
		if k, _ := cur.ParentEdge(); !ok || k != edge.CallExpr_Fun || len(call.Args) != sig.Params().Len() {
			return nil, false
		}
		args = append(args, ast.Unparen(call.Args[index]))
	}
	return args, true
}

// ParamIndex is the index of param among sig's parameters, or -1.
func ParamIndex(sig *types.Signature, param *types.Var) int {
	for i := range sig.Params().Len() {
		if sig.Params().At(i) == param {
			return i
		}
	}
	return -1
}
