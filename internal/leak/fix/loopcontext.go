package fix

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Loops that ignore their context.

// loopFix makes an endless loop that ignores ctx return once ctx is
// cancelled. Each operation of the loop that blocks on a channel becomes,
// or gains, a select case on ctx.Done(); a loop that blocks nowhere gets a
// non-blocking check at its top; a range over a ticker's channel becomes
// a loop around such a select. Offered for a loop in the goroutine's own
// function, which returns nothing or an error, when ctx may be cancelled
// and every blocking operation is a statement of the loop's body.
func loopFix(x *syntax.Index, s *flow.Spawn, loop ast.Stmt, ctx *types.Var, via *ast.CallExpr) *verdict.Fix {
	if s == nil || via != nil || syntax.NeverCancelled(x, x.SoleValue(ctx)) != "" {
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
