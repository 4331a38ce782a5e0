package leak

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
)

// checkChannels examines every local channel of the functions that start
// goroutines and reports goroutines that block on one for ever.
func (c *checker) checkChannels(spawns []*spawn) {
	c.flows = make(map[*types.Var]*chanFlow)
	type local struct {
		v     *types.Var
		owner ast.Node
	}
	var locals []local
	for _, decl := range c.declsWithSpawns(spawns) {
		root := c.cursorOf(decl)
		for cur := range root.Preorder((*ast.Ident)(nil)) {
			id := cur.Node().(*ast.Ident)
			v, ok := c.info.Defs[id].(*types.Var)
			if !ok || v.IsField() || !isChan(v.Type()) || isParamOrResultIdent(cur) {
				continue
			}
			if owner := c.placeAt(cur).owner; owner != nil {
				c.flows[v] = c.flowOf(v, bodyOf(owner))
				locals = append(locals, local{v, owner})
			}
		}
	}
	// All flows are known before any rule runs: rules ask whether other
	// channels (the other cases of a select) can ever be ready.
	for _, l := range locals {
		f := c.flows[l.v]
		if f.escapes {
			continue
		}
		for i := range f.uses {
			u := &f.uses[i]
			s := c.spawnOf(u)
			if s == nil || !u.blocks() {
				continue
			}
			if u.kind.receives() {
				c.checkRecv(s, u, f, l.owner)
			} else {
				c.checkSend(s, u, f, l.owner)
			}
		}
	}
}

func (c *checker) declsWithSpawns(spawns []*spawn) []*ast.FuncDecl {
	var out []*ast.FuncDecl
	seen := map[*ast.FuncDecl]bool{}
	for _, s := range spawns {
		for enc := range s.cur.Enclosing((*ast.FuncDecl)(nil)) {
			d := enc.Node().(*ast.FuncDecl)
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	return out
}

func bodyOf(fn ast.Node) *ast.BlockStmt {
	switch fn := fn.(type) {
	case *ast.FuncDecl:
		return fn.Body
	case *ast.FuncLit:
		return fn.Body
	}
	return nil
}

// checkRecv reports a goroutine's receive (or range) that nothing will
// satisfy on some path.
func (c *checker) checkRecv(s *spawn, u *chanUse, f *chanFlow, owner ast.Node) {
	name := f.v.Name()
	what := "receiving from " + name
	if u.kind == opRange {
		what = "ranging over " + name
	}
	if u.via != nil {
		what = fmt.Sprintf("in %s, %s", u.callee.Name(), what)
	}
	if f.isNil {
		c.reportAt(UnguardedRecv, u.node, fmt.Sprintf("goroutine blocks for ever %s: %s is a nil channel", what, name), startedHere(s))
		return
	}
	sends := f.count(func(r *chanUse) bool { return r.kind == opSend })
	closes := f.count(func(r *chanUse) bool { return r.kind == opClose })
	needsClose := u.kind == opRange && !c.rangeCanLeave(u)
	switch {
	case sends == 0 && closes == 0:
		c.reportAt(UnguardedRecv, u.node, fmt.Sprintf("goroutine blocks for ever %s: nothing sends to or closes %s", what, name), startedHere(s))
		return
	case needsClose && closes == 0:
		c.reportAt(UnguardedRecv, u.node, fmt.Sprintf("goroutine blocks for ever %s: nothing closes %s, so the loop never ends", what, name), startedHere(s))
		return
	}
	releases := c.usesWhere(f, func(r *chanUse) bool {
		return r.kind == opClose || r.kind == opSend && !needsClose
	})
	esc := c.escapeFrom(s, owner, releases)
	if esc == nil {
		return
	}
	verb := "sending to or closing"
	if needsClose {
		verb = "closing"
	}
	c.reportEscape(UnguardedRecv, s, u, esc, owner, "goroutine blocks for ever "+what, verb+" "+name)
}

// rangeCanLeave reports whether a range over a channel has a way out other
// than the channel being closed (a sentinel value, say).
func (c *checker) rangeCanLeave(u *chanUse) bool {
	rs, ok := u.node.(*ast.RangeStmt)
	if !ok {
		return false // a callee's range, which its summary says has no other way out
	}
	return c.canLeave(rs.Body, rangeLabel(u))
}

// rangeLabel is the label of the range statement of u, or "".
func rangeLabel(u *chanUse) string {
	for enc := range u.at.Enclosing((*ast.RangeStmt)(nil)) {
		if ls, ok := enc.Parent().Node().(*ast.LabeledStmt); ok {
			return ls.Label.Name
		}
		break
	}
	return ""
}

// usesWhere returns pointers to the uses that satisfy pred.
func (c *checker) usesWhere(f *chanFlow, pred func(*chanUse) bool) []*chanUse {
	var out []*chanUse
	for i := range f.uses {
		if pred(&f.uses[i]) {
			out = append(out, &f.uses[i])
		}
	}
	return out
}

// escapeFrom looks for a path on which the function that started s returns
// without any of the releases. It gives up (nil) unless every release is
// an operation of that function itself that comes after the go statement:
// releases in other goroutines, callbacks or deferred calls have timing we
// do not follow.
func (c *checker) escapeFrom(s *spawn, owner ast.Node, releases []*chanUse) *escapePath {
	if s.parent != owner {
		return nil
	}
	for _, r := range releases {
		p := c.placeAt(r.at)
		if p.owner != owner || p.deferred || r.pos() < s.start.End() {
			return nil
		}
	}
	return c.findEscape(c.cfgOf(owner), s.cur, releases)
}

// reportEscape reports u, relating the go statement and the path that
// abandons the goroutine.
//
// The message reads "<blocked>: F can return [through the X case] without <missing>".
func (c *checker) reportEscape(p Pattern, s *spawn, u *chanUse, esc *escapePath, owner ast.Node, blocked, missing string) {
	rel := []analysis.RelatedInformation{startedHere(s)}
	route := ""
	if esc.choice != nil {
		label := "the default case"
		if esc.choice.Comm != nil {
			label = "the " + caseLabel(esc.choice) + " case"
		}
		route = " through " + label
		rel = append(rel, analysis.RelatedInformation{Pos: esc.choice.Pos(), End: esc.choice.Colon + 1, Message: label + " is taken instead"})
	}
	msg := fmt.Sprintf("%s: %s can return%s without %s", blocked, funcName(owner), route, missing)
	rel = append(rel, related(esc.ret, fmt.Sprintf("%s returns here without %s", funcName(owner), missing)))
	c.reportAt(p, u.node, msg, rel...)
}

// caseLabel shortens a select case for messages: "time.After", "ctx.Done()".
func caseLabel(cc *ast.CommClause) string {
	e, send := commChannel(cc)
	switch {
	case e == nil:
		return "other"
	case send:
		return shortExpr(e) + " <-"
	}
	if call, ok := ast.Unparen(e).(*ast.CallExpr); ok {
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name != "Done" {
			return types.ExprString(sel) // time.After(...) → time.After
		}
	}
	return shortExpr(e)
}

func (c *checker) reportAt(p Pattern, at ast.Node, msg string, rel ...analysis.RelatedInformation) {
	c.report(p, analysis.Diagnostic{Pos: at.Pos(), End: keywordEnd(at), Message: msg, Related: rel})
}

// keywordEnd ends the highlighted range of a statement with a body at its
// keyword, so editors do not underline a whole loop.
func keywordEnd(n ast.Node) token.Pos {
	switch n.(type) {
	case *ast.ForStmt, *ast.RangeStmt:
		return n.Pos() + token.Pos(len("for"))
	case *ast.SelectStmt:
		return n.Pos() + token.Pos(len("select"))
	}
	return n.End()
}

// cursorOf finds the cursor of a node of this package. FindByPos skips
// the subtrees that end before the node, where FindNode walks every node
// before it.
func (c *checker) cursorOf(n ast.Node) inspector.Cursor {
	cur, ok := c.root().FindByPos(n.Pos(), n.End())
	if ok && cur.Node() == n {
		return cur
	}
	if cur, ok = c.root().FindNode(n); ok {
		return cur
	}
	return inspector.Cursor{}
}

// commChannel returns the channel a select case communicates on, and
// whether it sends on it; nil for the default case.
func commChannel(cc *ast.CommClause) (ch ast.Expr, send bool) {
	var recv ast.Expr
	switch comm := cc.Comm.(type) {
	case *ast.SendStmt:
		return comm.Chan, true
	case *ast.ExprStmt:
		recv = comm.X
	case *ast.AssignStmt:
		if len(comm.Rhs) == 1 {
			recv = comm.Rhs[0]
		}
	}
	if u, ok := ast.Unparen(recv).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
		return u.X, false
	}
	return nil, false
}
