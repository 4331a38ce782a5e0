package model

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// The lock model: which sync.Mutex and sync.RWMutex locks a function
// certainly holds at a point. It is built per function, on demand, only
// for the functions where a rule asks about a candidate operation.
//
// A lock is named by the variable it is reached from and the field path to
// it: t.mu is (t, "mu"), an embedded mutex locked as c.Lock() is (c,
// "Mutex"), a local mutex is (mu, ""). The analysis is a must-analysis
// over the function's control-flow graph: a lock is held at a point when
// every path from the entry locks it and none unlocks it since. `defer
// mu.Unlock()` releases nothing before the function returns. A call that
// might release a lock behind our back forgets every lock: a call of a
// function of this package that unlocks (directly or through its own
// calls), a call through a function value or an interface, and a call of
// another package given a pointer into this package's types.

// A heldLock is one lock held at a point.
type HeldLock struct {
	Root types.Object // the variable the lock is reached from
	Path string       // the field path from root to the mutex; "" when root is the mutex
	Read bool         // held by RLock
	At   ast.Node     // the call that took it
}

func (l HeldLock) SameLock(o HeldLock) bool { return l.Root == o.Root && l.Path == o.Path }

// Excludes tells whether one goroutine holding l keeps another from
// taking o, a lock at the same path: both are the same mutex, and one of
// them is held for writing.
func (l HeldLock) Excludes(o HeldLock) bool { return l.Path == o.Path && (!l.Read || !o.Read) }

// Locks holds the per-function results, computed on demand.
type Locks struct {
	x       *syntax.Index
	sum     *flow.Summaries
	funcs   map[lockQuery]*lockStates
	unlocks map[*types.Func]bool // memo of mayUnlockIn
}

// A lockQuery asks, of one function, either which locks are held, or
// (taken) which locks have been taken, whether or not released since.
type lockQuery struct {
	fn    ast.Node
	taken bool
}

func NewLocks(x *syntax.Index, sum *flow.Summaries) *Locks {
	return &Locks{x: x, sum: sum, funcs: map[lockQuery]*lockStates{}, unlocks: map[*types.Func]bool{}}
}

// lockStates is the locks held on entry to each reachable block of a
// function's control-flow graph.
type lockStates struct {
	g       *cfg.CFG
	onEntry map[*cfg.Block][]HeldLock
}

// HeldAt returns the locks certainly held just before the operation at
// (a node of fn's body) runs.
func (lm *Locks) HeldAt(fn ast.Node, at ast.Node) []HeldLock {
	return lm.at(lockQuery{fn: fn}, at)
}

// TakenBefore returns the locks that every path to the operation at (a
// node of fn's body) takes: the goroutine that runs fn must get them
// before it gets there.
func (lm *Locks) TakenBefore(fn ast.Node, at ast.Node) []HeldLock {
	return lm.at(lockQuery{fn: fn, taken: true}, at)
}

func (lm *Locks) at(q lockQuery, at ast.Node) []HeldLock {
	st := lm.states(q)
	if st == nil {
		return nil
	}
	for _, b := range st.g.Blocks {
		held, reached := st.onEntry[b]
		if !reached {
			continue
		}
		for _, n := range b.Nodes {
			if n.Pos() <= at.Pos() && at.End() <= n.End() {
				return lm.transfer(q, held, n, at)
			}
			held = lm.transfer(q, held, n, nil)
		}
	}
	return nil
}

// An exit is a way out of a function: a return statement, or the end of
// its body, with the locks held and taken when it leaves that way.
type exit struct {
	at          ast.Node // the return, or the body for its end
	held, taken []HeldLock
}

// exits lists the ways fn returns normally (calls that do not return, such
// as panic, are no way out here).
func (lm *Locks) exits(fn ast.Node) []exit {
	held, taken := lm.states(lockQuery{fn: fn}), lm.states(lockQuery{fn: fn, taken: true})
	if held == nil || taken == nil {
		return nil
	}
	var out []exit
	for _, b := range held.g.Blocks {
		h, reached := held.onEntry[b]
		t := taken.onEntry[b]
		if !reached || len(b.Succs) > 0 {
			continue
		}
		var at ast.Node = syntax.BodyOf(fn)
		if len(b.Nodes) > 0 {
			last := b.Nodes[len(b.Nodes)-1]
			// The graph ends a body that falls off its end with a return
			// of its own at the closing brace: that one is the body's end.
			if ret, ok := last.(*ast.ReturnStmt); ok && ret.Return != syntax.BodyOf(fn).Rbrace {
				at = last
			} else if call := flow.ExprStmtCall(asStmt(last)); call != nil && !lm.sum.MayReturn(call) {
				continue // panic, os.Exit and the like
			}
		}
		for _, n := range b.Nodes {
			h = lm.transfer(lockQuery{fn: fn}, h, n, nil)
			t = lm.transfer(lockQuery{fn: fn, taken: true}, t, n, nil)
		}
		out = append(out, exit{at: at, held: h, taken: t})
	}
	return out
}

func asStmt(n ast.Node) ast.Stmt {
	s, _ := n.(ast.Stmt)
	return s
}

// states runs the must-analysis over a function's graph, once per query.
// takesLocks reports whether fn's body (or a literal in it) locks a
// mutex at all. Without it every query's answer is empty, and answering
// each by walking the function (as at does) would make the rules that ask
// once per channel operation quadratic in the function's size.
func (lm *Locks) takesLocks(fn ast.Node) bool {
	body := syntax.BodyOf(fn)
	if body == nil {
		return false
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && !found {
			if _, op, ok := lm.LockCall(call); ok && (op == "Lock" || op == "RLock") {
				found = true
			}
		}
		return !found
	})
	return found
}

func (lm *Locks) states(q lockQuery) *lockStates {
	if st, ok := lm.funcs[q]; ok {
		return st
	}
	lm.funcs[q] = nil
	if !lm.takesLocks(q.fn) {
		return nil // nothing is ever held, and the queries cost nothing
	}
	g := lm.x.CfgOf(q.fn, lm.sum.MayReturn)
	if g == nil || len(g.Blocks) == 0 {
		return nil
	}
	st := &lockStates{g: g, onEntry: map[*cfg.Block][]HeldLock{g.Blocks[0]: {}}}
	work := []*cfg.Block{g.Blocks[0]}
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		held := st.onEntry[b]
		for _, n := range b.Nodes {
			held = lm.transfer(q, held, n, nil)
		}
		for _, succ := range b.Succs {
			old, reached := st.onEntry[succ]
			if !reached {
				st.onEntry[succ] = held
				work = append(work, succ)
				continue
			}
			if met := meetLocks(old, held); len(met) < len(old) {
				st.onEntry[succ] = met
				work = append(work, succ)
			}
		}
	}
	lm.funcs[q] = st
	return st
}

// meetLocks keeps the locks held on both paths.
func meetLocks(a, b []HeldLock) []HeldLock {
	var out []HeldLock
	for _, l := range a {
		for _, o := range b {
			if l.SameLock(o) && l.Read == o.Read {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// transfer applies the lock operations of n, in source order, to held.
// With stop, it stops at stop and returns the locks held just before it.
// For a query of the locks taken, nothing is ever released.
func (lm *Locks) transfer(q lockQuery, held []HeldLock, n ast.Node, stop ast.Node) []HeldLock {
	out := append([]HeldLock(nil), held...)
	done := false
	ast.Inspect(n, func(n ast.Node) bool {
		if done || n == nil {
			return false
		}
		if n == stop {
			done = true
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit, *ast.DeferStmt, *ast.GoStmt:
			return false // runs later, or elsewhere
		case *ast.CallExpr:
			l, op, ok := lm.LockCall(n)
			switch {
			case ok && (op == "Lock" || op == "RLock"):
				out = append(removeLock(out, l), l)
			case ok && !q.taken:
				out = removeLock(out, l)
			case !ok && !q.taken && lm.mayUnlock(n):
				out = nil
			}
		}
		return true
	})
	return out
}

func removeLock(held []HeldLock, l HeldLock) []HeldLock {
	out := held[:0]
	for _, h := range held {
		if !h.SameLock(l) {
			out = append(out, h)
		}
	}
	return out
}

// LockCall recognises mu.Lock(), mu.Unlock(), mu.RLock() and mu.RUnlock()
// on a sync.Mutex or sync.RWMutex reached from a variable.
func (lm *Locks) LockCall(call *ast.CallExpr) (HeldLock, string, bool) {
	fn := syntax.StaticCallee(lm.x.Info, call)
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if fn == nil || !ok || fn.Pkg() == nil || fn.Pkg().Path() != "sync" {
		return HeldLock{}, "", false
	}
	switch fn.Name() {
	case "Lock", "Unlock", "RLock", "RUnlock":
	default:
		return HeldLock{}, "", false
	}
	if recv := fn.Signature().Recv(); recv == nil || !syntax.IsNamed(recv.Type(), "sync", "Mutex") && !syntax.IsNamed(recv.Type(), "sync", "RWMutex") {
		return HeldLock{}, "", false
	}
	root, path, ok := lm.fieldPath(sel.X)
	if !ok {
		return HeldLock{}, "", false
	}
	// An embedded mutex: c.Lock() reaches it through implicit fields.
	if s, ok := lm.x.Info.Selections[sel]; ok {
		path = appendImplicit(path, s)
	}
	return HeldLock{Root: root, Path: path, Read: fn.Name() == "RLock" || fn.Name() == "RUnlock", At: call}, fn.Name(), true
}

// fieldPath splits x.f.g into the variable x and the path "f.g".
func (lm *Locks) fieldPath(e ast.Expr) (types.Object, string, bool) {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		v, ok := lm.x.Info.Uses[e].(*types.Var)
		return v, "", ok && v != nil
	case *ast.StarExpr:
		return lm.fieldPath(e.X)
	case *ast.UnaryExpr:
		return lm.fieldPath(e.X) // &x.mu
	case *ast.SelectorExpr:
		s, ok := lm.x.Info.Selections[e]
		if !ok || s.Kind() != types.FieldVal {
			return nil, "", false
		}
		root, path, ok := lm.fieldPath(e.X)
		if !ok {
			return nil, "", false
		}
		return root, joinPath(appendImplicit(path, s), e.Sel.Name), true
	}
	return nil, "", false
}

// appendImplicit adds the embedded fields a selection goes through
// implicitly.
func appendImplicit(path string, s *types.Selection) string {
	idx := s.Index()
	t := s.Recv()
	for _, i := range idx[:len(idx)-1] {
		st, ok := derefStruct(t)
		if !ok {
			return path
		}
		f := st.Field(i)
		path = joinPath(path, f.Name())
		t = f.Type()
	}
	return path
}

func derefStruct(t types.Type) (*types.Struct, bool) {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	return st, ok
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// mayUnlock tells whether a call might release a lock the caller holds.
func (lm *Locks) mayUnlock(call *ast.CallExpr) bool {
	if tv, ok := lm.x.Info.Types[call.Fun]; ok && (tv.IsType() || tv.IsBuiltin()) {
		return false
	}
	fn := syntax.StaticCallee(lm.x.Info, call)
	switch {
	case fn == nil:
		return true // a function value or an interface method: unknown code
	case fn.Pkg() == lm.x.Pkg:
		return lm.mayUnlockIn(fn)
	case fn.Pkg() != nil && fn.Pkg().Path() == "sync":
		return false // Cond.Wait gives the lock back before it returns
	}
	// Another package can reach this package's mutexes only through a
	// pointer it is given.
	args := call.Args
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && fn.Signature().Recv() != nil {
		args = append([]ast.Expr{sel.X}, args...)
	}
	for _, a := range args {
		if p, ok := lm.x.Info.TypeOf(a).(*types.Pointer); ok {
			if n, ok := types.Unalias(p.Elem()).(*types.Named); ok && n.Obj().Pkg() == lm.x.Pkg {
				return true
			}
		}
		if syntax.IsFuncType(lm.x.Info.TypeOf(a)) {
			return true
		}
	}
	return false
}

// mayUnlockIn tells whether fn, a function of this package, or the
// functions it calls might release a lock.
func (lm *Locks) mayUnlockIn(fn *types.Func) bool {
	if v, ok := lm.unlocks[fn]; ok {
		return v
	}
	lm.unlocks[fn] = false // recursion adds nothing
	decl := lm.x.Decls[fn]
	if decl == nil || decl.Body == nil {
		lm.unlocks[fn] = true
		return true
	}
	root := lm.x.CursorOf(decl.Body)
	unlocks := !root.Valid()
	root.Inspect([]ast.Node{(*ast.CallExpr)(nil), (*ast.GoStmt)(nil)}, func(cur inspector.Cursor) bool {
		if unlocks {
			return false
		}
		call, ok := cur.Node().(*ast.CallExpr)
		if !ok {
			return false // a goroutine of its own
		}
		if _, op, ok := lm.LockCall(call); ok {
			unlocks = op == "Unlock" || op == "RUnlock"
			return true
		}
		unlocks = lm.mayUnlock(call)
		return true
	})
	lm.unlocks[fn] = unlocks
	return unlocks
}
