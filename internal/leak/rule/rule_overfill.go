package rule

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Sends that fill a buffer before any receiver can exist: a goroutine
// makes a channel with a constant buffer, or a struct holding one, and its
// straight-line code sends on it more often than the buffer holds before
// anything else touches it. Nothing else can have the channel yet, so the
// send that finds the buffer full waits for ever. The sends may be in
// methods the goroutine calls on the struct, as their first statements.

// maxOverfillDepth bounds how deep overfill follows method calls.
const maxOverfillDepth = 2

// overfillVerdicts looks at every definition of a fresh channel at the top
// level of a goroutine's code.
func overfillVerdicts(r *Input) []verdict.Verdict {
	var out []verdict.Verdict
	walked := map[*ast.BlockStmt]bool{}
	for _, s := range r.Gs.List {
		if s.Body == nil || walked[s.Body] {
			continue
		}
		walked[s.Body] = true
		for i, st := range s.Body.List {
			obj, field, made, capacity, ok := freshChannel(r, st)
			if !ok {
				continue
			}
			fill := overfill{obj: obj, field: field, capacity: capacity}
			if v, found, _ := findOverfill(r.X, s.Body.List[i+1:], &fill, 0, nil); found {
				// For the fix: every send made before anything else
				// touches the holder, counted with no buffer to fill.
				all := overfill{obj: obj, field: field, capacity: flow.Many, counted: map[*ast.SendStmt]bool{}}
				findOverfill(r.X, s.Body.List[i+1:], &all, 0, nil)
				why := v.Why.(verdict.Overfilled)
				why.Made, why.Holder, why.Field = made, obj, field
				why.Sends, why.Counted = all.sent, all.counted
				v.Why, v.Spawn = why, s
				out = append(out, v)
			}
		}
	}
	return out
}

// overfill is a channel being followed: obj itself, or obj's field, with
// a constant buffer, and how many sends have filled it so far.
type overfill struct {
	obj      types.Object
	field    *types.Var // nil when obj is the channel
	capacity int
	sent     int
	counted  map[*ast.SendStmt]bool // when not nil, the sends counted
}

// freshChannel recognises x := make(chan T, K) and x := &S{f: make(chan
// T, K)} (or S{...}) with a constant K; it returns the make too.
func freshChannel(r *Input, st ast.Stmt) (types.Object, *types.Var, *ast.CallExpr, int, bool) {
	as, ok := st.(*ast.AssignStmt)
	if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return nil, nil, nil, 0, false
	}
	id, ok := as.Lhs[0].(*ast.Ident)
	obj := r.X.Info.Defs[id]
	if !ok || obj == nil {
		return nil, nil, nil, 0, false
	}
	value := ast.Unparen(as.Rhs[0])
	if call, ok := value.(*ast.CallExpr); ok {
		capacity, ok := flow.MakeChanCap(r.Sum.X, call)
		return obj, nil, call, capacity, ok && capacity >= 0
	}
	if u, ok := value.(*ast.UnaryExpr); ok && u.Op == token.AND {
		value = ast.Unparen(u.X)
	}
	lit, ok := value.(*ast.CompositeLit)
	if !ok {
		return nil, nil, nil, 0, false
	}
	for _, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		key, _ := kv.Key.(*ast.Ident)
		call, _ := ast.Unparen(kv.Value).(*ast.CallExpr)
		if key == nil || call == nil {
			continue
		}
		field, ok := r.X.Info.Uses[key].(*types.Var)
		if capacity, isMake := flow.MakeChanCap(r.Sum.X, call); ok && isMake && capacity >= 0 {
			return obj, field, call, capacity, true // one channel field is followed
		}
	}
	return nil, nil, nil, 0, false
}

// overfill follows the statements in order and returns the verdict on the
// send that finds the buffer full, if one comes before anything else
// touches the channel's holder. via is the goroutine's call that leads
// into a method. through says that the statements ran to their end
// without touching it otherwise, so that the caller may go on after them.
func findOverfill(x *syntax.Index, stmts []ast.Stmt, fill *overfill, depth int, via *ast.CallExpr) (v verdict.Verdict, found, through bool) {
	for _, st := range stmts {
		switch {
		case sendsOn(x, st, fill):
			fill.sent++
			if fill.counted != nil {
				fill.counted[st.(*ast.SendStmt)] = true
			}
			if fill.sent > fill.capacity {
				send := st.(*ast.SendStmt)
				return verdict.Verdict{Pattern: pattern.UnreadSend, At: send, Through: via, Why: verdict.Overfilled{
					BlockedOp: verdict.BlockedOp{Kind: flow.OpSend, Channel: syntax.ShortExpr(send.Chan), Unbuffered: fill.capacity == 0},
					Capacity:  fill.capacity,
				}}, true, false
			}
		case !MentionsObj(x, st, fill.obj):
			if _, ok := st.(*ast.ReturnStmt); ok {
				return verdict.Verdict{}, false, true
			}
		default:
			decl, recv := methodCallOn(x, st, fill)
			if decl == nil || depth >= maxOverfillDepth {
				return verdict.Verdict{}, false, false
			}
			inner := *fill
			inner.obj = recv
			next := via
			if next == nil {
				next = flow.ExprStmtCall(st)
			}
			v, found, through := findOverfill(x, decl.Body.List, &inner, depth+1, next)
			fill.sent = inner.sent // the sends made so far, for the fix
			if found || !through {
				return v, found, false
			}
		}
	}
	return verdict.Verdict{}, false, true
}

// sendsOn tells whether st is a send on the channel followed.
func sendsOn(x *syntax.Index, st ast.Stmt, fill *overfill) bool {
	send, ok := st.(*ast.SendStmt)
	if !ok || MentionsObj(x, send.Value, fill.obj) {
		return false
	}
	if fill.field == nil {
		id, ok := ast.Unparen(send.Chan).(*ast.Ident)
		return ok && x.Info.Uses[id] == fill.obj
	}
	field, base := syntax.FieldOnVar(x, send.Chan)
	return base == fill.obj && field == fill.field.Origin()
}

// MentionsObj tells whether n refers to obj.
func MentionsObj(x *syntax.Index, n ast.Node, obj types.Object) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && x.Info.Uses[id] == obj {
			found = true
		}
		return !found
	})
	return found
}

// methodCallOn recognises the statement obj.m(args) where m is a method
// of this package and args do not mention obj; it returns m and its
// receiver.
func methodCallOn(x *syntax.Index, st ast.Stmt, fill *overfill) (*ast.FuncDecl, types.Object) {
	call := flow.ExprStmtCall(st)
	if call == nil || fill.field == nil {
		return nil, nil
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || syntax.ObjectOf(x, sel.X) != fill.obj {
		return nil, nil
	}
	for _, a := range call.Args {
		if MentionsObj(x, a, fill.obj) {
			return nil, nil
		}
	}
	decl := x.Decls[syntax.StaticCallee(x.Info, call)]
	if decl == nil || decl.Recv == nil || len(decl.Recv.List) != 1 || len(decl.Recv.List[0].Names) != 1 {
		return nil, nil
	}
	return decl, x.Info.Defs[decl.Recv.List[0].Names[0]]
}
