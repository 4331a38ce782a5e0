package contract

import (
	"go/ast"
	"go/types"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
)

// Read contracts: a constructor or a Start method starts a goroutine whose
// last act is a plain send on an unbuffered channel field of its type (the
// server's end, after Serve returns: s.errc <- err). Only the methods of
// the type that receive from the field, or hand it out (an accessor that
// returns it), let anything take that value. A caller that starts the
// goroutine and never calls one of them leaves it blocked on the send for
// ever, once whatever it waited for before is over.

// readContract is the read contract of starter fn's goroutine s, or nil.
func readContract(x *syntax.Index, sum *flow.Summaries, s *flow.Spawn, fn *types.Func) *Contract {
	named := StarterType(x.Pkg, fn)
	if named == nil || s.Body == nil {
		return nil
	}
	send, field := finalSend(x, s.Body, named)
	if send == nil {
		return nil
	}
	methods := readMethods(x, sum, field, named, fn, s.Body)
	if len(methods) == 0 {
		return nil
	}
	return &Contract{Methods: methods, Start: s, waitAt: send, named: named, released: map[*types.Var]bool{}, SendsOn: field.Name()}
}

// finalSend is the first send on a channel field of named among the
// goroutine's top-level statements, when no statement before it can
// return: every run that gets that far sends. It returns the send and its
// field, or nil.
func finalSend(x *syntax.Index, body *ast.BlockStmt, named *types.Named) (*ast.SendStmt, *types.Var) {
	for _, stmt := range body.List {
		if send, ok := stmt.(*ast.SendStmt); ok {
			if f := OwnField(x.Info, send.Chan, named); f != nil {
				return send, f
			}
		}
		if flow.MayLeave(stmt) {
			return nil, nil
		}
	}
	return nil, nil
}

// readMethods lists the methods of named, other than the starter, that
// receive from field or return it (a getter), closed over the methods that
// call them on their receiver. Nil unless the field is given only
// unbuffered channels, in literals or assignments we see, and every other
// use is a send in the goroutine's body: a send elsewhere, a close, a
// receive outside named's methods or a use we do not follow lets
// something else take the value or release the sender.
func readMethods(x *syntax.Index, sum *flow.Summaries, field *types.Var, named *types.Named, starter *types.Func, body *ast.BlockStmt) []string {
	if !syntax.Hidden(x, field) || x.PositionallyBuilt(field) {
		return nil
	}
	f := &flow.ChanFlow{V: field, Capacity: -1, Field: true}
	set := map[string]bool{}
	for _, cur := range x.FieldMentions(field) {
		if x.Info.Defs[cur.Node().(*ast.Ident)] == field {
			continue // the field's declaration
		}
		if sel, ok := cur.Parent().Node().(*ast.SelectorExpr); ok && sel.Sel == cur.Node() {
			cur = cur.Parent()
		}
		if ret, ok := cur.Parent().Node().(*ast.ReturnStmt); ok {
			if decl, ok := cur.Parent().Parent().Parent().Node().(*ast.FuncDecl); ok && flow.GetterReturn(x.Info, decl) == ret {
				getter, ok := x.Info.Defs[decl.Name].(*types.Func)
				if !ok || !syntax.IsMethodOfNamed(getter, named) || getter == starter {
					return nil
				}
				set[getter.Name()] = true
				continue
			}
		}
		sum.Classify(f, cur, 0)
		if f.Escapes {
			return nil
		}
	}
	if f.Defs == 0 || f.Buffered || f.Capacity != 0 {
		return nil
	}
	for _, u := range f.Uses {
		switch {
		case u.Via != nil || u.Kind == flow.OpClose:
			return nil
		case u.Kind == flow.OpSend:
			if u.Pos() < body.Pos() || u.Pos() >= body.End() {
				return nil
			}
		case u.Kind.Receives():
			method := model.MethodAround(x.Info, u.At, named)
			if method == nil || method == starter {
				return nil
			}
			set[method.Name()] = true
		}
	}
	if len(set) == 0 {
		return nil
	}
	return model.ClosedSet(x, named, set, starter)
}
