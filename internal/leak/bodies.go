package leak

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
)

// checkGoroutineBodies walks the code of each goroutine for what does not
// depend on a local channel: endless loops, selects that can never
// proceed, and receives from channels that can never be ready.
func (c *checker) checkGoroutineBodies(spawns []*spawn) {
	walked := map[*ast.BlockStmt]bool{}
	for _, s := range spawns {
		body := s.body(c)
		if body == nil {
			c.checkForeignSpawn(s)
			continue
		}
		if s.lit == nil && !s.processLifetime {
			if l := c.foreverLoop(s.callee); l != nil && l.via != nil {
				c.reportLoop(s, l.loop, l.via)
			}
		}
		var root inspector.Cursor
		var ok bool
		if s.lit != nil {
			root, ok = s.cur.FindNode(body) // within the go statement: cheap
		} else if !walked[body] {
			walked[body] = true // a named function started from many places is walked once
			root = c.cursorOf(body)
			ok = root.Valid()
		}
		if !ok {
			continue
		}
		root.Inspect(nil, func(cur inspector.Cursor) bool {
			switch n := cur.Node().(type) {
			case *ast.FuncLit:
				return isCalledInPlace(cur)
			case *ast.GoStmt:
				return false // a goroutine of its own
			case *ast.LabeledStmt, *ast.ForStmt, *ast.RangeStmt:
				if _, labelled := cur.Parent().Node().(*ast.LabeledStmt); labelled {
					break // checked with its label
				}
				if loop := c.endlessLoopStmt(n.(ast.Stmt)); loop != nil && !s.processLifetime {
					c.reportLoop(s, loop, nil)
					return false
				}
				if rs, ok := n.(*ast.RangeStmt); ok {
					c.checkDeadRecv(s, rs, rs.X, "ranging over")
				}
			case *ast.ExprStmt:
				if call := exprStmtCall(n); call != nil && !s.processLifetime {
					if callee := staticCallee(c.info, call); callee != nil {
						if l := c.foreverLoop(callee); l != nil {
							c.reportLoop(s, l.loop, call)
						}
					}
				}
			case *ast.SelectStmt:
				c.checkSelect(s, n)
			case *ast.UnaryExpr:
				if n.Op == token.ARROW && commClauseOf(cur) == nil {
					c.checkDeadRecv(s, n, n.X, "receiving from")
				}
			}
			return true
		})
	}
}

// checkForeignSpawn reports `go pkg.F(...)` where facts say F loops for ever.
func (c *checker) checkForeignSpawn(s *spawn) {
	if s.callee == nil || s.processLifetime {
		return
	}
	var fact loopsForever
	if !c.pass.ImportObjectFact(s.callee, &fact) {
		return
	}
	name := s.callee.FullName()
	msg := fmt.Sprintf("goroutine never finishes: %s loops for ever", name)
	if fact.IgnoresContext {
		msg = fmt.Sprintf("goroutine never finishes: %s loops for ever and ignores its context", name)
	}
	c.reportAt(EndlessLoop, s.start, msg)
}

// checkDeadRecv reports a receive whose channel can never be ready:
// ctx.Done() of a context that is never cancelled, nil, or an unexported
// field that nothing in the package sends to or closes.
func (c *checker) checkDeadRecv(s *spawn, at ast.Node, ch ast.Expr, verb string) {
	if why, dead := c.deadNonLocal(ch); dead {
		c.reportAt(UnguardedRecv, at, fmt.Sprintf("goroutine blocks for ever %s %s: %s", verb, shortExpr(ch), why), startedHere(s))
	}
}

// deadNonLocal tells whether a channel expression other than a local
// variable is one that nothing will ever send to or close.
func (c *checker) deadNonLocal(ch ast.Expr) (why string, dead bool) {
	ch = ast.Unparen(ch)
	if id, ok := ch.(*ast.Ident); ok && c.info.Uses[id] == types.Universe.Lookup("nil") {
		return "the channel is nil", true
	}
	if ctx := c.neverDoneContext(ch); ctx != "" {
		return ctx + ", which is never cancelled", true
	}
	if sel, ok := ch.(*ast.SelectorExpr); ok {
		if field, ok := c.info.Uses[sel.Sel].(*types.Var); ok && field.IsField() {
			if f := c.fieldFlow(field); f != nil && !f.escapes {
				if f.count(func(u *chanUse) bool { return u.kind == opSend || u.kind == opClose }) == 0 {
					return fmt.Sprintf("nothing in package %s sends to or closes field %s", c.pass.Pkg.Name(), field.Name()), true
				}
			}
		}
	}
	return "", false
}

// neverDoneContext recognises ctx.Done() where ctx is
// context.Background() or context.TODO(), directly or through a local
// variable given that value once; it describes the context, or returns "".
func (c *checker) neverDoneContext(e ast.Expr) string {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || len(call.Args) != 0 {
		return ""
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Done" || !isNamed(c.info.TypeOf(sel.X), "context", "Context") {
		return ""
	}
	x := ast.Unparen(sel.X)
	if id, ok := x.(*ast.Ident); ok {
		v, ok := c.info.Uses[id].(*types.Var)
		if !ok {
			return ""
		}
		x = c.soleValue(v)
		if x == nil {
			return ""
		}
	}
	if call, ok := x.(*ast.CallExpr); ok {
		if fn := staticCallee(c.info, call); isFunc(fn, "context", "Background", "TODO") {
			return fmt.Sprintf("%s is context.%s()", types.ExprString(sel.X), fn.Name())
		}
	}
	return ""
}

// soleValue returns the one value a local variable is ever given, or nil
// when it is assigned more than once, has its address taken or is a
// parameter.
func (c *checker) soleValue(v *types.Var) ast.Expr {
	if v.IsField() || v.Parent() == nil || v.Parent() == c.pass.Pkg.Scope() {
		return nil
	}
	idCur, ok := c.root().FindByPos(v.Pos(), v.Pos())
	if !ok {
		return nil
	}
	var owner ast.Node
	for enc := range idCur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		owner = enc.Node()
		break
	}
	if owner == nil {
		return nil
	}
	var value ast.Expr
	values := 0
	for _, cur := range c.mentions(owner, v) {
		id := cur.Node().(*ast.Ident)
		if isParamOrResultIdent(cur) {
			return nil
		}
		parent := cur.Parent().Node()
		switch p := parent.(type) {
		case *ast.AssignStmt:
			for i, lhs := range p.Lhs {
				if lhs == id {
					if len(p.Lhs) != len(p.Rhs) {
						return nil
					}
					value = ast.Unparen(p.Rhs[i])
					values++
				}
			}
		case *ast.ValueSpec:
			for i, name := range p.Names {
				if name == id {
					if len(p.Values) != len(p.Names) {
						return nil
					}
					value = ast.Unparen(p.Values[i])
					values++
				}
			}
		case *ast.UnaryExpr:
			if p.Op == token.AND {
				return nil
			}
		case *ast.RangeStmt, *ast.IncDecStmt:
			return nil
		}
	}
	if values != 1 {
		return nil
	}
	return value
}

// fieldFlow classifies every use of an unexported channel field declared
// in this package; nil for other fields.
func (c *checker) fieldFlow(field *types.Var) *chanFlow {
	field = field.Origin()
	if field.Exported() || field.Pkg() != c.pass.Pkg || !isChan(field.Type()) {
		return nil
	}
	if f, ok := c.fields[field]; ok {
		return f
	}
	if c.fields == nil {
		c.fields = make(map[*types.Var]*chanFlow)
	}
	f := &chanFlow{v: field, capacity: -1, field: true}
	c.fields[field] = f
	if c.positionallyBuilt(field) {
		f.escapes = true // a positional literal gives it a value we do not name
		return f
	}
	for _, cur := range c.mentions(nil, field) {
		if c.info.Defs[cur.Node().(*ast.Ident)] == field {
			continue // the field's declaration
		}
		if sel, ok := cur.Parent().Node().(*ast.SelectorExpr); ok && sel.Sel == cur.Node() {
			cur = cur.Parent()
		}
		c.classify(f, cur, 0)
		if f.escapes {
			break
		}
	}
	return f
}

// positionallyBuilt reports whether a struct literal without keys builds
// a value of a struct type with the field. The struct types so built are
// collected in one walk of the package.
func (c *checker) positionallyBuilt(field *types.Var) bool {
	if c.positional == nil {
		c.positional = []types.Type{}
		for cur := range c.root().Preorder((*ast.CompositeLit)(nil)) {
			lit := cur.Node().(*ast.CompositeLit)
			if len(lit.Elts) == 0 {
				continue
			}
			if _, keyed := lit.Elts[0].(*ast.KeyValueExpr); !keyed {
				if t := c.info.TypeOf(lit); t != nil {
					if _, ok := t.Underlying().(*types.Struct); ok {
						c.positional = append(c.positional, t)
					}
				}
			}
		}
	}
	for _, t := range c.positional {
		if hasField(t, field) {
			return true
		}
	}
	return false
}

func hasField(t types.Type, field *types.Var) bool {
	if t == nil {
		return false
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := range st.NumFields() {
		if st.Field(i).Origin() == field.Origin() {
			return true
		}
	}
	return false
}

// checkSelect reports a select in a goroutine none of whose cases can ever
// proceed.
func (c *checker) checkSelect(s *spawn, sel *ast.SelectStmt) {
	if len(sel.Body.List) == 0 {
		c.reportAt(UnguardedRecv, sel, "goroutine blocks for ever in an empty select", startedHere(s))
		return
	}
	var reasons []string
	for _, clause := range sel.Body.List {
		cc := clause.(*ast.CommClause)
		if cc.Comm == nil {
			return // default
		}
		why, dead := c.deadCase(cc)
		if !dead {
			return
		}
		reasons = append(reasons, why)
	}
	msg := "goroutine blocks for ever in select: no case can proceed"
	if len(reasons) == 1 {
		msg += ": " + reasons[0]
	} else {
		msg += " (" + joinReasons(reasons) + ")"
	}
	c.reportAt(UnguardedRecv, sel, msg, startedHere(s))
}

func joinReasons(rs []string) string {
	out := ""
	for i, r := range rs {
		if i > 0 {
			out += "; "
		}
		out += r
	}
	return out
}

// deadCase tells whether a select case can never proceed.
func (c *checker) deadCase(cc *ast.CommClause) (why string, dead bool) {
	ch, send := commChannel(cc)
	if ch == nil {
		return "", false
	}
	if id, ok := ast.Unparen(ch).(*ast.Ident); ok {
		if v, ok := c.info.Uses[id].(*types.Var); ok && c.flows[v] != nil {
			f := c.flows[v]
			switch {
			case f.escapes:
				return "", false
			case f.isNil:
				return v.Name() + " is nil", true
			case send && f.capacity == 0 && f.count(func(u *chanUse) bool { return u.kind.receives() }) == 0:
				return "nothing receives from " + v.Name(), true
			case !send && f.count(func(u *chanUse) bool { return u.kind == opSend || u.kind == opClose }) == 0:
				return "nothing sends to or closes " + v.Name(), true
			}
			return "", false
		}
	}
	if send {
		return "", false
	}
	return c.deadNonLocal(ch)
}

// shortExpr prints an expression for a message, shortened.
func shortExpr(e ast.Expr) string {
	s := types.ExprString(e)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}
