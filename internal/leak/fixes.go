package leak

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
)

// Stage 5b, fixes: for each verdict, the material of the suggested fixes
// that are certainly safe. A fix is offered only when it removes the leak
// and changes nothing else the program can observe; when that cannot be
// shown there is none (a wrong fix is worse than no fix). The material is
// code to insert or replace; report.go words each fix's message.
//
//	verdict                       fix
//	a send no receiver takes      a buffer for every send (make(chan T, n)),
//	                              or a select with ctx.Done() when the
//	                              abandoning path cancels ctx
//	a wait on a channel that      defer close(ch) in the function that holds
//	only a close releases         every close, when its early returns skip it
//	an endless loop, ctx unused   return when ctx is cancelled: a select case
//	                              on each blocking operation of the loop, or
//	                              a check at its top
//	an object dropped without     defer x.Stop() after the call that makes it
//	its release method
//	a send stranded by shutdown   a select case on the stop channel (closed,
//	                              never sent on), the channel the stop case
//	                              closes, or ctx.Done() the receiver returns
//	                              on; zero values where no caller reads them
//	a buffer filled before any    a buffer for every send made before
//	receiver can exist            anything else can have the channel

// fixKind names what a fix does, for report.go to word.
type fixKind int

const (
	fixBuffer         fixKind = iota // give the channel a buffer for every send
	fixSendSelect                    // stop sending once a context is cancelled
	fixDeferClose                    // close the channel on every return
	fixLoopContext                   // return from a loop once its context is cancelled
	fixDeferRelease                  // call the release method when the function returns
	fixShutdownSelect                // stop sending once the receiver's stop channel is closed
	fixEnlargeBuffer                 // a buffer for every send made before a receiver can exist
)

// A fix is one suggested fix: the edits, in code, and what report.go needs
// to word it.
type fix struct {
	kind    fixKind
	subject string // the channel, context or object, as the code names it
	detail  string // the buffer's size, the release method
	edits   []analysis.TextEdit
}

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

func (e *editor) fix(kind fixKind, subject, detail string) *fix {
	if len(e.edits) == 0 {
		return nil
	}
	sort.SliceStable(e.edits, func(i, j int) bool { return e.edits[i].Pos < e.edits[j].Pos })
	return &fix{kind: kind, subject: subject, detail: detail, edits: e.edits}
}

// addFixes attaches to each verdict the fixes that are certainly safe.
func addFixes(r *rules, verdicts []verdict) {
	var uses map[ast.Node]useOf
	buffers := map[*chanFlow]*fix{} // one buffer fix serves every send on a channel
	for i := range verdicts {
		v := &verdicts[i]
		if generated(r.x, v.at) {
			continue
		}
		switch why := v.why.(type) {
		case endlessLoop:
			if why.ctx != nil {
				v.fixes = appendFix(v.fixes, loopFix(r.x, v.spawn, why.loop, why.ctx, why.via))
			}
		case contractDropped:
			v.fixes = appendFix(v.fixes, releaseFix(r.x, v.at, why))
		case contractDiscarded:
			v.fixes = appendFix(v.fixes, discardedFix(r.x, v.at, why))
		case neverClosed:
			if uses == nil {
				uses = localUses(r)
			}
			if uo, ok := uses[v.at]; ok && uo.use.kind == opRange && waitsOnNothing(r.x, uo.local.owner, uo.local.flow.v) {
				v.fixes = appendFix(v.fixes, closeFix(r.x, uo.local.owner, uo.local.flow, true))
			}
		case noPartner:
			if uses == nil {
				uses = localUses(r)
			}
			if uo, ok := uses[v.at]; ok && uo.use.kind.receives() {
				v.fixes = appendFix(v.fixes, calleeCloseFix(r, uo))
			}
		case afterShutdown:
			v.fixes = appendFix(v.fixes, shutdownSelectFix(r, v.at, why))
		case overfilled:
			v.fixes = appendFix(v.fixes, enlargeFix(r, why))
			continue
		case skippedRelease, abandoned:
			if uses == nil {
				uses = localUses(r)
			}
			uo, ok := uses[v.at]
			if !ok {
				continue
			}
			switch {
			case uo.use.kind.receives() && v.spawn != nil && v.spawn.lit != nil && isSkipped(why):
				v.fixes = appendFix(v.fixes, deferCloseFix(r.x, v.spawn.lit, uo.local.flow))
			case uo.use.kind.receives():
				v.fixes = appendFix(v.fixes, deferCloseFix(r.x, uo.local.owner, uo.local.flow))
			}
		}
		if v.pattern != UnreadSend && v.pattern != TestFailure {
			continue
		}
		if uses == nil {
			uses = localUses(r)
		}
		uo, ok := uses[v.at]
		if !ok || uo.use.kind != opSend {
			continue
		}
		f, done := buffers[uo.local.flow]
		if !done {
			f = bufferFix(r, uo)
			buffers[uo.local.flow] = f
		}
		v.fixes = appendFix(v.fixes, f)
		v.fixes = appendFix(v.fixes, sendSelectFix(r, uo, v.why))
	}
}

func isSkipped(why reason) bool {
	_, ok := why.(skippedRelease)
	return ok
}

func appendFix(fixes []*fix, f *fix) []*fix {
	if f == nil {
		return fixes
	}
	return append(fixes, f)
}

// generated reports whether n is in a file whose positions are mapped by
// //line directives (cgo's output, generated code): the fix's offsets
// would not be those of the file the user edits.
func generated(x *index, n ast.Node) bool {
	return x.fset.PositionFor(n.Pos(), false).Filename != x.fset.PositionFor(n.Pos(), true).Filename
}

// nextLine is where the line after the one n ends on starts: new
// statements go there, after any comment that ends n's line.
func nextLine(x *index, n ast.Node) token.Pos {
	tf := x.fset.File(n.End())
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
func remove(x *index, e *editor, stmt ast.Stmt) {
	tf := x.fset.File(stmt.Pos())
	line := tf.Line(stmt.Pos())
	alone := tf.Line(stmt.End()) == line && line < tf.LineCount()
	cur := x.cursorOf(stmt)
	for _, sib := range []ast.Node{prevSibling(cur), nextSibling(cur)} {
		if sib != nil && (tf.Line(sib.End()) == line || tf.Line(sib.Pos()) == line) {
			alone = false
		}
	}
	for _, f := range x.files {
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
	use   *chanUse
	local localChan
}

// localUses indexes the uses of local channels by node.
func localUses(r *rules) map[ast.Node]useOf {
	out := map[ast.Node]useOf{}
	for _, l := range r.m.locals {
		for i := range l.flow.uses {
			u := &l.flow.uses[i]
			out[u.node] = useOf{u, l}
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
func bufferFix(r *rules, uo useOf) *fix {
	f := uo.local.flow
	if f.escapes || f.isNil || f.defs != 1 || f.made == nil || f.capacity < 0 {
		return nil
	}
	total := 0
	var size string
	senders := map[*spawn]bool{}
	deferred := map[*spawn][]*ast.FuncLit{} // deferred literals that send
	for i := range f.uses {
		u := &f.uses[i]
		if u.kind != opSend {
			continue
		}
		if u.spawn == nil || u.via != nil || u.inSelect {
			return nil // the owner sends, or a callee or a select does: keep away
		}
		if u.place.deferred {
			lit := recoveredLastAct(r.x, u)
			if lit == nil {
				return nil
			}
			if !slices.Contains(deferred[u.spawn], lit) {
				deferred[u.spawn] = append(deferred[u.spawn], lit)
			}
		} else if !lastAct(r.x, u) {
			return nil
		}
		senders[u.spawn] = true
	}
	if len(senders) == 0 || measured(r.x, f.v, uo.local.owner) {
		return nil
	}
	counts := newSendCounts(r, f)
	for s := range senders {
		if s.lit == nil {
			return nil
		}
		per := sendsPerRun(r, s, counts)
		if len(deferred[s]) > 0 {
			n := countSends(r.sum, s.lit.Body.List, counts.sendNodes)
			per = max(n.fall, n.ret, 0)
			for _, lit := range deferred[s] {
				n := countSends(r.sum, lit.Body.List, counts.sendNodes)
				per = sat(per + max(n.fall, n.ret, 0)) // it runs once: its defer is a statement of the body
			}
		}
		if per >= many {
			return nil
		}
		n := instances(r, s, f.v)
		if n < many {
			total = sat(total + per*n)
			continue
		}
		if len(senders) > 1 {
			return nil
		}
		size = rangeLen(r.x, s, f, per)
		if size == "" {
			return nil
		}
	}
	if size == "" {
		if total >= many || total <= f.capacity {
			return nil
		}
		size = strconv.Itoa(total)
	}
	e := &editor{}
	if len(f.made.Args) == 1 {
		e.insert(f.made.Args[0].End(), ", "+size)
	} else {
		e.replace(f.made.Args[1].Pos(), f.made.Args[1].End(), size)
	}
	return e.fix(fixBuffer, f.v.Name(), size)
}

// measured reports whether the code asks len or cap of the channel: a
// buffer would change the answer.
func measured(x *index, v *types.Var, owner ast.Node) bool {
	decl := enclosingFuncDecl(x, owner)
	if decl == nil {
		return true
	}
	for _, cur := range x.mentions(decl, v) {
		if call, ok := cur.Parent().Node().(*ast.CallExpr); ok {
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
				if b, ok := x.info.Uses[id].(*types.Builtin); ok && (b.Name() == "len" || b.Name() == "cap") {
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
func rangeLen(x *index, s *spawn, f *chanFlow, per int) string {
	var loop *ast.RangeStmt
	for enc := range s.cur.Enclosing() {
		if enc.Node() == s.parent {
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
	if loop == nil || loop.Pos() < f.made.End() {
		return ""
	}
	id, ok := ast.Unparen(loop.X).(*ast.Ident)
	if !ok {
		return ""
	}
	v, ok := x.info.Uses[id].(*types.Var)
	if !ok || v.Pos() > f.made.Pos() || !neverReassigned(x, v, s.parent) {
		return ""
	}
	if scope := x.pkg.Scope().Innermost(f.made.Pos()); scope == nil {
		return ""
	} else if _, obj := scope.LookupParent(v.Name(), f.made.Pos()); obj != v {
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
func neverReassigned(x *index, v *types.Var, fn ast.Node) bool {
	decl := enclosingFuncDecl(x, fn)
	if decl == nil {
		return false
	}
	for _, cur := range x.mentions(decl, v) {
		id := cur.Node().(*ast.Ident)
		if x.info.Defs[id] == v {
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
func enclosingFuncDecl(x *index, fn ast.Node) ast.Node {
	if d, ok := fn.(*ast.FuncDecl); ok {
		return d
	}
	cur := x.cursorOf(fn)
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
func lastAct(x *index, u *chanUse) bool {
	s := u.spawn
	if s == nil || s.lit == nil {
		return false
	}
	send, ok := u.node.(*ast.SendStmt)
	if !ok {
		return false
	}
	ch := objectOf(x, send.Chan)
	for _, stmt := range s.lit.Body.List {
		if d, ok := stmt.(*ast.DeferStmt); ok && !isDone(x, d.Call) && !isCloseOf(x, d.Call, ch) && !isUnlock(x, d.Call) {
			return false
		}
	}
	return onlyFollowedBy(x, send, s.lit, func(st ast.Stmt) bool { return inertAfterSend(x, st, ch) })
}

// recoveredLastAct returns the deferred function literal whose send u
// is, when that send is the last thing the goroutine does: the literal
// is deferred by a statement of the goroutine's own body (so it runs at
// most once), it recovers first (no panic goes on after it), only what
// lastAct allows follows the send in it, and the defers registered
// before it, which run after it, are wg.Done(), the channel's close or
// an unlock. Nil otherwise.
func recoveredLastAct(x *index, u *chanUse) *ast.FuncLit {
	s := u.spawn
	send, ok := u.node.(*ast.SendStmt)
	if s == nil || s.lit == nil || !ok {
		return nil
	}
	cur := x.cursorOf(send)
	lit, ok := enclosingFunc(cur).(*ast.FuncLit)
	if !cur.Valid() || !ok {
		return nil
	}
	var d *ast.DeferStmt
	for _, st := range s.lit.Body.List {
		if ds, ok := st.(*ast.DeferStmt); ok && ds.Call.Fun == lit && len(ds.Call.Args) == 0 {
			d = ds
		}
	}
	if d == nil || !recoversFirst(x, lit, send) {
		return nil
	}
	ch := objectOf(x, send.Chan)
	earlier := true
	ast.Inspect(s.lit.Body, func(n ast.Node) bool {
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
func recoversFirst(x *index, lit *ast.FuncLit, send ast.Node) bool {
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
				if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && x.info.Uses[id] == types.Universe.Lookup("recover") {
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
func inertAfterSend(x *index, stmt ast.Stmt, ch types.Object) bool {
	switch st := stmt.(type) {
	case *ast.ReturnStmt:
		return len(st.Results) == 0
	case *ast.SendStmt:
		return ch != nil && objectOf(x, st.Chan) == ch
	case *ast.ExprStmt:
		call, ok := ast.Unparen(st.X).(*ast.CallExpr)
		return ok && (isDone(x, call) || isCloseOf(x, call, ch))
	case *ast.EmptyStmt:
		return true
	}
	return false
}

func isDone(x *index, call *ast.CallExpr) bool {
	fn := staticCallee(x.info, call)
	return fn != nil && fn.Name() == "Done" && isMethodOf(fn, "sync", "WaitGroup")
}

func isUnlock(x *index, call *ast.CallExpr) bool {
	fn := staticCallee(x.info, call)
	return fn != nil && (fn.Name() == "Unlock" || fn.Name() == "RUnlock") && (isMethodOf(fn, "sync", "Mutex") || isMethodOf(fn, "sync", "RWMutex"))
}

func isCloseOf(x *index, call *ast.CallExpr, ch types.Object) bool {
	return ch != nil && isCloseCall(x.info, call) && objectOf(x, call.Args[0]) == ch
}

// ---- sends: a select on the context ----

// sendSelectFix turns a goroutine's send into a select that also returns
// once a context is cancelled, when the path that abandons the goroutine
// certainly cancels it: it is taken on that context's Done(), or the
// context is derived in the abandoning function, which defers its cancel.
func sendSelectFix(r *rules, uo useOf, why reason) *fix {
	u := uo.use
	send, ok := u.node.(*ast.SendStmt)
	if !ok || u.via != nil || u.spawn == nil || u.spawn.lit == nil || u.inSelect {
		return nil
	}
	if !isStatement(r.x, send) || enclosingFunc(r.x.cursorOf(send)) != u.spawn.lit {
		return nil // in a deferred literal, say: its return is not the goroutine's
	}
	ctx := contextInScope(r.x, send.Pos())
	if ctx == nil || !cancelledOnAbandon(r.x, ctx, uo.local.owner, why) {
		return doneSelectFix(r, send, u.spawn, why)
	}
	ret, ok := returnOnCancel(r.x, u.spawn.lit, ctx.Name())
	if !ok {
		return nil
	}
	e := &editor{}
	e.insert(send.Pos(), "select {\ncase ")
	e.insert(send.End(), ":\ncase <-"+ctx.Name()+".Done():\n"+ret+"\n}")
	return e.fix(fixSendSelect, ctx.Name(), "")
}

// doneSelectFix is sendSelectFix for a done channel instead of a context:
// the path that abandons the goroutine is the case that receives from a
// local channel that nothing sends on and something closes, so once that
// case is taken the channel is closed for good, and a select case on it
// lets the goroutine return. Offered only for a goroutine that returns
// nothing, where the channel is in scope.
func doneSelectFix(r *rules, send *ast.SendStmt, s *spawn, why reason) *fix {
	ab, ok := why.(abandoned)
	if !ok || ab.path == nil || ab.path.choice == nil {
		return nil
	}
	ch, isSend := commChannel(ab.path.choice)
	id, ok := ast.Unparen(ch).(*ast.Ident)
	if ch == nil || isSend || !ok {
		return nil
	}
	done, ok := r.x.info.Uses[id].(*types.Var)
	f := r.m.byVar[done]
	if !ok || f == nil || f.escapes || f.defs != 1 || f.count(func(u *chanUse) bool { return u.kind == opClose }) == 0 ||
		f.count(func(u *chanUse) bool { return u.kind == opSend }) > 0 {
		return nil
	}
	if _, obj := r.x.pkg.Scope().Innermost(send.Pos()).LookupParent(done.Name(), send.Pos()); obj != done {
		return nil // not in scope at the send, or shadowed
	}
	if sig, _ := r.x.info.TypeOf(s.lit).(*types.Signature); sig == nil || sig.Results().Len() != 0 {
		return nil
	}
	e := &editor{}
	e.insert(send.Pos(), "select {\ncase ")
	e.insert(send.End(), ":\ncase <-"+done.Name()+":\nreturn\n}")
	return e.fix(fixShutdownSelect, done.Name(), "")
}

// isStatement reports whether n is a statement of a block or a case.
func isStatement(x *index, n ast.Stmt) bool {
	cur := x.cursorOf(n)
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
func cancelledOnAbandon(x *index, ctx *types.Var, owner ast.Node, why reason) bool {
	if ab, ok := why.(abandoned); ok && ab.path != nil && ab.path.choice != nil {
		if ch, send := commChannel(ab.path.choice); ch != nil && !send {
			if call, ok := ast.Unparen(ch).(*ast.CallExpr); ok {
				if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Done" && objectOf(x, sel.X) == ctx {
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
func derivedWithDeferredCancel(x *index, ctx *types.Var, owner ast.Node) bool {
	body := bodyOf(owner)
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
			if !ok || !isFunc(staticCallee(x.info, call), "context", "WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause") {
				continue
			}
			if id, ok := st.Lhs[0].(*ast.Ident); ok && x.info.ObjectOf(id) == ctx {
				if c, ok := st.Lhs[1].(*ast.Ident); ok {
					cancel = x.info.ObjectOf(c)
				}
			}
		case *ast.DeferStmt:
			if id, ok := ast.Unparen(st.Call.Fun).(*ast.Ident); ok && cancel != nil && x.info.Uses[id] == cancel {
				return x.soleValue(ctx) != nil
			}
		}
	}
	return false
}

// contextInScope is the context the code at pos means by cancellation: of
// the local context variables visible there, the one declared last (a
// ctx derived by WithCancel, not its parent). Nil when there is none.
func contextInScope(x *index, pos token.Pos) *types.Var {
	var last *types.Var
	seen := map[string]bool{}
	for scope := x.pkg.Scope().Innermost(pos); scope != nil && scope != x.pkg.Scope(); scope = scope.Parent() {
		for _, name := range scope.Names() {
			v, ok := scope.Lookup(name).(*types.Var)
			if !ok || v.Pos() >= pos || seen[name] {
				continue
			}
			seen[name] = true // an outer variable of this name is shadowed
			if isNamed(v.Type(), "context", "Context") && (last == nil || v.Pos() > last.Pos()) {
				last = v
			}
		}
	}
	return last
}

// returnOnCancel is the statement that leaves fn once ctx is cancelled:
// return, or return ctx.Err() when fn returns just an error.
func returnOnCancel(x *index, fn ast.Node, ctx string) (string, bool) {
	var sig *types.Signature
	switch fn := fn.(type) {
	case *ast.FuncLit:
		sig, _ = x.info.TypeOf(fn).(*types.Signature)
	case *ast.FuncDecl:
		if obj, ok := x.info.Defs[fn.Name].(*types.Func); ok {
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
func deferCloseFix(x *index, fn ast.Node, f *chanFlow) *fix {
	return closeFix(x, fn, f, false)
}

// closeFix is deferCloseFix; with unclosed, for a channel nothing closes
// yet, whose every send fn's own code makes (a range over it then ends
// once fn has returned, when no send can follow).
func closeFix(x *index, fn ast.Node, f *chanFlow, unclosed bool) *fix {
	body := bodyOf(fn)
	if body == nil || f.escapes || f.defs != 1 {
		return nil
	}
	channel := f.v.Name()
	var closes []*ast.ExprStmt
	for i := range f.uses {
		u := &f.uses[i]
		switch {
		case u.kind == opClose:
			if u.via != nil || u.place.owner != fn || u.place.deferred {
				return nil
			}
			cur := x.cursorOf(u.node)
			st, ok := cur.Parent().Node().(*ast.ExprStmt)
			if !cur.Valid() || !ok || !followedByReturns(x, st, fn) {
				return nil
			}
			closes = append(closes, st)
		case u.kind == opSend:
			if u.via != nil || u.place.owner != fn {
				return nil // another goroutine sends: it would panic on the closed channel
			}
		case u.kind.receives():
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
	if decl := declStmt(x, f.v, body); decl != nil {
		if f.made == nil || f.made.Pos() < decl.Pos() || f.made.End() > decl.End() {
			return nil // var ch chan T, made later: the defer would close nil
		}
		at = nextLine(x, decl) // the owner: after the channel is made
	} else if f.v.Pos() > fn.Pos() && f.v.Pos() < fn.End() || unclosed || f.made == nil || f.made.Pos() > fn.Pos() {
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
	return e.fix(fixDeferClose, channel, "")
}

// declStmt is the statement of body itself that declares v, or nil.
func declStmt(x *index, v *types.Var, body *ast.BlockStmt) ast.Stmt {
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
func followedByReturns(x *index, stmt ast.Stmt, fn ast.Node) bool {
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
func onlyFollowedBy(x *index, stmt ast.Stmt, fn ast.Node, ok func(ast.Stmt) bool) bool {
	cur := x.cursorOf(stmt)
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
func closeSafeReceive(x *index, u *chanUse) bool {
	if u.kind == opRange {
		return true
	}
	if u.via != nil {
		return false
	}
	cur := x.cursorOf(u.node)
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
func loopFix(x *index, s *spawn, loop ast.Stmt, ctx *types.Var, via *ast.CallExpr) *fix {
	if s == nil || via != nil || neverCancelledVar(x, ctx) {
		return nil
	}
	fn := s.fn
	cur := x.cursorOf(loop)
	if fn == nil || !cur.Valid() || enclosingFunc(cur) != fn {
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
	return e.fix(fixLoopContext, ctx.Name(), "")
}

// neverDone reports whether ctx's only value is context.Background() or
// TODO(): a select on it would wait for nothing.
func neverCancelledVar(x *index, ctx *types.Var) bool {
	call, ok := x.soleValue(ctx).(*ast.CallExpr)
	return ok && isFunc(staticCallee(x.info, call), "context", "Background", "TODO")
}

// selectOnBlocking adds the case done to each operation of the loop body
// that blocks on a channel: a send or receive statement becomes a select
// (a receive that declares variables takes the rest of the body into its
// case), a select without default gains the case. It reports false when
// an operation blocks where no case can be added: inside an expression, a
// nested statement or a callee's code given a channel.
func selectOnBlocking(x *index, e *editor, body *ast.BlockStmt, done string) bool {
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
func channelStmt(x *index, stmt ast.Stmt) string {
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
func blocksOnChannel(x *index, n ast.Node) bool {
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
			found = found || isChan(x.info.TypeOf(n.X))
		case *ast.SelectStmt:
			found = found || !hasDefault(n)
		case *ast.BranchStmt:
			found = found || n.Tok == token.GOTO
		case *ast.CallExpr:
			for _, arg := range n.Args {
				found = found || isChan(x.info.TypeOf(arg))
			}
			if fn := staticCallee(x.info, n); fn != nil && fn.Name() == "Wait" && (isMethodOf(fn, "sync", "WaitGroup") || isMethodOf(fn, "sync", "Cond")) {
				found = true // a wait that a select cannot wake
			}
			if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok {
				found = found || isChan(x.info.TypeOf(sel.X))
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
func tickerRange(x *index, e *editor, s *spawn, l *ast.RangeStmt, done string) bool {
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
		if !ok || !ok2 || len(ch.Args) != 1 || !isFunc(staticCallee(x.info, ch), "time", "Tick") {
			return false
		}
		name := freshName(x, l.Pos(), "ticker")
		if name == "" {
			return false
		}
		e.replace(l.Pos(), ch.Args[0].Pos(), name+" := "+pkg.Name+".NewTicker(")
		e.replace(ch.Args[0].End(), ch.End(), ")\ndefer "+name+".Stop()\n"+head+name+".C")
	case *ast.SelectorExpr: // t.C
		if ch.Sel.Name != "C" || !isNamed(x.info.TypeOf(ch.X), "time", "Ticker") && !isNamed(x.info.TypeOf(ch.X), "time", "Timer") {
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
func stopTicker(x *index, e *editor, s *spawn, id *ast.Ident) {
	t, ok := x.info.Uses[id].(*types.Var)
	if !ok {
		return
	}
	call, ok := x.soleValue(t).(*ast.CallExpr)
	if !ok || !isFunc(staticCallee(x.info, call), "time", "NewTicker") || s.body == nil {
		return
	}
	if call.Pos() < s.body.Pos() || call.End() > s.body.End() {
		return // made outside the goroutine
	}
	for _, st := range s.body.List {
		if as, ok := st.(*ast.AssignStmt); ok && len(as.Rhs) == 1 && as.Rhs[0] == call {
			for _, m := range x.mentions(s.body, t) {
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
func freshName(x *index, pos token.Pos, name string) string {
	scope := x.pkg.Scope().Innermost(pos)
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
func releaseFix(x *index, call ast.Node, why contractDropped) *fix {
	method := ""
	for _, m := range why.methods {
		if releaseTakesNothing(x, why.object, m) {
			method = m
			break
		}
	}
	body := bodyOf(why.owner)
	if method == "" || body == nil {
		return nil
	}
	for _, m := range x.mentions(why.owner, why.object) {
		if enclosingFunc(m) != why.owner {
			return nil // a function literal uses it, perhaps after the owner returns
		}
	}
	cur := x.cursorOf(call)
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
	if _, ok := stmt.(*ast.ExprStmt); !ok && why.method {
		return nil
	}
	for _, st := range body.List {
		if st == stmt {
			e := &editor{}
			e.insert(nextLine(x, stmt), "defer "+why.object.Name()+"."+method+"()\n")
			return e.fix(fixDeferRelease, why.object.Name(), method)
		}
	}
	return nil // in a nested block or a loop
}

// discardedFix defers the release of a starter's discarded result:
// `New(...)` becomes `defer New(...).Close()`, which makes the object at
// once and releases it when the function returns. Offered for a call that
// is a statement of its function's own block, outside loops.
func discardedFix(x *index, at ast.Node, why contractDiscarded) *fix {
	call, ok := at.(*ast.CallExpr)
	if !ok {
		return nil
	}
	cur := x.cursorOf(call)
	if !cur.Valid() {
		return nil
	}
	stmt, ok := cur.Parent().Node().(*ast.ExprStmt)
	if !ok {
		return nil
	}
	body := bodyOf(enclosingFunc(cur))
	if body == nil || !slices.Contains(body.List, ast.Stmt(stmt)) {
		return nil
	}
	t := x.info.TypeOf(call)
	if t == nil {
		return nil
	}
	obj := types.NewVar(token.NoPos, x.pkg, "", t)
	for _, m := range why.methods {
		if releaseTakesNothing(x, obj, m) {
			e := &editor{}
			e.insert(call.Pos(), "defer ")
			e.insert(call.End(), "."+m+"()")
			return e.fix(fixDeferRelease, why.starter.Name()+"(...)", m)
		}
	}
	return nil
}

// releaseTakesNothing reports whether the method m of v's type releases
// by its name (Stop, Close, Shutdown...) and takes no arguments. A release
// method named otherwise (Run) may do more than release: no fix defers it.
func releaseTakesNothing(x *index, v *types.Var, m string) bool {
	switch strings.ToLower(m) {
	case "stop", "close", "shutdown", "cancel", "release", "rollback", "quit", "terminate", "kill", "halt", "dispose", "unsubscribe", "disconnect":
	default:
		return false
	}
	obj, _, _ := types.LookupFieldOrMethod(v.Type(), true, v.Pkg(), m)
	fn, ok := obj.(*types.Func)
	return ok && fn.Type().(*types.Signature).Params().Len() == 0
}

// suggested writes the fix for report.go, with its message.
func (f *fix) suggested(message string) analysis.SuggestedFix {
	return analysis.SuggestedFix{Message: message, TextEdits: f.edits}
}

// fixMessage words a fix.
func fixMessage(f *fix) string {
	switch f.kind {
	case fixBuffer:
		return "give " + f.subject + " a buffer for every send: make(..., " + f.detail + ")"
	case fixSendSelect:
		return "stop sending when " + f.subject + " is cancelled"
	case fixDeferClose:
		return "close " + f.subject + " on every return: defer close(" + f.subject + ")"
	case fixLoopContext:
		return "return when " + f.subject + " is cancelled"
	case fixDeferRelease:
		return "defer " + f.subject + "." + f.detail + "()"
	case fixShutdownSelect:
		return "stop sending once " + f.subject + " is closed"
	case fixEnlargeBuffer:
		return "give " + f.subject + " a buffer for every send made before it has a receiver: make(..., " + f.detail + ")"
	}
	return "fix the leak"
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
func shutdownSelectFix(r *rules, at ast.Node, why afterShutdown) *fix {
	send, ok := at.(*ast.SendStmt)
	if !ok || why.stopCase == nil || !isStatement(r.x, send) {
		return nil
	}
	sel, ok := ast.Unparen(send.Chan).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	base, ok := ast.Unparen(sel.X).(*ast.Ident)
	if !ok || r.x.info.Uses[base] == nil {
		return nil
	}
	field := objectOf(r.x, send.Chan)
	if field == nil || mentionsObj(r.x, why.stopCase, field) {
		return nil
	}
	cur := r.x.cursorOf(send)
	fn := enclosingFunc(cur)
	if !cur.Valid() || fn == nil {
		return nil
	}
	stopCh, _ := commChannel(why.stopCase)
	var done, ret, subject string
	kind := fixShutdownSelect
	if ctxExpr := contextOfDone(r.x, stopCh); ctxExpr != nil {
		id, ok := ast.Unparen(ctxExpr).(*ast.Ident)
		if !ok {
			return nil
		}
		ctx, ok := r.x.info.Uses[id].(*types.Var)
		if !ok || lookupAt(r.x, send.Pos(), ctx.Name()) != ctx {
			return nil // another context, or none, at the send
		}
		if ret, ok = returnOnCancel(r.x, fn, ctx.Name()); !ok {
			return nil
		}
		done, subject, kind = ctx.Name()+".Done()", ctx.Name(), fixSendSelect
	} else {
		// The stop field itself, closed only; or, when shutdown sends on
		// it, the field the stop case closes as the loop returns.
		stop := closedOnlyField(r, stopCh)
		if stop == nil {
			stop = closedOnStop(r, why.stopCase)
		}
		if stop == nil {
			return nil
		}
		// x.stop must name the stop field of the struct x is.
		obj, index, _ := types.LookupFieldOrMethod(r.x.info.TypeOf(sel.X), true, r.x.pkg, stop.Name())
		if v, ok := obj.(*types.Var); !ok || v.Origin() != stop || len(index) != 1 {
			return nil
		}
		sig, ok := signatureOf(r.x, fn)
		if !ok {
			return nil
		}
		ret = "return"
		if sig.Results().Len() != 0 {
			// Zero values, only where no caller can see them.
			decl, ok := fn.(*ast.FuncDecl)
			if !ok || !resultsUnobserved(r.x, decl) {
				return nil
			}
			zeros, ok := zeroResults(r.x, sig)
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
func closedOnlyField(r *rules, ch ast.Expr) *types.Var {
	sel, ok := ast.Unparen(ch).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	field, ok := r.x.info.Uses[sel.Sel].(*types.Var)
	if !ok || !field.IsField() {
		return nil
	}
	f := r.m.fieldFlow(field)
	if f == nil || f.escapes || f.defs != 1 {
		return nil
	}
	closes := 0
	for i := range f.uses {
		switch f.uses[i].kind {
		case opSend:
			return nil
		case opClose:
			closes++
		}
	}
	if closes == 0 {
		return nil
	}
	return field.Origin()
}

// lookupAt is the object name denotes at pos.
func lookupAt(x *index, pos token.Pos, name string) types.Object {
	scope := x.pkg.Scope().Innermost(pos)
	if scope == nil {
		return nil
	}
	_, obj := scope.LookupParent(name, pos)
	return obj
}

// signatureOf is the signature of a function declaration or literal.
func signatureOf(x *index, fn ast.Node) (*types.Signature, bool) {
	switch fn := fn.(type) {
	case *ast.FuncLit:
		sig, ok := x.info.TypeOf(fn).(*types.Signature)
		return sig, ok
	case *ast.FuncDecl:
		if obj, ok := x.info.Defs[fn.Name].(*types.Func); ok {
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
func enlargeFix(r *rules, why overfilled) *fix {
	if why.made == nil || why.sends >= many || why.sends <= why.capacity || len(why.counted) == 0 {
		return nil
	}
	var f *chanFlow
	var mentions []inspector.Cursor
	if why.field != nil {
		f = r.m.fieldFlow(why.field)
		mentions = r.x.fieldMentions(why.field)
	} else if v, ok := why.holder.(*types.Var); ok {
		cur := r.x.cursorOf(why.made)
		decl := enclosingFuncDecl(r.x, enclosingFunc(cur))
		if !cur.Valid() || decl == nil {
			return nil
		}
		f = r.sum.flowOf(v, decl)
		mentions = r.x.mentions(decl, v)
	}
	if f == nil || f.escapes {
		return nil
	}
	for i := range f.uses {
		u := &f.uses[i]
		if send, ok := u.node.(*ast.SendStmt); u.kind == opSend && (!ok || u.via != nil || !why.counted[send]) {
			return nil // a send the count does not hold
		}
	}
	for _, cur := range mentions {
		if sel, ok := cur.Parent().Node().(*ast.SelectorExpr); ok && sel.Sel == cur.Node() {
			cur = cur.Parent()
		}
		if call, ok := cur.Parent().Node().(*ast.CallExpr); ok {
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
				if b, ok := r.x.info.Uses[id].(*types.Builtin); ok && (b.Name() == "len" || b.Name() == "cap") {
					return nil
				}
			}
		}
	}
	size := strconv.Itoa(why.sends)
	e := &editor{}
	if len(why.made.Args) == 1 {
		e.insert(why.made.Args[0].End(), ", "+size)
	} else {
		e.replace(why.made.Args[1].Pos(), why.made.Args[1].End(), size)
	}
	return e.fix(fixEnlargeBuffer, why.channel, size)
}

// waitsOnNothing reports whether fn's own code, besides its sends on ch,
// has nothing that may wait for another goroutine: no receive, no other
// send, no select without default, no call given a channel, no Wait
// (sync.WaitGroup, errgroup). A range over ch that waits for fn's close
// at its return would otherwise keep fn waiting too.
func waitsOnNothing(x *index, fn ast.Node, ch *types.Var) bool {
	body := bodyOf(fn)
	if body == nil {
		return false
	}
	ok := true
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			return false // a goroutine of its own; function literals count
		case *ast.SendStmt:
			ok = ok && objectOf(x, n.Chan) == ch
		case *ast.UnaryExpr:
			ok = ok && n.Op != token.ARROW
		case *ast.RangeStmt:
			ok = ok && !isChan(x.info.TypeOf(n.X))
		case *ast.SelectStmt:
			ok = ok && hasDefault(n)
		case *ast.CallExpr:
			if id, isIdent := ast.Unparen(n.Fun).(*ast.Ident); isIdent {
				if _, builtin := x.info.Uses[id].(*types.Builtin); builtin {
					return ok
				}
			}
			for _, arg := range n.Args {
				ok = ok && !isChan(x.info.TypeOf(arg))
			}
			if fn := staticCallee(x.info, n); fn != nil && strings.HasPrefix(fn.Name(), "Wait") {
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
func calleeCloseFix(r *rules, uo useOf) *fix {
	f := uo.local.flow
	if f.escapes || f.defs != 1 || f.made == nil {
		return nil
	}
	for i := range f.uses {
		if !f.uses[i].kind.receives() || !closeSafeReceive(r.x, &f.uses[i]) {
			return nil
		}
	}
	var target *ast.FuncDecl
	var param *types.Var
	for _, s := range r.gs.list {
		if s.lit != nil || s.callee == nil || s.call == nil {
			continue
		}
		for i, arg := range s.call.Args {
			if objectOf(r.x, arg) != f.v {
				continue
			}
			decl := r.x.decls[s.callee]
			if target != nil || decl == nil || s.parent != uo.local.owner || s.callee.Exported() || instances(r, s, f.v) != 1 || !calledOnce(r.x, s.callee) {
				return nil
			}
			params := s.callee.Signature().Params()
			if i >= params.Len() || s.callee.Signature().Variadic() && i >= params.Len()-1 || len(r.x.mentions(decl, params.At(i))) > 1 {
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
	return e.fix(fixDeferClose, param.Name(), "")
}

// calledOnce reports whether fn is mentioned in the package only once (by
// the call that runs it) and, for a method, no interface of the package
// has a method of its name (a call through one would not mention it).
func calledOnce(x *index, fn *types.Func) bool {
	n := 0
	for _, obj := range x.info.Uses {
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
	scope := x.pkg.Scope()
	for _, name := range scope.Names() {
		if tn, ok := scope.Lookup(name).(*types.TypeName); ok && types.IsInterface(tn.Type()) {
			if obj, _, _ := types.LookupFieldOrMethod(tn.Type(), false, x.pkg, fn.Name()); obj != nil {
				return false
			}
		}
	}
	return true
}
