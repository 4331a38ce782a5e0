package main

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
)

// kernels is what the bench knows of the corpus from its source: the cases
// and, for the scoring, the shape of the blocking operations.
type kernels struct {
	cases map[string]*kase
	// selectLines maps the line of a select keyword to the lines of its
	// cases: the runtime places a goroutine blocked in a select on the
	// former, the linter may place its report on the latter.
	selectLines map[site][]int
	// rangeLines holds the lines of the range loops over channels: the
	// runtime says "chan receive" for them.
	rangeLines map[site]bool
}

// kase is one case of the corpus, as registered with register("Name", F).
type kase struct {
	name string
	pkg  string // "." for the runtime's own tests, "goker" for the kernels
	file string // where it is registered
	// syncKinds lists the sync types (Mutex, RWMutex, WaitGroup, Cond)
	// whose methods the code reachable from the case's function calls: the
	// linter does not model them, so a channel operation behind them may be
	// out of its reach.
	syncKinds []string
}

// loadKernels type-checks the corpus module at dir and finds its cases.
func loadKernels(dir string) (*kernels, error) {
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo,
		Dir:  dir,
	}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, err
	}
	k := &kernels{cases: map[string]*kase{}, selectLines: map[site][]int{}, rangeLines: map[site]bool{}}
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			return nil, fmt.Errorf("loading the corpus: %w", p.Errors[0])
		}
		if err := k.addPackage(dir, p); err != nil {
			return nil, err
		}
	}
	if len(k.cases) == 0 {
		return nil, fmt.Errorf("no cases registered in %s", dir)
	}
	return k, nil
}

func (k *kernels) addPackage(dir string, p *packages.Package) error {
	info := p.TypesInfo
	rel := func(pos token.Pos) site {
		position := p.Fset.Position(pos)
		r, _ := filepath.Rel(dir, position.Filename)
		return site{filepath.ToSlash(r), position.Line}
	}
	decls := map[*types.Func]*ast.FuncDecl{}
	methods := map[string][]*types.Func{} // concrete methods by name, for calls through interfaces
	type registration struct {
		name string
		fn   ast.Expr
		file string
	}
	var regs []registration
	for _, f := range p.Syntax {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if fn, ok := info.Defs[n.Name].(*types.Func); ok && n.Body != nil {
					decls[fn] = n
					if n.Recv != nil {
						methods[fn.Name()] = append(methods[fn.Name()], fn)
					}
				}
			case *ast.CallExpr:
				// register("Name", F) and registerInit("Name", F), in init.
				id, ok := n.Fun.(*ast.Ident)
				if !ok || (id.Name != "register" && id.Name != "registerInit") || len(n.Args) != 2 {
					break
				}
				lit, ok := n.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					break
				}
				name, err := strconv.Unquote(lit.Value)
				if err == nil {
					regs = append(regs, registration{name, n.Args[1], rel(n.Pos()).file})
				}
			case *ast.SelectStmt:
				var lines []int
				for _, c := range n.Body.List {
					if cc, ok := c.(*ast.CommClause); ok && cc.Comm != nil {
						lines = append(lines, rel(cc.Comm.Pos()).line)
					}
				}
				k.selectLines[rel(n.Select)] = lines
			case *ast.RangeStmt:
				if t := info.TypeOf(n.X); t != nil {
					if _, ok := t.Underlying().(*types.Chan); ok {
						k.rangeLines[rel(n.For)] = true
						// The runtime's line for a range over a channel is
						// that of the range clause, the same line in this
						// corpus; both are kept to be safe.
						k.rangeLines[rel(n.X.Pos())] = true
					}
				}
			}
			return true
		})
	}

	// The corpus module is leakcorpus: its root package and leakcorpus/goker.
	pkgName := strings.TrimPrefix(strings.TrimPrefix(p.PkgPath, "leakcorpus"), "/")
	if pkgName == "" {
		pkgName = "."
	}
	for _, r := range regs {
		if k.cases[r.name] != nil {
			return fmt.Errorf("case %s registered twice", r.name)
		}
		c := &kase{name: r.name, pkg: pkgName, file: r.file}
		c.syncKinds = syncReachable(info, decls, methods, r.fn)
		k.cases[r.name] = c
	}
	return nil
}

// syncReachable returns the sync types whose methods are called by the code
// reachable from root (a function, or a function literal) through calls and
// function values of the same package; a call through an interface reaches
// every method of the package with that name.
func syncReachable(info *types.Info, decls map[*types.Func]*ast.FuncDecl, methods map[string][]*types.Func, root ast.Expr) []string {
	kinds := map[string]bool{}
	seen := map[*types.Func]bool{}
	queue := []ast.Node{root}
	visit := func(fn *types.Func) {
		if d := decls[fn]; d != nil && !seen[fn] {
			seen[fn] = true
			queue = append(queue, d.Body)
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		ast.Inspect(n, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			fn, ok := info.Uses[id].(*types.Func)
			if !ok || fn.Pkg() == nil {
				return true
			}
			sig := fn.Type().(*types.Signature)
			if fn.Pkg().Path() == "sync" && sig.Recv() != nil {
				t := sig.Recv().Type()
				if ptr, ok := t.(*types.Pointer); ok {
					t = ptr.Elem()
				}
				if named, ok := t.(*types.Named); ok {
					switch name := named.Obj().Name(); name {
					case "Mutex", "RWMutex", "WaitGroup", "Cond":
						kinds[name] = true
					}
				}
				return true
			}
			if sig.Recv() != nil && types.IsInterface(sig.Recv().Type()) {
				for _, m := range methods[fn.Name()] {
					visit(m)
				}
				return true
			}
			visit(fn)
			return true
		})
	}
	var out []string
	for kind := range kinds {
		out = append(out, kind)
	}
	sort.Strings(out)
	return out
}

// names returns the case names in order.
func (k *kernels) names() []string {
	var out []string
	for name := range k.cases {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
