package flow

import (
	"go/ast"
	"go/constant"
	"go/token"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// Send counts, a summary of a body: how many times one run of it can send
// on a channel along a single path (many when a loop sends), for the rule
// that compares sends with receives.

// many stands for "unbounded" in counts of sends.
const Many = 1 << 20

// sendCount is, for the paths through a statement, the largest number of
// sends on a path that falls through it, that returns (or panics), that
// breaks out of the enclosing loop or switch, and that continues the
// enclosing loop; -1 where there is no such path.
type sendCount struct{ Fall, Ret, brk, cont int }

var noSends = sendCount{Fall: 0, Ret: -1, brk: -1, cont: -1}

func (x sendCount) or(y sendCount) sendCount {
	return sendCount{max(x.Fall, y.Fall), max(x.Ret, y.Ret), max(x.brk, y.brk), max(x.cont, y.cont)}
}

// CountSends walks a statement list in order.
func CountSends(sum *Summaries, list []ast.Stmt, sends map[ast.Node]int) sendCount {
	acc := noSends
	for _, stmt := range list {
		x := countStmt(sum, stmt, sends)
		after := func(n int) int {
			if n < 0 {
				return -1
			}
			return Sat(acc.Fall + n)
		}
		acc.Ret = max(acc.Ret, after(x.Ret))
		acc.brk = max(acc.brk, after(x.brk))
		acc.cont = max(acc.cont, after(x.cont))
		if x.Fall < 0 {
			acc.Fall = -1
			return acc
		}
		acc.Fall = Sat(acc.Fall + x.Fall)
	}
	return acc
}

func Sat(n int) int { return min(n, Many) }

func countStmt(sum *Summaries, stmt ast.Stmt, sends map[ast.Node]int) sendCount {
	switch s := stmt.(type) {
	case *ast.SendStmt:
		if n := sends[s]; n > 0 {
			return sendCount{Fall: n, Ret: -1, brk: -1, cont: -1}
		}
	case *ast.ReturnStmt:
		return sendCount{Fall: -1, Ret: callSends(s.Results, sends), brk: -1, cont: -1}
	case *ast.AssignStmt:
		// x = f(ch): the callee's sends, as in a call statement.
		if n := callSends(s.Rhs, sends); n > 0 {
			return sendCount{Fall: n, Ret: -1, brk: -1, cont: -1}
		}
	case *ast.BranchStmt:
		switch {
		case s.Label != nil || s.Tok == token.GOTO:
			// Leaves for somewhere we do not follow: counted as leaving.
			return sendCount{Fall: -1, Ret: 0, brk: -1, cont: -1}
		case s.Tok == token.BREAK:
			return sendCount{Fall: -1, Ret: -1, brk: 0, cont: -1}
		case s.Tok == token.CONTINUE:
			return sendCount{Fall: -1, Ret: -1, brk: -1, cont: 0}
		}
	case *ast.ExprStmt:
		if call, ok := ast.Unparen(s.X).(*ast.CallExpr); ok {
			if sum.neverReturns(call) {
				return sendCount{Fall: -1, Ret: 0, brk: -1, cont: -1}
			}
			if n := sends[call]; n > 0 {
				return sendCount{Fall: n, Ret: -1, brk: -1, cont: -1} // a callee's sends
			}
		}
	case *ast.BlockStmt:
		return CountSends(sum, s.List, sends)
	case *ast.LabeledStmt:
		return countStmt(sum, s.Stmt, sends)
	case *ast.IfStmt:
		els := noSends
		if s.Else != nil {
			els = countStmt(sum, s.Else, sends)
		}
		return CountSends(sum, s.Body.List, sends).or(els)
	case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
		return countClauses(sum, s, sends)
	case *ast.ForStmt:
		return countLoop(sum, s, s.Body, sends)
	case *ast.RangeStmt:
		return countLoop(sum, s, s.Body, sends)
	}
	return noSends
}

// callSends is what the calls among exprs (the values of an assignment or
// a return) send, by the counts of sends.
func callSends(exprs []ast.Expr, sends map[ast.Node]int) int {
	n := 0
	for _, e := range exprs {
		if call, ok := ast.Unparen(e).(*ast.CallExpr); ok {
			n = Sat(n + max(sends[call], 0))
		}
	}
	return n
}

// countLoop: a loop with a constant trip count whose body always goes
// round sends that many times what its body sends; otherwise an iteration
// that sends and can go round again sends without bound, and a loop that
// does not falls through (after zero iterations, or a break) and returns
// as its body does.
func countLoop(sum *Summaries, loop ast.Stmt, body *ast.BlockStmt, sends map[ast.Node]int) sendCount {
	x := CountSends(sum, body.List, sends)
	if x.Fall > 0 && x.Ret < 0 && x.brk < 0 && x.cont < 0 {
		if trips := TripCount(sum.X, loop); trips < Many {
			return sendCount{Fall: Sat(trips * x.Fall), Ret: -1, brk: -1, cont: -1}
		}
	}
	if max(x.Fall, x.cont) > 0 {
		return sendCount{Fall: Many, Ret: Many, brk: -1, cont: -1}
	}
	return sendCount{Fall: max(0, x.brk), Ret: x.Ret, brk: -1, cont: -1}
}

// countClauses combines the cases of a switch or select: one of them runs,
// and a break in a case leaves the switch, not the loop around it.
func countClauses(sum *Summaries, stmt ast.Stmt, sends map[ast.Node]int) sendCount {
	var body *ast.BlockStmt
	hasDefault := false
	switch s := stmt.(type) {
	case *ast.SwitchStmt:
		body = s.Body
	case *ast.TypeSwitchStmt:
		body = s.Body
	case *ast.SelectStmt:
		body = s.Body
		hasDefault = true // a select runs one of its cases
	}
	acc := sendCount{Fall: -1, Ret: -1, brk: -1, cont: -1}
	for _, clause := range body.List {
		var list []ast.Stmt
		switch cl := clause.(type) {
		case *ast.CaseClause:
			list = cl.Body
			if cl.List == nil {
				hasDefault = true
			}
		case *ast.CommClause:
			list = cl.Body
			if cl.Comm != nil {
				list = append([]ast.Stmt{cl.Comm}, list...)
			}
		}
		x := CountSends(sum, list, sends)
		x.Fall, x.brk = max(x.Fall, x.brk), -1
		acc = acc.or(x)
	}
	if !hasDefault {
		acc.Fall = max(acc.Fall, 0)
	}
	return acc
}

// TripCount recognises `for i := 0; i < N; i++` (or `i += 1`) and
// `for range N` with a constant N; otherwise it returns many.
func TripCount(x *syntax.Index, loop ast.Stmt) int {
	switch loop := loop.(type) {
	case *ast.RangeStmt:
		if n, ok := ConstInt(x, loop.X); ok {
			return max(n, 0)
		}
	case *ast.ForStmt:
		init, ok1 := loop.Init.(*ast.AssignStmt)
		cond, ok2 := loop.Cond.(*ast.BinaryExpr)
		counter := incremented(x, loop.Post)
		if !ok1 || !ok2 || counter == nil || len(init.Lhs) != 1 || len(init.Rhs) != 1 {
			break
		}
		id, ok := init.Lhs[0].(*ast.Ident)
		if !ok || !sameIdent(cond.X, id) || !sameIdent(counter, id) {
			break
		}
		lo, ok1 := ConstInt(x, init.Rhs[0])
		hi, ok2 := ConstInt(x, cond.Y)
		if !ok1 || !ok2 {
			break
		}
		switch cond.Op {
		case token.LSS:
			return max(hi-lo, 0)
		case token.LEQ:
			return max(hi-lo+1, 0)
		}
	}
	return Many
}

// incremented is the variable a loop's post statement adds one to (i++,
// i += 1), or nil.
func incremented(x *syntax.Index, post ast.Stmt) ast.Expr {
	switch post := post.(type) {
	case *ast.IncDecStmt:
		if post.Tok == token.INC {
			return post.X
		}
	case *ast.AssignStmt:
		if n, ok := ConstInt(x, post.Rhs[0]); ok && n == 1 && post.Tok == token.ADD_ASSIGN && len(post.Lhs) == 1 && len(post.Rhs) == 1 {
			return post.Lhs[0]
		}
	}
	return nil
}

func sameIdent(e ast.Expr, id *ast.Ident) bool {
	x, ok := ast.Unparen(e).(*ast.Ident)
	return ok && x.Name == id.Name
}

func ConstInt(x *syntax.Index, e ast.Expr) (int, bool) {
	tv := x.Info.Types[e]
	if tv.Value == nil {
		return 0, false
	}
	n, exact := constant.Int64Val(constant.ToInt(tv.Value))
	if !exact || n > Many || n < -Many {
		return 0, false
	}
	return int(n), true
}

// An ordinal bounds how many sends can precede a send on the paths that
// reach it: from lo to hi (many when a loop sends).
type Ordinal struct{ Lo, Hi int }

func (o Ordinal) Plus(n int) Ordinal { return Ordinal{Sat(o.Lo + n), Sat(o.Hi + n)} }

// union merges the ordinals of two ways into one point; nil stands for no
// way (the code is unreachable there).
func union(a, b *Ordinal) *Ordinal {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return &Ordinal{min(a.Lo, b.Lo), max(a.Hi, b.Hi)}
}

// SendOrdinals tells, for each send of the weighted set that stands as a
// statement of list (a send statement, or a call of a callee that sends),
// how many sends of the set can come before it along a path through list.
// A send that can be the first to find the buffer full is one whose
// ordinal holds the buffer's capacity (plus what was received).
func SendOrdinals(sum *Summaries, list []ast.Stmt, sends map[ast.Node]int) map[ast.Node]Ordinal {
	out := map[ast.Node]Ordinal{}
	ordinalsOf(sum, list, &Ordinal{}, sends, out)
	return out
}

// ordinalsOf walks list from the point at, records the ordinals of its
// sends in out, and returns the point after it (nil when no path falls
// through).
func ordinalsOf(sum *Summaries, list []ast.Stmt, at *Ordinal, sends map[ast.Node]int, out map[ast.Node]Ordinal) *Ordinal {
	for _, stmt := range list {
		if at == nil {
			return nil
		}
		at = ordinalsOfStmt(sum, stmt, at, sends, out)
	}
	return at
}

func ordinalsOfStmt(sum *Summaries, stmt ast.Stmt, at *Ordinal, sends map[ast.Node]int, out map[ast.Node]Ordinal) *Ordinal {
	record := func(n ast.Node, w int) *Ordinal {
		if prev, ok := out[n]; ok {
			out[n] = *union(&prev, at)
		} else {
			out[n] = *at
		}
		next := at.Plus(w)
		return &next
	}
	switch s := stmt.(type) {
	case *ast.SendStmt:
		if w := sends[s]; w > 0 {
			return record(s, w)
		}
	case *ast.ExprStmt:
		if call, ok := ast.Unparen(s.X).(*ast.CallExpr); ok {
			if sum.neverReturns(call) {
				return nil
			}
			if w := sends[call]; w > 0 {
				return record(call, w)
			}
		}
	case *ast.ReturnStmt, *ast.BranchStmt:
		return nil // the rest of the block is not reached this way
	case *ast.BlockStmt:
		return ordinalsOf(sum, s.List, at, sends, out)
	case *ast.LabeledStmt:
		return ordinalsOfStmt(sum, s.Stmt, at, sends, out)
	case *ast.IfStmt:
		then := ordinalsOf(sum, s.Body.List, at, sends, out)
		els := at
		if s.Else != nil {
			els = ordinalsOfStmt(sum, s.Else, at, sends, out)
		}
		return union(then, els)
	case *ast.ForStmt, *ast.RangeStmt:
		// Every iteration starts where the loop does, or after any number
		// of sends when the body sends; so does the code after the loop
		// (after no iteration, or a break).
		var body *ast.BlockStmt
		if f, ok := s.(*ast.ForStmt); ok {
			body = f.Body
		} else {
			body = s.(*ast.RangeStmt).Body
		}
		loop := *at
		for n := range sends {
			if body.Pos() <= n.Pos() && n.Pos() < body.End() {
				loop.Hi = Many
				break
			}
		}
		ordinalsOf(sum, body.List, &loop, sends, out)
		return &loop
	case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
		var body *ast.BlockStmt
		hasDefault := false
		switch s := s.(type) {
		case *ast.SwitchStmt:
			body = s.Body
		case *ast.TypeSwitchStmt:
			body = s.Body
		case *ast.SelectStmt:
			body, hasDefault = s.Body, true // a select runs one of its cases
		}
		var after *Ordinal
		for _, clause := range body.List {
			var list []ast.Stmt
			switch cl := clause.(type) {
			case *ast.CaseClause:
				list = cl.Body
				hasDefault = hasDefault || cl.List == nil
			case *ast.CommClause:
				list = cl.Body
				if cl.Comm != nil {
					list = append([]ast.Stmt{cl.Comm}, list...)
				}
			}
			after = union(after, ordinalsOf(sum, list, at, sends, out))
		}
		if !hasDefault {
			after = union(after, at)
		}
		return after
	}
	return at
}

// TimesRun bounds how many times the code at cur runs per run of owner,
// the function around it: the product of the trip counts of the loops
// between them (many when a count is not a constant).
func TimesRun(x *syntax.Index, cur inspector.Cursor, owner ast.Node) int {
	n := 1
	for enc := range cur.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncLit)(nil), (*ast.FuncDecl)(nil)) {
		if enc.Node() == owner {
			break
		}
		switch loop := enc.Node().(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			if enc.Node().Pos() != cur.Node().Pos() { // a range statement is not in its own loop
				n = Sat(n * TripCount(x, loop.(ast.Stmt)))
			}
		}
	}
	return n
}
