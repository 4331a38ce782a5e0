package fix

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/rule"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Sends: a buffer for every send.

// bufferFix gives the channel of a send a buffer as large as all the sends
// on it, so that none can block. It is offered when the channel is made
// once, with make, and every send on it is one its goroutines make in
// their own code, a known number of times, as their last act: a buffered
// send then lets nothing run earlier than it did.
func bufferFix(r *rule.Input, uo useOf) *verdict.Fix {
	f := uo.local.Flow
	if f.Escapes || f.IsNil || f.Defs != 1 || f.Made == nil || f.Capacity < 0 {
		return nil
	}
	total := 0
	var size string
	senders := map[*flow.Spawn]bool{}
	deferred := map[*flow.Spawn][]*ast.FuncLit{} // deferred literals that send
	for i := range f.Uses {
		u := &f.Uses[i]
		if u.Kind != flow.OpSend {
			continue
		}
		if u.Spawn == nil || u.Via != nil || u.InSelect {
			return nil // the owner sends, or a callee or a select does: keep away
		}
		if u.Place.Deferred {
			lit := recoveredLastAct(r.X, u)
			if lit == nil {
				return nil
			}
			if !slices.Contains(deferred[u.Spawn], lit) {
				deferred[u.Spawn] = append(deferred[u.Spawn], lit)
			}
		} else if !lastAct(r.X, u) {
			return nil
		}
		senders[u.Spawn] = true
	}
	if len(senders) == 0 || measured(r.X, f.V, uo.local.Owner) {
		return nil
	}
	counts := rule.NewSendCounts(r, f)
	for s := range senders {
		if s.Lit == nil {
			return nil
		}
		per := rule.SendsPerRun(r, s, counts)
		if len(deferred[s]) > 0 {
			n := flow.CountSends(r.Sum, s.Lit.Body.List, counts.SendNodes)
			per = max(n.Fall, n.Ret, 0)
			for _, lit := range deferred[s] {
				n := flow.CountSends(r.Sum, lit.Body.List, counts.SendNodes)
				per = flow.Sat(per + max(n.Fall, n.Ret, 0)) // it runs once: its defer is a statement of the body
			}
		}
		if per >= flow.Many {
			return nil
		}
		n := rule.Instances(r, s, f.V)
		if n < flow.Many {
			total = flow.Sat(total + per*n)
			continue
		}
		if len(senders) > 1 {
			return nil
		}
		size = rangeLen(r.X, s, f, per)
		if size == "" {
			return nil
		}
	}
	if size == "" {
		if total >= flow.Many || total <= f.Capacity {
			return nil
		}
		size = strconv.Itoa(total)
	}
	e := &editor{}
	if len(f.Made.Args) == 1 {
		e.insert(f.Made.Args[0].End(), ", "+size)
	} else {
		e.replace(f.Made.Args[1].Pos(), f.Made.Args[1].End(), size)
	}
	return e.fix(verdict.FixBuffer, f.V.Name(), size)
}

// measured reports whether the code asks len or cap of the channel: a
// buffer would change the answer.
func measured(x *syntax.Index, v *types.Var, owner ast.Node) bool {
	decl := enclosingFuncDecl(x, owner)
	if decl == nil {
		return true
	}
	for _, cur := range x.Mentions(decl, v) {
		if call, ok := cur.Parent().Node().(*ast.CallExpr); ok {
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
				if b, ok := x.Info.Uses[id].(*types.Builtin); ok && (b.Name() == "len" || b.Name() == "cap") {
					return true
				}
			}
		}
	}
	return false
}

// rangeLen sizes the buffer of a channel that goroutines started in a
// loop send on, when the loop ranges over a variable x (len(x) times) or
// an integer n: per times len(x). x must name at the make the value the
// loop ranges over: declared before it and never assigned again.
func rangeLen(x *syntax.Index, s *flow.Spawn, f *flow.ChanFlow, per int) string {
	var loop *ast.RangeStmt
	for enc := range s.Cur.Enclosing() {
		if enc.Node() == s.Parent {
			break
		}
		switch n := enc.Node().(type) {
		case *ast.ForStmt:
			return ""
		case *ast.RangeStmt:
			if loop != nil {
				return "" // nested loops
			}
			loop = n
		}
	}
	if loop == nil || loop.Pos() < f.Made.End() {
		return ""
	}
	id, ok := ast.Unparen(loop.X).(*ast.Ident)
	if !ok {
		return ""
	}
	v, ok := x.Info.Uses[id].(*types.Var)
	if !ok || v.Pos() > f.Made.Pos() || !neverReassigned(x, v, s.Parent) {
		return ""
	}
	if scope := x.Pkg.Scope().Innermost(f.Made.Pos()); scope == nil {
		return ""
	} else if _, obj := scope.LookupParent(v.Name(), f.Made.Pos()); obj != v {
		return "" // another x at the make
	}
	var n string
	switch t := v.Type().Underlying().(type) {
	case *types.Slice, *types.Map:
		n = "len(" + v.Name() + ")"
	case *types.Basic:
		if t.Info()&types.IsInteger == 0 {
			return "" // a string ranges over runes, not bytes
		}
		n = v.Name()
	default:
		return ""
	}
	if per > 1 {
		n = strconv.Itoa(per) + "*" + n
	}
	return n
}

// neverReassigned reports whether nothing in fn assigns to v, takes its
// address or changes it by ++ or --, besides its declaration.
func neverReassigned(x *syntax.Index, v *types.Var, fn ast.Node) bool {
	decl := enclosingFuncDecl(x, fn)
	if decl == nil {
		return false
	}
	for _, cur := range x.Mentions(decl, v) {
		id := cur.Node().(*ast.Ident)
		if x.Info.Defs[id] == v {
			continue
		}
		switch p := cur.Parent().Node().(type) {
		case *ast.AssignStmt:
			for _, lhs := range p.Lhs {
				if lhs == id {
					return false
				}
			}
		case *ast.UnaryExpr:
			if p.Op == token.AND {
				return false
			}
		case *ast.IncDecStmt:
			return false
		case *ast.RangeStmt:
			if p.Key == id || p.Value == id {
				return false
			}
		}
	}
	return true
}

// enclosingFuncDecl is the declaration that holds fn (fn itself, or the
// one around a literal).
func enclosingFuncDecl(x *syntax.Index, fn ast.Node) ast.Node {
	if d, ok := fn.(*ast.FuncDecl); ok {
		return d
	}
	cur := x.CursorOf(fn)
	if !cur.Valid() {
		return nil
	}
	for enc := range cur.Enclosing((*ast.FuncDecl)(nil)) {
		return enc.Node()
	}
	return nil
}

// lastAct reports whether the send u is the last thing its goroutine
// does: only returns without values, other sends on the same channel, its
// close and wg.Done() follow it, up to the end of the goroutine's literal,
// whose deferred calls are wg.Done(), the close of the channel or the
// unlock of a mutex. A buffer then changes no order another goroutine can
// observe, but that the goroutine's Done and unlock can come before the
// value is received.
func lastAct(x *syntax.Index, u *flow.ChanUse) bool {
	s := u.Spawn
	if s == nil || s.Lit == nil {
		return false
	}
	send, ok := u.Node.(*ast.SendStmt)
	if !ok {
		return false
	}
	ch := syntax.ObjectOf(x, send.Chan)
	for _, stmt := range s.Lit.Body.List {
		if d, ok := stmt.(*ast.DeferStmt); ok && !isDone(x, d.Call) && !isCloseOf(x, d.Call, ch) && !isUnlock(x, d.Call) {
			return false
		}
	}
	return onlyFollowedBy(x, send, s.Lit, func(st ast.Stmt) bool { return inertAfterSend(x, st, ch) })
}

// recoveredLastAct returns the deferred function literal whose send u
// is, when that send is the last thing the goroutine does: the literal
// is deferred by a statement of the goroutine's own body (so it runs at
// most once), it recovers first (no panic goes on after it), only what
// lastAct allows follows the send in it, and the defers registered
// before it, which run after it, are wg.Done(), the channel's close or
// an unlock. Nil otherwise.
func recoveredLastAct(x *syntax.Index, u *flow.ChanUse) *ast.FuncLit {
	s := u.Spawn
	send, ok := u.Node.(*ast.SendStmt)
	if s == nil || s.Lit == nil || !ok {
		return nil
	}
	cur := x.CursorOf(send)
	lit, ok := syntax.EnclosingFunc(cur).(*ast.FuncLit)
	if !cur.Valid() || !ok {
		return nil
	}
	var d *ast.DeferStmt
	for _, st := range s.Lit.Body.List {
		if ds, ok := st.(*ast.DeferStmt); ok && ds.Call.Fun == lit && len(ds.Call.Args) == 0 {
			d = ds
		}
	}
	if d == nil || !recoversFirst(x, lit, send) {
		return nil
	}
	ch := syntax.ObjectOf(x, send.Chan)
	earlier := true
	ast.Inspect(s.Lit.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.BranchStmt:
			earlier = earlier && n.Tok != token.GOTO
		case *ast.DeferStmt:
			if n.Pos() < d.Pos() && !isDone(x, n.Call) && !isCloseOf(x, n.Call, ch) && !isUnlock(x, n.Call) {
				earlier = false
			}
		}
		return earlier
	})
	if !earlier {
		return nil
	}
	if !onlyFollowedBy(x, send, lit, func(st ast.Stmt) bool { return inertAfterSend(x, st, ch) }) {
		return nil
	}
	return lit
}

// recoversFirst reports whether lit calls recover() in a statement of
// its own body before the one that holds send (or in that statement's
// init: if r := recover(); r != nil { ... }).
func recoversFirst(x *syntax.Index, lit *ast.FuncLit, send ast.Node) bool {
	for _, st := range lit.Body.List {
		var probe ast.Node = st
		if st.Pos() <= send.Pos() && send.End() <= st.End() {
			ifs, ok := st.(*ast.IfStmt)
			if !ok || ifs.Init == nil {
				return false
			}
			probe = ifs.Init
		}
		switch probe.(type) {
		case *ast.AssignStmt, *ast.ExprStmt, *ast.DeclStmt:
		default:
			continue
		}
		found := false
		ast.Inspect(probe, func(n ast.Node) bool {
			if _, ok := n.(*ast.FuncLit); ok {
				return false
			}
			if call, ok := n.(*ast.CallExpr); ok {
				if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && x.Info.Uses[id] == types.Universe.Lookup("recover") {
					found = true
				}
			}
			return !found
		})
		if found {
			return true
		}
		if probe != ast.Node(st) {
			return false
		}
	}
	return false
}

// inertAfterSend reports whether stmt, after a goroutine's send, does
// nothing another goroutine can observe: a return without results, another
// send on ch or its close, or wg.Done().
func inertAfterSend(x *syntax.Index, stmt ast.Stmt, ch types.Object) bool {
	switch st := stmt.(type) {
	case *ast.ReturnStmt:
		return len(st.Results) == 0
	case *ast.SendStmt:
		return ch != nil && syntax.ObjectOf(x, st.Chan) == ch
	case *ast.ExprStmt:
		call, ok := ast.Unparen(st.X).(*ast.CallExpr)
		return ok && (isDone(x, call) || isCloseOf(x, call, ch))
	case *ast.EmptyStmt:
		return true
	}
	return false
}

func isDone(x *syntax.Index, call *ast.CallExpr) bool {
	fn := syntax.StaticCallee(x.Info, call)
	return fn != nil && fn.Name() == "Done" && syntax.IsMethodOf(fn, "sync", "WaitGroup")
}

func isUnlock(x *syntax.Index, call *ast.CallExpr) bool {
	fn := syntax.StaticCallee(x.Info, call)
	return fn != nil && (fn.Name() == "Unlock" || fn.Name() == "RUnlock") && (syntax.IsMethodOf(fn, "sync", "Mutex") || syntax.IsMethodOf(fn, "sync", "RWMutex"))
}

func isCloseOf(x *syntax.Index, call *ast.CallExpr, ch types.Object) bool {
	return ch != nil && syntax.IsCloseCall(x.Info, call) && syntax.ObjectOf(x, call.Args[0]) == ch
}
