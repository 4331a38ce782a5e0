package fix

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/rule"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// editor gathers the edits of one fix; insertions at one position are
// joined in the order they are made.
type editor struct {
	edits []analysis.TextEdit
}

func (e *editor) insert(at token.Pos, text string) { e.replace(at, at, text) }

func (e *editor) replace(pos, end token.Pos, text string) {
	for i := range e.edits {
		if ed := &e.edits[i]; ed.Pos == pos && ed.End == pos && pos == end {
			ed.NewText = append(ed.NewText, text...)
			return
		}
	}
	e.edits = append(e.edits, analysis.TextEdit{Pos: pos, End: end, NewText: []byte(text)})
}

func (e *editor) fix(kind verdict.FixKind, subject, detail string) *verdict.Fix {
	if len(e.edits) == 0 {
		return nil
	}
	sort.SliceStable(e.edits, func(i, j int) bool { return e.edits[i].Pos < e.edits[j].Pos })
	return &verdict.Fix{Kind: kind, Subject: subject, Detail: detail, Edits: e.edits}
}

// addFixes attaches to each verdict the fixes that are certainly safe.
func AddFixes(r *rule.Input, verdicts []verdict.Verdict) {
	var uses map[ast.Node]useOf
	buffers := map[*flow.ChanFlow]*verdict.Fix{} // one buffer fix serves every send on a channel
	for i := range verdicts {
		v := &verdicts[i]
		if generated(r.X, v.At) {
			continue
		}
		switch why := v.Why.(type) {
		case verdict.EndlessLoop:
			if why.Ctx != nil {
				v.Fixes = appendFix(v.Fixes, loopFix(r.X, v.Spawn, why.Loop, why.Ctx, why.Via))
			}
		case verdict.ContractDropped:
			v.Fixes = appendFix(v.Fixes, releaseFix(r.X, v.At, why))
		case verdict.ContractDiscarded:
			v.Fixes = appendFix(v.Fixes, discardedFix(r.X, v.At, why))
		case verdict.NeverClosed:
			if uses == nil {
				uses = localUses(r)
			}
			if uo, ok := uses[v.At]; ok && uo.use.Kind == flow.OpRange && waitsOnNothing(r.X, uo.local.Owner, uo.local.Flow.V) {
				v.Fixes = appendFix(v.Fixes, closeFix(r.X, uo.local.Owner, uo.local.Flow, true))
			}
		case verdict.NoPartner:
			if uses == nil {
				uses = localUses(r)
			}
			if uo, ok := uses[v.At]; ok && uo.use.Kind.Receives() {
				v.Fixes = appendFix(v.Fixes, calleeCloseFix(r, uo))
			}
		case verdict.AfterShutdown:
			v.Fixes = appendFix(v.Fixes, shutdownSelectFix(r, v.At, why))
		case verdict.Overfilled:
			v.Fixes = appendFix(v.Fixes, enlargeFix(r, why))
			continue
		case verdict.SkippedRelease, verdict.Abandoned:
			if uses == nil {
				uses = localUses(r)
			}
			uo, ok := uses[v.At]
			if !ok {
				continue
			}
			switch {
			case uo.use.Kind.Receives() && v.Spawn != nil && v.Spawn.Lit != nil && isSkipped(why):
				v.Fixes = appendFix(v.Fixes, deferCloseFix(r.X, v.Spawn.Lit, uo.local.Flow))
			case uo.use.Kind.Receives():
				v.Fixes = appendFix(v.Fixes, deferCloseFix(r.X, uo.local.Owner, uo.local.Flow))
			}
		}
		if v.Pattern != pattern.UnreadSend && v.Pattern != pattern.TestFailure {
			continue
		}
		if uses == nil {
			uses = localUses(r)
		}
		uo, ok := uses[v.At]
		if !ok || uo.use.Kind != flow.OpSend {
			continue
		}
		f, done := buffers[uo.local.Flow]
		if !done {
			f = bufferFix(r, uo)
			buffers[uo.local.Flow] = f
		}
		v.Fixes = appendFix(v.Fixes, f)
		v.Fixes = appendFix(v.Fixes, sendSelectFix(r, uo, v.Why))
	}
}

func isSkipped(why verdict.Reason) bool {
	_, ok := why.(verdict.SkippedRelease)
	return ok
}

func appendFix(fixes []*verdict.Fix, f *verdict.Fix) []*verdict.Fix {
	if f == nil {
		return fixes
	}
	return append(fixes, f)
}

// generated reports whether n is in a file whose positions are mapped by
// //line directives (cgo's output, generated code): the fix's offsets
// would not be those of the file the user edits.
func generated(x *syntax.Index, n ast.Node) bool {
	return x.Fset.PositionFor(n.Pos(), false).Filename != x.Fset.PositionFor(n.Pos(), true).Filename
}

// nextLine is where the line after the one n ends on starts: new
// statements go there, after any comment that ends n's line.
func nextLine(x *syntax.Index, n ast.Node) token.Pos {
	tf := x.Fset.File(n.End())
	if tf == nil {
		return n.End()
	}
	line := tf.Line(n.End())
	if line >= tf.LineCount() {
		return n.End()
	}
	return tf.LineStart(line + 1)
}

// remove deletes stmt, with its line when it is alone on it.
func remove(x *syntax.Index, e *editor, stmt ast.Stmt) {
	tf := x.Fset.File(stmt.Pos())
	line := tf.Line(stmt.Pos())
	alone := tf.Line(stmt.End()) == line && line < tf.LineCount()
	cur := x.CursorOf(stmt)
	for _, sib := range []ast.Node{prevSibling(cur), nextSibling(cur)} {
		if sib != nil && (tf.Line(sib.End()) == line || tf.Line(sib.Pos()) == line) {
			alone = false
		}
	}
	for _, f := range x.Files {
		if f.FileStart > stmt.Pos() || stmt.Pos() >= f.FileEnd {
			continue
		}
		for _, cg := range f.Comments {
			if tf.Line(cg.Pos()) <= line && line <= tf.Line(cg.End()) {
				alone = false // keep the comment
			}
		}
	}
	if alone {
		e.replace(tf.LineStart(line), tf.LineStart(line+1), "")
		return
	}
	e.replace(stmt.Pos(), stmt.End(), "")
}

func prevSibling(cur inspector.Cursor) ast.Node {
	if p, ok := cur.PrevSibling(); ok {
		return p.Node()
	}
	return nil
}

func nextSibling(cur inspector.Cursor) ast.Node {
	if n, ok := cur.NextSibling(); ok {
		return n.Node()
	}
	return nil
}

// A useOf is a use of a local channel, with the channel and its owner.
type useOf struct {
	use   *flow.ChanUse
	local model.LocalChan
}

// localUses indexes the uses of local channels by node.
func localUses(r *rule.Input) map[ast.Node]useOf {
	out := map[ast.Node]useOf{}
	for _, l := range r.M.Locals {
		for i := range l.Flow.Uses {
			u := &l.Flow.Uses[i]
			out[u.Node] = useOf{u, l}
		}
	}
	return out
}

// ---- sends: a buffer for every send ----

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

// ---- sends: a select on the context ----

// sendSelectFix turns a goroutine's send into a select that also returns
// once a context is cancelled, when the path that abandons the goroutine
// certainly cancels it: it is taken on that context's Done(), or the
// context is derived in the abandoning function, which defers its cancel.
func sendSelectFix(r *rule.Input, uo useOf, why verdict.Reason) *verdict.Fix {
	u := uo.use
	send, ok := u.Node.(*ast.SendStmt)
	if !ok || u.Via != nil || u.Spawn == nil || u.Spawn.Lit == nil || u.InSelect {
		return nil
	}
	if !isStatement(r.X, send) || syntax.EnclosingFunc(r.X.CursorOf(send)) != u.Spawn.Lit {
		return nil // in a deferred literal, say: its return is not the goroutine's
	}
	ctx := syntax.ContextInScope(r.X, send.Pos())
	if ctx == nil || !cancelledOnAbandon(r.X, ctx, uo.local.Owner, why) {
		return doneSelectFix(r, send, u.Spawn, why)
	}
	ret, ok := returnOnCancel(r.X, u.Spawn.Lit, ctx.Name())
	if !ok {
		return nil
	}
	e := &editor{}
	e.insert(send.Pos(), "select {\ncase ")
	e.insert(send.End(), ":\ncase <-"+ctx.Name()+".Done():\n"+ret+"\n}")
	return e.fix(verdict.FixSendSelect, ctx.Name(), "")
}

// doneSelectFix is sendSelectFix for a done channel instead of a context:
// the path that abandons the goroutine is the case that receives from a
// local channel that nothing sends on and something closes, so once that
// case is taken the channel is closed for good, and a select case on it
// lets the goroutine return. Offered only for a goroutine that returns
// nothing, where the channel is in scope.
func doneSelectFix(r *rule.Input, send *ast.SendStmt, s *flow.Spawn, why verdict.Reason) *verdict.Fix {
	ab, ok := why.(verdict.Abandoned)
	if !ok || ab.Path == nil || ab.Path.Choice == nil {
		return nil
	}
	ch, isSend := syntax.CommChannel(ab.Path.Choice)
	id, ok := ast.Unparen(ch).(*ast.Ident)
	if ch == nil || isSend || !ok {
		return nil
	}
	done, ok := r.X.Info.Uses[id].(*types.Var)
	f := r.M.ByVar[done]
	if !ok || f == nil || f.Escapes || f.Defs != 1 || f.Count(func(u *flow.ChanUse) bool { return u.Kind == flow.OpClose }) == 0 ||
		f.Count(func(u *flow.ChanUse) bool { return u.Kind == flow.OpSend }) > 0 {
		return nil
	}
	if _, obj := r.X.Pkg.Scope().Innermost(send.Pos()).LookupParent(done.Name(), send.Pos()); obj != done {
		return nil // not in scope at the send, or shadowed
	}
	if sig, _ := r.X.Info.TypeOf(s.Lit).(*types.Signature); sig == nil || sig.Results().Len() != 0 {
		return nil
	}
	e := &editor{}
	e.insert(send.Pos(), "select {\ncase ")
	e.insert(send.End(), ":\ncase <-"+done.Name()+":\nreturn\n}")
	return e.fix(verdict.FixShutdownSelect, done.Name(), "")
}

// isStatement reports whether n is a statement of a block or a case.
func isStatement(x *syntax.Index, n ast.Stmt) bool {
	cur := x.CursorOf(n)
	if !cur.Valid() {
		return false
	}
	switch cur.Parent().Node().(type) {
	case *ast.BlockStmt, *ast.CaseClause:
		return true
	}
	return false
}

// cancelledOnAbandon reports whether ctx is cancelled whenever owner
// abandons the goroutine: owner derives ctx and defers its cancel, or the
// abandoning path is the case that receives from ctx.Done().
func cancelledOnAbandon(x *syntax.Index, ctx *types.Var, owner ast.Node, why verdict.Reason) bool {
	if ab, ok := why.(verdict.Abandoned); ok && ab.Path != nil && ab.Path.Choice != nil {
		if ch, send := syntax.CommChannel(ab.Path.Choice); ch != nil && !send {
			if call, ok := ast.Unparen(ch).(*ast.CallExpr); ok {
				if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Done" && syntax.ObjectOf(x, sel.X) == ctx {
					return true
				}
			}
		}
	}
	return derivedWithDeferredCancel(x, ctx, owner)
}

// derivedWithDeferredCancel recognises, in owner's body,
//
//	ctx, cancel := context.WithCancel(parent) // or WithTimeout, WithDeadline
//	defer cancel()
func derivedWithDeferredCancel(x *syntax.Index, ctx *types.Var, owner ast.Node) bool {
	body := syntax.BodyOf(owner)
	if body == nil {
		return false
	}
	var cancel types.Object
	for _, stmt := range body.List {
		switch st := stmt.(type) {
		case *ast.AssignStmt:
			if len(st.Lhs) != 2 || len(st.Rhs) != 1 {
				continue
			}
			call, ok := ast.Unparen(st.Rhs[0]).(*ast.CallExpr)
			if !ok || !syntax.IsFunc(syntax.StaticCallee(x.Info, call), "context", "WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause") {
				continue
			}
			if id, ok := st.Lhs[0].(*ast.Ident); ok && x.Info.ObjectOf(id) == ctx {
				if c, ok := st.Lhs[1].(*ast.Ident); ok {
					cancel = x.Info.ObjectOf(c)
				}
			}
		case *ast.DeferStmt:
			if id, ok := ast.Unparen(st.Call.Fun).(*ast.Ident); ok && cancel != nil && x.Info.Uses[id] == cancel {
				return x.SoleValue(ctx) != nil
			}
		}
	}
	return false
}

// returnOnCancel is the statement that leaves fn once ctx is cancelled:
// return, or return ctx.Err() when fn returns just an error.
func returnOnCancel(x *syntax.Index, fn ast.Node, ctx string) (string, bool) {
	var sig *types.Signature
	switch fn := fn.(type) {
	case *ast.FuncLit:
		sig, _ = x.Info.TypeOf(fn).(*types.Signature)
	case *ast.FuncDecl:
		if obj, ok := x.Info.Defs[fn.Name].(*types.Func); ok {
			sig = obj.Type().(*types.Signature)
		}
	}
	switch {
	case sig == nil:
		return "", false
	case sig.Results().Len() == 0:
		return "return", true
	case sig.Results().Len() == 1 && types.Identical(sig.Results().At(0).Type(), types.Universe.Lookup("error").Type()):
		return "return " + ctx + ".Err()", true
	}
	return "", false
}

// ---- waits that only a close releases: defer close(ch) ----

// deferCloseFix makes fn, which holds every close of the channel that the
// operation at op waits on, close it with defer, so that its early returns
// close it too. Offered when each close is a statement of fn's own code
// followed only by returns, nothing else sends on the channel after fn
// returns, and every receive either ranges, discards the value or tests
// it with comma-ok: a close then wakes nothing that would take a zero
// value for one sent.
func deferCloseFix(x *syntax.Index, fn ast.Node, f *flow.ChanFlow) *verdict.Fix {
	return closeFix(x, fn, f, false)
}

// closeFix is deferCloseFix; with unclosed, for a channel nothing closes
// yet, whose every send fn's own code makes (a range over it then ends
// once fn has returned, when no send can follow).
func closeFix(x *syntax.Index, fn ast.Node, f *flow.ChanFlow, unclosed bool) *verdict.Fix {
	body := syntax.BodyOf(fn)
	if body == nil || f.Escapes || f.Defs != 1 {
		return nil
	}
	channel := f.V.Name()
	var closes []*ast.ExprStmt
	for i := range f.Uses {
		u := &f.Uses[i]
		switch {
		case u.Kind == flow.OpClose:
			if u.Via != nil || u.Place.Owner != fn || u.Place.Deferred {
				return nil
			}
			cur := x.CursorOf(u.Node)
			st, ok := cur.Parent().Node().(*ast.ExprStmt)
			if !cur.Valid() || !ok || !followedByReturns(x, st, fn) {
				return nil
			}
			closes = append(closes, st)
		case u.Kind == flow.OpSend:
			if u.Via != nil || u.Place.Owner != fn {
				return nil // another goroutine sends: it would panic on the closed channel
			}
		case u.Kind.Receives():
			if !closeSafeReceive(x, u) {
				return nil
			}
		}
	}
	if len(closes) == 0 && !unclosed || len(closes) > 0 && unclosed {
		return nil
	}
	e := &editor{}
	at := body.Lbrace + 1
	if decl := declStmt(x, f.V, body); decl != nil {
		if f.Made == nil || f.Made.Pos() < decl.Pos() || f.Made.End() > decl.End() {
			return nil // var ch chan T, made later: the defer would close nil
		}
		at = nextLine(x, decl) // the owner: after the channel is made
	} else if f.V.Pos() > fn.Pos() && f.V.Pos() < fn.End() || unclosed || f.Made == nil || f.Made.Pos() > fn.Pos() {
		return nil
	}
	if at == body.Lbrace+1 {
		e.insert(at, "\ndefer close("+channel+")")
	} else {
		e.insert(at, "defer close("+channel+")\n")
	}
	for _, st := range closes {
		remove(x, e, st)
	}
	return e.fix(verdict.FixDeferClose, channel, "")
}

// declStmt is the statement of body itself that declares v, or nil.
func declStmt(x *syntax.Index, v *types.Var, body *ast.BlockStmt) ast.Stmt {
	for _, st := range body.List {
		if st.Pos() <= v.Pos() && v.Pos() < st.End() {
			switch st.(type) {
			case *ast.AssignStmt, *ast.DeclStmt:
				return st
			}
			return nil
		}
	}
	return nil
}

// followedByReturns reports whether only returns whose results are names
// or constants follow stmt up to the end of fn, in every enclosing block.
func followedByReturns(x *syntax.Index, stmt ast.Stmt, fn ast.Node) bool {
	return onlyFollowedBy(x, stmt, fn, func(st ast.Stmt) bool {
		ret, ok := st.(*ast.ReturnStmt)
		if !ok {
			return false
		}
		for _, res := range ret.Results {
			switch ast.Unparen(res).(type) {
			case *ast.Ident, *ast.BasicLit:
			default:
				return false
			}
		}
		return true
	})
}

// onlyFollowedBy reports whether every statement that follows stmt, in
// each block around it up to fn's body, satisfies ok, up to a return
// (which ok accepts); false when, before one, a loop or a nested function
// lies between them.
func onlyFollowedBy(x *syntax.Index, stmt ast.Stmt, fn ast.Node, ok func(ast.Stmt) bool) bool {
	cur := x.CursorOf(stmt)
	if !cur.Valid() {
		return false
	}
	var inner ast.Node = stmt
	for enc := range cur.Enclosing() {
		n := enc.Node()
		if n == stmt {
			continue
		}
		if n == fn {
			return true
		}
		var list []ast.Stmt
		switch b := n.(type) {
		case *ast.BlockStmt:
			list = b.List
		case *ast.CaseClause:
			list = b.Body
		case *ast.CommClause:
			list = b.Body
		case *ast.IfStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt, *ast.LabeledStmt:
			inner = n
			continue
		default:
			return false
		}
		after := false
		for _, st := range list {
			if !after {
				after = st == inner
				continue
			}
			if !ok(st) {
				return false
			}
			if _, ret := st.(*ast.ReturnStmt); ret {
				return true // nothing after it runs: loops around do not matter
			}
		}
		inner = n
	}
	return false
}

// closeSafeReceive reports whether a close wakes the receive u without
// handing it a value it would take for one sent: it ranges, discards the
// value, or tests it with comma-ok.
func closeSafeReceive(x *syntax.Index, u *flow.ChanUse) bool {
	if u.Kind == flow.OpRange {
		return true
	}
	if u.Via != nil {
		return false
	}
	cur := x.CursorOf(u.Node)
	if !cur.Valid() {
		return false
	}
	switch p := cur.Parent().Node().(type) {
	case *ast.ExprStmt:
		return true
	case *ast.AssignStmt:
		return len(p.Lhs) == 2
	}
	return false
}

// ---- loops that ignore their context ----

// loopFix makes an endless loop that ignores ctx return once ctx is
// cancelled. Each operation of the loop that blocks on a channel becomes,
// or gains, a select case on ctx.Done(); a loop that blocks nowhere gets a
// non-blocking check at its top; a range over a ticker's channel becomes
// a loop around such a select. Offered for a loop in the goroutine's own
// function, which returns nothing or an error, when ctx may be cancelled
// and every blocking operation is a statement of the loop's body.
func loopFix(x *syntax.Index, s *flow.Spawn, loop ast.Stmt, ctx *types.Var, via *ast.CallExpr) *verdict.Fix {
	if s == nil || via != nil || neverCancelledVar(x, ctx) {
		return nil
	}
	fn := s.Fn
	cur := x.CursorOf(loop)
	if fn == nil || !cur.Valid() || syntax.EnclosingFunc(cur) != fn {
		return nil
	}
	ret, ok := returnOnCancel(x, fn, ctx.Name())
	if !ok {
		return nil
	}
	done := "case <-" + ctx.Name() + ".Done():\n" + ret + "\n"
	e := &editor{}
	switch l := loop.(type) {
	case *ast.ForStmt:
		if l.Cond != nil || !selectOnBlocking(x, e, l.Body, done) {
			return nil
		}
		if len(e.edits) == 0 {
			check := "select {\n" + done + "default:\n}\n"
			if len(l.Body.List) > 0 {
				e.insert(l.Body.List[0].Pos(), check)
			} else {
				e.insert(l.Body.Rbrace, "\n"+check)
			}
		}
	case *ast.RangeStmt:
		if !tickerRange(x, e, s, l, done) || !selectOnBlocking(x, e, l.Body, done) {
			return nil
		}
	default:
		return nil
	}
	return e.fix(verdict.FixLoopContext, ctx.Name(), "")
}

// neverDone reports whether ctx's only value is context.Background() or
// TODO(): a select on it would wait for nothing.
func neverCancelledVar(x *syntax.Index, ctx *types.Var) bool {
	call, ok := x.SoleValue(ctx).(*ast.CallExpr)
	return ok && syntax.IsFunc(syntax.StaticCallee(x.Info, call), "context", "Background", "TODO")
}

// selectOnBlocking adds the case done to each operation of the loop body
// that blocks on a channel: a send or receive statement becomes a select
// (a receive that declares variables takes the rest of the body into its
// case), a select without default gains the case. It reports false when
// an operation blocks where no case can be added: inside an expression, a
// nested statement or a callee's code given a channel.
func selectOnBlocking(x *syntax.Index, e *editor, body *ast.BlockStmt, done string) bool {
	for _, stmt := range body.List {
		if sel, ok := stmt.(*ast.SelectStmt); ok {
			if len(sel.Body.List) == 0 {
				return false
			}
			if !hasDefault(sel) {
				e.insert(sel.Body.List[0].Pos(), done)
			}
			for _, cc := range sel.Body.List {
				for _, st := range cc.(*ast.CommClause).Body {
					if blocksOnChannel(x, st) {
						return false
					}
				}
			}
			continue
		}
		if _, isGoto := stmt.(*ast.BranchStmt); isGoto && stmt.(*ast.BranchStmt).Tok == token.GOTO {
			return false
		}
		switch kind := channelStmt(x, stmt); kind {
		case "send", "recv":
			e.insert(stmt.Pos(), "select {\ncase ")
			e.insert(stmt.End(), ":\n"+done+"}")
		case "define":
			e.insert(stmt.Pos(), "select {\n"+done+"case ")
			e.insert(stmt.End(), ":")
			e.insert(body.Rbrace, "}\n")
		default:
			if blocksOnChannel(x, stmt) {
				return false
			}
		}
	}
	return true
}

func hasDefault(sel *ast.SelectStmt) bool {
	for _, cc := range sel.Body.List {
		if cc.(*ast.CommClause).Comm == nil {
			return true
		}
	}
	return false
}

// channelStmt classifies a statement that is one channel operation:
// "send" (ch <- v), "recv" (<-ch, or v = <-ch), "define" (v := <-ch,
// v, ok := <-ch), or "".
func channelStmt(x *syntax.Index, stmt ast.Stmt) string {
	switch st := stmt.(type) {
	case *ast.SendStmt:
		if !blocksOnChannel(x, st.Value) && !blocksOnChannel(x, st.Chan) {
			return "send"
		}
	case *ast.ExprStmt:
		if u, ok := ast.Unparen(st.X).(*ast.UnaryExpr); ok && u.Op == token.ARROW && !blocksOnChannel(x, u.X) {
			return "recv"
		}
	case *ast.AssignStmt:
		if len(st.Rhs) != 1 {
			return ""
		}
		u, ok := ast.Unparen(st.Rhs[0]).(*ast.UnaryExpr)
		if !ok || u.Op != token.ARROW || blocksOnChannel(x, u.X) {
			return ""
		}
		for _, lhs := range st.Lhs {
			if blocksOnChannel(x, lhs) {
				return ""
			}
		}
		switch st.Tok {
		case token.DEFINE:
			return "define"
		case token.ASSIGN:
			return "recv"
		}
	}
	return ""
}

// blocksOnChannel reports whether n may block on a channel: a send, a
// receive, a range over a channel, a select without default, a call
// given a channel, wg.Wait() or cond.Wait(), or a goto (which the fix's
// new blocks could break).
// Function literals not called there and go statements do not count.
func blocksOnChannel(x *syntax.Index, n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit, *ast.GoStmt:
			return false
		case *ast.SendStmt:
			found = true
		case *ast.UnaryExpr:
			found = found || n.Op == token.ARROW
		case *ast.RangeStmt:
			found = found || syntax.IsChan(x.Info.TypeOf(n.X))
		case *ast.SelectStmt:
			found = found || !hasDefault(n)
		case *ast.BranchStmt:
			found = found || n.Tok == token.GOTO
		case *ast.CallExpr:
			for _, arg := range n.Args {
				found = found || syntax.IsChan(x.Info.TypeOf(arg))
			}
			if fn := syntax.StaticCallee(x.Info, n); fn != nil && fn.Name() == "Wait" && (syntax.IsMethodOf(fn, "sync", "WaitGroup") || syntax.IsMethodOf(fn, "sync", "Cond")) {
				found = true // a wait that a select cannot wake
			}
			if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok {
				found = found || syntax.IsChan(x.Info.TypeOf(sel.X))
			}
		}
		return !found
	})
	return found
}

// tickerRange turns `for v := range t.C` or `for range time.Tick(d)` into
// `for { select { case <-ctx.Done(): ...; case v := <-t.C: ... } }`: the
// body moves into the ticker's case. For time.Tick, a ticker is made
// before the loop and stopped when the function returns; a ticker the
// function makes and never stops is stopped too.
func tickerRange(x *syntax.Index, e *editor, s *flow.Spawn, l *ast.RangeStmt, done string) bool {
	if l.Value != nil || l.Tok == token.ASSIGN {
		return false
	}
	recv := "<-"
	if id, ok := l.Key.(*ast.Ident); ok && id.Name != "_" {
		recv = id.Name + " := <-"
	}
	head := "for {\nselect {\n" + done + "case " + recv
	switch ch := ast.Unparen(l.X).(type) {
	case *ast.CallExpr: // time.Tick(d)
		sel, ok := ast.Unparen(ch.Fun).(*ast.SelectorExpr)
		pkg, ok2 := sel.X.(*ast.Ident)
		if !ok || !ok2 || len(ch.Args) != 1 || !syntax.IsFunc(syntax.StaticCallee(x.Info, ch), "time", "Tick") {
			return false
		}
		name := freshName(x, l.Pos(), "ticker")
		if name == "" {
			return false
		}
		e.replace(l.Pos(), ch.Args[0].Pos(), name+" := "+pkg.Name+".NewTicker(")
		e.replace(ch.Args[0].End(), ch.End(), ")\ndefer "+name+".Stop()\n"+head+name+".C")
	case *ast.SelectorExpr: // t.C
		if ch.Sel.Name != "C" || !syntax.IsNamed(x.Info.TypeOf(ch.X), "time", "Ticker") && !syntax.IsNamed(x.Info.TypeOf(ch.X), "time", "Timer") {
			return false
		}
		e.replace(l.Pos(), ch.Pos(), head)
		if id, ok := ch.X.(*ast.Ident); ok {
			stopTicker(x, e, s, id)
		}
	default:
		return false
	}
	e.replace(l.X.End(), l.Body.Lbrace+1, ":")
	e.insert(l.Body.Rbrace, "}\n")
	return true
}

// stopTicker defers t.Stop() after `t := time.NewTicker(d)` in the
// goroutine's function, when nothing there stops t.
func stopTicker(x *syntax.Index, e *editor, s *flow.Spawn, id *ast.Ident) {
	t, ok := x.Info.Uses[id].(*types.Var)
	if !ok {
		return
	}
	call, ok := x.SoleValue(t).(*ast.CallExpr)
	if !ok || !syntax.IsFunc(syntax.StaticCallee(x.Info, call), "time", "NewTicker") || s.Body == nil {
		return
	}
	if call.Pos() < s.Body.Pos() || call.End() > s.Body.End() {
		return // made outside the goroutine
	}
	for _, st := range s.Body.List {
		if as, ok := st.(*ast.AssignStmt); ok && len(as.Rhs) == 1 && as.Rhs[0] == call {
			for _, m := range x.Mentions(s.Body, t) {
				if sel, ok := m.Parent().Node().(*ast.SelectorExpr); ok && sel.Sel.Name == "Stop" {
					return
				}
			}
			e.insert(nextLine(x, as), "defer "+t.Name()+".Stop()\n")
			return
		}
	}
}

// freshName is name, or name2, name3..., whichever nothing in scope at pos
// (or declared later in its scope) is called.
func freshName(x *syntax.Index, pos token.Pos, name string) string {
	scope := x.Pkg.Scope().Innermost(pos)
	if scope == nil {
		return ""
	}
	for i := 1; i < 10; i++ {
		n := name
		if i > 1 {
			n += strconv.Itoa(i)
		}
		if _, obj := scope.LookupParent(n, token.NoPos); obj == nil {
			return n
		}
	}
	return ""
}

// ---- lifecycle contracts: defer the release ----

// releaseFix defers the release method right after the statement that
// makes the object (w := New(...)) or starts it (w.Start()), when that
// statement is in the function's own block, outside loops, and the
// method takes no arguments.
func releaseFix(x *syntax.Index, call ast.Node, why verdict.ContractDropped) *verdict.Fix {
	method := ""
	for _, m := range why.Methods {
		if releaseTakesNothing(x, why.Object, m) {
			method = m
			break
		}
	}
	body := syntax.BodyOf(why.Owner)
	if method == "" || body == nil {
		return nil
	}
	for _, m := range x.Mentions(why.Owner, why.Object) {
		if syntax.EnclosingFunc(m) != why.Owner {
			return nil // a function literal uses it, perhaps after the owner returns
		}
	}
	cur := x.CursorOf(call)
	if !cur.Valid() {
		return nil
	}
	stmt, ok := cur.Parent().Node().(ast.Stmt)
	if !ok {
		return nil
	}
	if as, ok := stmt.(*ast.AssignStmt); ok && len(as.Lhs) != 1 {
		return nil // w, err := New(): w may be nil where err is not
	}
	if _, ok := stmt.(*ast.ExprStmt); !ok && why.Method {
		return nil
	}
	for _, st := range body.List {
		if st == stmt {
			e := &editor{}
			e.insert(nextLine(x, stmt), "defer "+why.Object.Name()+"."+method+"()\n")
			return e.fix(verdict.FixDeferRelease, why.Object.Name(), method)
		}
	}
	return nil // in a nested block or a loop
}

// discardedFix defers the release of a starter's discarded result:
// `New(...)` becomes `defer New(...).Close()`, which makes the object at
// once and releases it when the function returns. Offered for a call that
// is a statement of its function's own block, outside loops.
func discardedFix(x *syntax.Index, at ast.Node, why verdict.ContractDiscarded) *verdict.Fix {
	call, ok := at.(*ast.CallExpr)
	if !ok {
		return nil
	}
	cur := x.CursorOf(call)
	if !cur.Valid() {
		return nil
	}
	stmt, ok := cur.Parent().Node().(*ast.ExprStmt)
	if !ok {
		return nil
	}
	body := syntax.BodyOf(syntax.EnclosingFunc(cur))
	if body == nil || !slices.Contains(body.List, ast.Stmt(stmt)) {
		return nil
	}
	t := x.Info.TypeOf(call)
	if t == nil {
		return nil
	}
	obj := types.NewVar(token.NoPos, x.Pkg, "", t)
	for _, m := range why.Methods {
		if releaseTakesNothing(x, obj, m) {
			e := &editor{}
			e.insert(call.Pos(), "defer ")
			e.insert(call.End(), "."+m+"()")
			return e.fix(verdict.FixDeferRelease, why.Starter.Name()+"(...)", m)
		}
	}
	return nil
}

// releaseTakesNothing reports whether the method m of v's type releases
// by its name (Stop, Close, Shutdown...) and takes no arguments. A release
// method named otherwise (Run) may do more than release: no fix defers it.
func releaseTakesNothing(x *syntax.Index, v *types.Var, m string) bool {
	switch strings.ToLower(m) {
	case "stop", "close", "shutdown", "cancel", "release", "rollback", "quit", "terminate", "kill", "halt", "dispose", "unsubscribe", "disconnect":
	default:
		return false
	}
	obj, _, _ := types.LookupFieldOrMethod(v.Type(), true, v.Pkg(), m)
	fn, ok := obj.(*types.Func)
	return ok && fn.Type().(*types.Signature).Params().Len() == 0
}

// ---- sends stranded by shutdown: a case on the stop channel ----

// shutdownSelectFix turns a plain send x.f <- v that shutdown strands
// into a select that also returns once the receiver's loop has stopped:
// a case on the stop field x.stop that loop returns on, when nothing in
// the package sends on x.stop (only a close, which wakes every waiter,
// ends it) and it is given one value; or a case on ctx.Done() when the
// loop returns on the very ctx that is in scope at the send. Before
// shutdown the new case is never ready, so the select is the send;
// after it the send could only block for ever. When shutdown sends on
// x.stop (a case on it would take the signal), the case is on the field
// the stop case closes as it returns, closed nowhere else (etcd #6857's
// n.done). Offered when the send is a statement of the function it
// returns from, which returns nothing (or, for a context, just an error),
// or values no caller can see (resultsUnobserved), returned as zeros; and
// the stop case does not receive from x.f itself (a drain would take the
// value).
func shutdownSelectFix(r *rule.Input, at ast.Node, why verdict.AfterShutdown) *verdict.Fix {
	send, ok := at.(*ast.SendStmt)
	if !ok || why.StopCase == nil || !isStatement(r.X, send) {
		return nil
	}
	sel, ok := ast.Unparen(send.Chan).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	base, ok := ast.Unparen(sel.X).(*ast.Ident)
	if !ok || r.X.Info.Uses[base] == nil {
		return nil
	}
	field := syntax.ObjectOf(r.X, send.Chan)
	if field == nil || rule.MentionsObj(r.X, why.StopCase, field) {
		return nil
	}
	cur := r.X.CursorOf(send)
	fn := syntax.EnclosingFunc(cur)
	if !cur.Valid() || fn == nil {
		return nil
	}
	stopCh, _ := syntax.CommChannel(why.StopCase)
	var done, ret, subject string
	kind := verdict.FixShutdownSelect
	if ctxExpr := syntax.ContextOfDone(r.X, stopCh); ctxExpr != nil {
		id, ok := ast.Unparen(ctxExpr).(*ast.Ident)
		if !ok {
			return nil
		}
		ctx, ok := r.X.Info.Uses[id].(*types.Var)
		if !ok || lookupAt(r.X, send.Pos(), ctx.Name()) != ctx {
			return nil // another context, or none, at the send
		}
		if ret, ok = returnOnCancel(r.X, fn, ctx.Name()); !ok {
			return nil
		}
		done, subject, kind = ctx.Name()+".Done()", ctx.Name(), verdict.FixSendSelect
	} else {
		// The stop field itself, closed only; or, when shutdown sends on
		// it, the field the stop case closes as the loop returns.
		stop := closedOnlyField(r, stopCh)
		if stop == nil {
			stop = closedOnStop(r, why.StopCase)
		}
		if stop == nil {
			return nil
		}
		// x.stop must name the stop field of the struct x is.
		obj, index, _ := types.LookupFieldOrMethod(r.X.Info.TypeOf(sel.X), true, r.X.Pkg, stop.Name())
		if v, ok := obj.(*types.Var); !ok || v.Origin() != stop || len(index) != 1 {
			return nil
		}
		sig, ok := signatureOf(r.X, fn)
		if !ok {
			return nil
		}
		ret = "return"
		if sig.Results().Len() != 0 {
			// Zero values, only where no caller can see them.
			decl, ok := fn.(*ast.FuncDecl)
			if !ok || !resultsUnobserved(r.X, decl) {
				return nil
			}
			zeros, ok := zeroResults(r.X, sig)
			if !ok {
				return nil
			}
			ret += " " + zeros
		}
		done, subject = base.Name+"."+stop.Name(), base.Name+"."+stop.Name()
	}
	e := &editor{}
	e.insert(send.Pos(), "select {\ncase ")
	e.insert(send.End(), ":\ncase <-"+done+":\n"+ret+"\n}")
	return e.fix(kind, subject, "")
}

// closedOnlyField is the unexported channel field ch selects when the
// package only ever closes it and receives from it, and gives it one
// value: a receive from it waits until it is closed, and then never
// again. Nil otherwise.
func closedOnlyField(r *rule.Input, ch ast.Expr) *types.Var {
	sel, ok := ast.Unparen(ch).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	field, ok := r.X.Info.Uses[sel.Sel].(*types.Var)
	if !ok || !field.IsField() {
		return nil
	}
	f := r.M.FieldFlow(field)
	if f == nil || f.Escapes || f.Defs != 1 {
		return nil
	}
	closes := 0
	for i := range f.Uses {
		switch f.Uses[i].Kind {
		case flow.OpSend:
			return nil
		case flow.OpClose:
			closes++
		}
	}
	if closes == 0 {
		return nil
	}
	return field.Origin()
}

// lookupAt is the object name denotes at pos.
func lookupAt(x *syntax.Index, pos token.Pos, name string) types.Object {
	scope := x.Pkg.Scope().Innermost(pos)
	if scope == nil {
		return nil
	}
	_, obj := scope.LookupParent(name, pos)
	return obj
}

// signatureOf is the signature of a function declaration or literal.
func signatureOf(x *syntax.Index, fn ast.Node) (*types.Signature, bool) {
	switch fn := fn.(type) {
	case *ast.FuncLit:
		sig, ok := x.Info.TypeOf(fn).(*types.Signature)
		return sig, ok
	case *ast.FuncDecl:
		if obj, ok := x.Info.Defs[fn.Name].(*types.Func); ok {
			return obj.Type().(*types.Signature), true
		}
	}
	return nil, false
}

// ---- buffers filled before any receiver: enlarge them ----

// enlargeFix gives a fresh channel, made with a constant buffer and sent
// on more often than the buffer holds before anything else can have it,
// a buffer for every one of those sends. Offered when they are all the
// sends on the channel the package makes (for a field, on the field
// anywhere in the package), and nothing asks its len or cap. Every run
// that makes the channel reaches the send that waits for ever, and no
// one else has the channel before it: the buffer changes no run that did
// not leak.
func enlargeFix(r *rule.Input, why verdict.Overfilled) *verdict.Fix {
	if why.Made == nil || why.Sends >= flow.Many || why.Sends <= why.Capacity || len(why.Counted) == 0 {
		return nil
	}
	var f *flow.ChanFlow
	var mentions []inspector.Cursor
	if why.Field != nil {
		f = r.M.FieldFlow(why.Field)
		mentions = r.X.FieldMentions(why.Field)
	} else if v, ok := why.Holder.(*types.Var); ok {
		cur := r.X.CursorOf(why.Made)
		decl := enclosingFuncDecl(r.X, syntax.EnclosingFunc(cur))
		if !cur.Valid() || decl == nil {
			return nil
		}
		f = r.Sum.FlowOf(v, decl)
		mentions = r.X.Mentions(decl, v)
	}
	if f == nil || f.Escapes {
		return nil
	}
	for i := range f.Uses {
		u := &f.Uses[i]
		if send, ok := u.Node.(*ast.SendStmt); u.Kind == flow.OpSend && (!ok || u.Via != nil || !why.Counted[send]) {
			return nil // a send the count does not hold
		}
	}
	for _, cur := range mentions {
		if sel, ok := cur.Parent().Node().(*ast.SelectorExpr); ok && sel.Sel == cur.Node() {
			cur = cur.Parent()
		}
		if call, ok := cur.Parent().Node().(*ast.CallExpr); ok {
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
				if b, ok := r.X.Info.Uses[id].(*types.Builtin); ok && (b.Name() == "len" || b.Name() == "cap") {
					return nil
				}
			}
		}
	}
	size := strconv.Itoa(why.Sends)
	e := &editor{}
	if len(why.Made.Args) == 1 {
		e.insert(why.Made.Args[0].End(), ", "+size)
	} else {
		e.replace(why.Made.Args[1].Pos(), why.Made.Args[1].End(), size)
	}
	return e.fix(verdict.FixEnlargeBuffer, why.Channel, size)
}

// waitsOnNothing reports whether fn's own code, besides its sends on ch,
// has nothing that may wait for another goroutine: no receive, no other
// send, no select without default, no call given a channel, no Wait
// (sync.WaitGroup, errgroup). A range over ch that waits for fn's close
// at its return would otherwise keep fn waiting too.
func waitsOnNothing(x *syntax.Index, fn ast.Node, ch *types.Var) bool {
	body := syntax.BodyOf(fn)
	if body == nil {
		return false
	}
	ok := true
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			return false // a goroutine of its own; function literals count
		case *ast.SendStmt:
			ok = ok && syntax.ObjectOf(x, n.Chan) == ch
		case *ast.UnaryExpr:
			ok = ok && n.Op != token.ARROW
		case *ast.RangeStmt:
			ok = ok && !syntax.IsChan(x.Info.TypeOf(n.X))
		case *ast.SelectStmt:
			ok = ok && hasDefault(n)
		case *ast.CallExpr:
			if id, isIdent := ast.Unparen(n.Fun).(*ast.Ident); isIdent {
				if _, builtin := x.Info.Uses[id].(*types.Builtin); builtin {
					return ok
				}
			}
			for _, arg := range n.Args {
				ok = ok && !syntax.IsChan(x.Info.TypeOf(arg))
			}
			if fn := syntax.StaticCallee(x.Info, n); fn != nil && strings.HasPrefix(fn.Name(), "Wait") {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// calleeCloseFix closes, on its return, the channel that a goroutine's
// function is given and never uses, when the only thing done with the
// channel besides is waiting for it (the grpc #1424 shape: go
// cc.lbWatcher(doneChan); <-doneChan). Offered when the channel is made
// once, nothing sends to or closes it, every receive is one a close wakes
// without a value taken for one sent, the go statement runs once for it,
// and the function is unexported, takes the channel as a parameter it
// never mentions, and is called nowhere else: `defer close(p)` at its
// top then closes only this channel, once.
func calleeCloseFix(r *rule.Input, uo useOf) *verdict.Fix {
	f := uo.local.Flow
	if f.Escapes || f.Defs != 1 || f.Made == nil {
		return nil
	}
	for i := range f.Uses {
		if !f.Uses[i].Kind.Receives() || !closeSafeReceive(r.X, &f.Uses[i]) {
			return nil
		}
	}
	var target *ast.FuncDecl
	var param *types.Var
	for _, s := range r.Gs.List {
		if s.Lit != nil || s.Callee == nil || s.Call == nil {
			continue
		}
		for i, arg := range s.Call.Args {
			if syntax.ObjectOf(r.X, arg) != f.V {
				continue
			}
			decl := r.X.Decls[s.Callee]
			if target != nil || decl == nil || s.Parent != uo.local.Owner || s.Callee.Exported() || rule.Instances(r, s, f.V) != 1 || !calledOnce(r.X, s.Callee) {
				return nil
			}
			params := s.Callee.Signature().Params()
			if i >= params.Len() || s.Callee.Signature().Variadic() && i >= params.Len()-1 || len(r.X.Mentions(decl, params.At(i))) > 1 {
				return nil // it uses the channel (the mention is its declaration)
			}
			target, param = decl, params.At(i)
		}
	}
	if target == nil || param.Name() == "" || param.Name() == "_" {
		return nil
	}
	e := &editor{}
	e.insert(target.Body.Lbrace+1, "\ndefer close("+param.Name()+")")
	return e.fix(verdict.FixDeferClose, param.Name(), "")
}

// calledOnce reports whether fn is mentioned in the package only once (by
// the call that runs it) and, for a method, no interface of the package
// has a method of its name (a call through one would not mention it).
func calledOnce(x *syntax.Index, fn *types.Func) bool {
	n := 0
	for _, obj := range x.Info.Uses {
		if obj == fn {
			n++
		}
	}
	if n != 1 {
		return false
	}
	if fn.Signature().Recv() == nil {
		return true
	}
	scope := x.Pkg.Scope()
	for _, name := range scope.Names() {
		if tn, ok := scope.Lookup(name).(*types.TypeName); ok && types.IsInterface(tn.Type()) {
			if obj, _, _ := types.LookupFieldOrMethod(tn.Type(), false, x.Pkg, fn.Name()); obj != nil {
				return false
			}
		}
	}
	return true
}
