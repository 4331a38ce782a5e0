package fix

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/rule"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Buffers filled before any receiver: enlarge them.

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
