package fix

import (
	"go/ast"
	"go/types"

	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// Waits that only a close releases: defer close(ch).

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
