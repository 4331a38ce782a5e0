package leak

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// A spawn is one place where the package starts a goroutine.
type spawn struct {
	start  ast.Node         // the *ast.GoStmt, or the *ast.CallExpr of wg.Go / g.Go
	call   *ast.CallExpr    // for go statements: the call it runs
	lit    *ast.FuncLit     // the goroutine's body, when it is a function literal
	callee *types.Func      // otherwise the function it runs, when static
	parent ast.Node         // innermost *ast.FuncDecl or *ast.FuncLit around start
	cur    inspector.Cursor // start's cursor
	inLoop bool             // start sits in a loop of parent: many goroutines run this body

	// processLifetime marks goroutines started once per process (from
	// main.main, an init function or a sync.Once), which may run for ever.
	processLifetime bool
}

// body is the goroutine's code when it is in this package, or nil.
func (s *spawn) body(c *checker) *ast.BlockStmt {
	if s.lit != nil {
		return s.lit.Body
	}
	if decl := c.decls[s.callee]; decl != nil {
		return decl.Body
	}
	return nil
}

// findSpawns lists the goroutines started in the package, in source order.
func (c *checker) findSpawns() []*spawn {
	var spawns []*spawn
	c.spawnByNode = make(map[ast.Node]*spawn)
	for cur := range c.root().Preorder((*ast.GoStmt)(nil), (*ast.CallExpr)(nil)) {
		var s *spawn
		switch n := cur.Node().(type) {
		case *ast.GoStmt:
			s = &spawn{start: n, call: n.Call}
			switch fun := ast.Unparen(n.Call.Fun).(type) {
			case *ast.FuncLit:
				s.lit = fun
			default:
				s.callee = staticCallee(c.info, n.Call)
			}
		case *ast.CallExpr:
			if !c.isGoMethod(n) || len(n.Args) != 1 {
				continue
			}
			s = &spawn{start: n}
			switch arg := ast.Unparen(n.Args[0]).(type) {
			case *ast.FuncLit:
				s.lit = arg
			default:
				s.callee = funcValue(c.info, arg)
			}
		}
		s.cur = cur
		c.placeSpawn(s, cur)
		spawns = append(spawns, s)
		if s.lit != nil {
			c.spawnByNode[s.lit] = s
		} else if s.call != nil {
			c.spawnByNode[s.call] = s
		}
	}
	return spawns
}

// placeSpawn fills in what the spawn's surroundings tell.
func (c *checker) placeSpawn(s *spawn, cur inspector.Cursor) {
	for enc := range cur.Enclosing() {
		if enc == cur {
			continue
		}
		switch n := enc.Node().(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			if s.parent == nil {
				s.inLoop = true
			}
		case *ast.FuncLit:
			if s.parent == nil {
				s.parent = n
			}
			if c.isOnceBody(enc) {
				s.processLifetime = true
			}
		case *ast.FuncDecl:
			if s.parent == nil {
				s.parent = n
			}
			if c.isProcessLifetime(n) || c.calledOnceFromMain(n) || c.pass.Pkg.Path() == "runtime" {
				// The runtime's own workers live as long as the process.
				s.processLifetime = true
			}
			return
		}
	}
}

// isGoMethod reports whether call is (*sync.WaitGroup).Go or
// (*errgroup.Group).Go, which start their argument as a goroutine.
func (c *checker) isGoMethod(call *ast.CallExpr) bool {
	fn := staticCallee(c.info, call)
	if fn == nil || fn.Name() != "Go" {
		return false
	}
	return isMethodOf(fn, "sync", "WaitGroup") || isMethodOf(fn, "golang.org/x/sync/errgroup", "Group")
}

// isOnceBody reports whether the function literal at cur is the argument of
// (*sync.Once).Do or sync.OnceFunc: code that runs once per process.
func (c *checker) isOnceBody(cur inspector.Cursor) bool {
	call, ok := cur.Parent().Node().(*ast.CallExpr)
	if !ok {
		return false
	}
	fn := staticCallee(c.info, call)
	if fn == nil {
		return false
	}
	return fn.Name() == "Do" && isMethodOf(fn, "sync", "Once") ||
		isFunc(fn, "sync", "OnceFunc", "OnceValue", "OnceValues")
}

// staticCallee is the generic origin of call's static callee, or nil.
func staticCallee(info *types.Info, call *ast.CallExpr) *types.Func {
	if fn := typeutil.StaticCallee(info, call); fn != nil {
		return fn.Origin()
	}
	return nil
}

// funcValue is the function that a function-valued expression such as
// f or s.run denotes statically, or nil.
func funcValue(info *types.Info, e ast.Expr) *types.Func {
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

// isMethodOf reports whether fn is a method of pkgPath.typeName (or of a
// pointer to it).
func isMethodOf(fn *types.Func, pkgPath, typeName string) bool {
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return false
	}
	return isNamed(sig.Recv().Type(), pkgPath, typeName)
}

// isNamed reports whether t (or *t) is the named type pkgPath.name.
func isNamed(t types.Type, pkgPath, name string) bool {
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

func isFunc(fn *types.Func, pkgPath string, names ...string) bool {
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

func isChan(t types.Type) bool {
	_, ok := t.Underlying().(*types.Chan)
	return ok
}
