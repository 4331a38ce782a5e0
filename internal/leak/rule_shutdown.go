package leak

import (
	"go/ast"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ast/inspector"
)

// One-sided shutdown: a goroutine of type T loops in a select and returns
// when a shutdown method (Stop, Close) closes or sends on a stop field; it
// is the only receiver of another channel field, and an exported method of
// T sends on that field with a plain send. Once the type is shut down,
// every such send blocks for ever.
//
// Code documented as "must not be called after Close" looks the same, so
// the rule stays silent when the sending method looks at a field that a
// shutdown method sets (a closed flag), and when the send is a select
// case, a default or another case being a way out.

// shutdownVerdicts finds the sends that shutdown strands: in exported
// methods (above), and in goroutines that the type itself starts, which
// no "must not be called after Stop" protects (see strandedGoroutines).
func shutdownVerdicts(r *rules) []verdict {
	out := strandedGoroutines(r)
	walked := map[*ast.BlockStmt]bool{}
	for _, s := range r.gs.list {
		if s.body == nil || walked[s.body] {
			continue
		}
		walked[s.body] = true
		named := ownerOfLoop(r.x, s)
		if named == nil {
			continue
		}
		stops, _ := waitFields(r.x, r.sum, s, named)
		if len(stops) == 0 {
			continue
		}
		shutdown := releaseMethods(r.x, r.m, named, stops, s.callee)
		if len(shutdown) == 0 {
			continue
		}
		loop := topLoop(s.body)
		if loop == nil {
			continue
		}
		flags := fieldsSetBy(r.x, named, shutdown)
		for _, cc := range loopCases(r.x, loop) {
			ch, send := commChannel(cc)
			field := ownField(r.x.info, ch, named)
			if send || field == nil || stops[field] {
				continue
			}
			out = append(out, strandedSends(r, s, named, loop, field, shutdown, stops, flags)...)
		}
	}
	return out
}

// strandedGoroutines finds a method of a type that loops in a select with
// a case that returns on shutdown (<-ctx.Done(), or a receive from a
// channel field of the type), and another case that is the only receiver
// of a channel field; a goroutine that a method of the type starts sends
// on that field with a plain send. Once the loop has returned on
// shutdown, the goroutine's send blocks for ever.
func strandedGoroutines(r *rules) []verdict {
	if len(r.gs.list) == 0 {
		return nil // no goroutine to strand: no need to look at every method
	}
	var out []verdict
	for fn, decl := range r.x.decls {
		loop := topLoop(decl.Body)
		if loop == nil || decl.Recv == nil {
			continue
		}
		named := starterType(r.x.pkg, fn)
		if named == nil {
			continue
		}
		stop := shutdownCase(r.x, loop, named)
		if stop == nil {
			continue
		}
		for _, cc := range loopCases(r.x, loop) {
			ch, send := commChannel(cc)
			field := ownField(r.x.info, ch, named)
			if cc == stop || send || field == nil {
				continue
			}
			for _, u := range onlyReceiverSends(r, loop, field) {
				s := startedBy(r, u, named)
				if s == nil || !u.blocks() || u.via != nil {
					continue
				}
				out = append(out, verdict{pattern: UnreadSend, at: u.node, spawn: s, why: afterShutdown{
					blockedOp: blockedOp{kind: opSend, channel: shortExpr(u.at.Node().(ast.Expr)), unbuffered: true},
					receiver:  decl.Name.Name,
					stopCase:  stop,
				}})
			}
		}
	}
	return out
}

// shutdownCase is a case of the loop's selects that receives from
// ctx.Done() or from a channel field of named, and returns.
func shutdownCase(x *index, loop *ast.ForStmt, named *types.Named) *ast.CommClause {
	for _, cc := range loopCases(x, loop) {
		ch, send := commChannel(cc)
		if ch == nil || send {
			continue
		}
		if contextOfDone(x, ch) == nil && ownField(x.info, ch, named) == nil {
			continue
		}
		returns := false
		for _, st := range cc.Body {
			if _, ok := st.(*ast.ReturnStmt); ok {
				returns = true
			}
		}
		if returns {
			return cc
		}
	}
	return nil
}

// onlyReceiverSends returns the sends on an unbuffered field whose only
// receives are in loop; nil when something else receives from it.
func onlyReceiverSends(r *rules, loop *ast.ForStmt, field *types.Var) []*chanUse {
	f := r.m.fieldFlow(field)
	if f == nil || f.escapes || f.buffered || f.defs == 0 {
		return nil
	}
	var sends []*chanUse
	for i := range f.uses {
		u := &f.uses[i]
		switch {
		case u.kind.receives():
			if u.pos() < loop.Pos() || u.pos() >= loop.End() || u.via != nil {
				return nil // another receiver
			}
		case u.kind == opSend:
			sends = append(sends, u)
		}
	}
	return sends
}

// startedBy is the goroutine, started in a method of named, whose own
// code makes the use u; nil when there is none.
func startedBy(r *rules, u *chanUse, named *types.Named) *spawn {
	for _, s := range r.gs.list {
		if s.body == nil || u.pos() < s.body.Pos() || u.pos() >= s.body.End() || u.place.owner != s.fn {
			continue
		}
		if decl, ok := s.parent.(*ast.FuncDecl); ok && decl.Recv != nil {
			if fn, ok := r.x.info.Defs[decl.Name].(*types.Func); ok && isMethodOfNamed(fn, named) {
				return s
			}
		}
	}
	return nil
}

// ownerOfLoop is the type whose goroutine s is: the receiver's type of
// the method it runs, or of the method whose literal it is.
func ownerOfLoop(x *index, s *spawn) *types.Named {
	fn := s.callee
	if s.lit != nil {
		decl, ok := s.parent.(*ast.FuncDecl)
		if !ok || decl.Recv == nil {
			return nil
		}
		fn, _ = x.info.Defs[decl.Name].(*types.Func)
	}
	if fn == nil || fn.Signature().Recv() == nil {
		return nil
	}
	return starterType(x.pkg, fn)
}

// topLoop is the condition-less for loop at the top level of body.
func topLoop(body *ast.BlockStmt) *ast.ForStmt {
	for _, stmt := range body.List {
		if fs, ok := stmt.(*ast.ForStmt); ok && fs.Cond == nil {
			return fs
		}
	}
	return nil
}

// loopCases lists the cases of the selects directly in loop's body.
func loopCases(x *index, loop *ast.ForStmt) []*ast.CommClause {
	var out []*ast.CommClause
	for _, stmt := range loop.Body.List {
		if sel, ok := stmt.(*ast.SelectStmt); ok {
			for _, c := range sel.Body.List {
				out = append(out, c.(*ast.CommClause))
			}
		}
	}
	return out
}

// strandedSends returns a verdict on each plain send on field in an
// exported method of named, when the loop is the field's only receiver.
func strandedSends(r *rules, s *spawn, named *types.Named, loop *ast.ForStmt, field *types.Var, shutdown []string, stops, flags map[*types.Var]bool) []verdict {
	var out []verdict
	for _, u := range onlyReceiverSends(r, loop, field) {
		method := methodAround(r.x.info, u.at, named)
		if !u.blocks() || u.via != nil || method == nil || !method.Exported() || slices.Contains(shutdown, method.Name()) {
			continue
		}
		if looksAtFlag(r.x, method, flags) {
			continue
		}
		out = append(out, verdict{pattern: UnreadSend, at: u.node, why: afterShutdown{
			blockedOp: blockedOp{kind: opSend, channel: shortExpr(u.at.Node().(ast.Expr)), unbuffered: true},
			method:    method.Name(),
			receiver:  funcName(s.fn),
			loop:      s,
			stopCase:  stopCase(r.x, loop, named, stops),
			shutdown:  shutdown,
		}})
	}
	return out
}

// stopCase is the first case of the loop that receives from a stop field.
func stopCase(x *index, loop *ast.ForStmt, named *types.Named, stops map[*types.Var]bool) *ast.CommClause {
	for _, cc := range loopCases(x, loop) {
		if ch, send := commChannel(cc); ch != nil && !send && stops[ownField(x.info, ch, named)] {
			return cc
		}
	}
	return nil
}

// fieldsSetBy lists the fields of named that the shutdown methods assign
// or pass by address (a closed flag, an atomic).
func fieldsSetBy(x *index, named *types.Named, shutdown []string) map[*types.Var]bool {
	set := map[*types.Var]bool{}
	for fn, decl := range x.decls {
		if decl.Recv == nil || !isMethodOfNamed(fn, named) || !slices.Contains(shutdown, fn.Name()) {
			continue
		}
		root := x.cursorOf(decl.Body)
		if !root.Valid() {
			continue
		}
		root.Inspect([]ast.Node{(*ast.SelectorExpr)(nil)}, func(cur inspector.Cursor) bool {
			sel := cur.Node().(*ast.SelectorExpr)
			v, ok := x.info.Uses[sel.Sel].(*types.Var)
			if !ok || !v.IsField() || isChan(v.Type()) || isSyncPrimitive(v.Type()) {
				return true // the channels and locks every method uses
			}
			switch p := cur.Parent().Node().(type) {
			case *ast.AssignStmt, *ast.IncDecStmt:
				set[v.Origin()] = true
			case *ast.UnaryExpr:
				set[v.Origin()] = true // &s.closed
			case *ast.SelectorExpr:
				if p.X == sel {
					set[v.Origin()] = true // s.closed.Store(true)
				}
			}
			return true
		})
	}
	return set
}

// looksAtFlag tells whether method mentions one of the flags.
func looksAtFlag(x *index, method *types.Func, flags map[*types.Var]bool) bool {
	decl := x.decls[method]
	if decl == nil || len(flags) == 0 {
		return false
	}
	found := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && !found {
			if v, ok := x.info.Uses[sel.Sel].(*types.Var); ok && flags[v.Origin()] {
				found = true
			}
		}
		return !found
	})
	return found
}

func isSyncPrimitive(t types.Type) bool {
	return isNamed(t, "sync", "Mutex") || isNamed(t, "sync", "RWMutex") || isNamed(t, "sync", "WaitGroup") || isNamed(t, "sync", "Once")
}
