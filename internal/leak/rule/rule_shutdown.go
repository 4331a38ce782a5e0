package rule

import (
	"go/ast"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/contract"
	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/model"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
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
func shutdownVerdicts(r *Input) []verdict.Verdict {
	out := strandedGoroutines(r)
	walked := map[*ast.BlockStmt]bool{}
	for _, s := range r.Gs.List {
		if s.Body == nil || walked[s.Body] {
			continue
		}
		walked[s.Body] = true
		named := ownerOfLoop(r.X, s)
		if named == nil {
			continue
		}
		stops, _ := contract.WaitFields(r.X, r.Sum, s, named)
		if len(stops) == 0 {
			continue
		}
		shutdown := model.ReleaseMethods(r.X, r.M, named, stops, s.Callee)
		if len(shutdown) == 0 {
			continue
		}
		loop := topLoop(s.Body)
		if loop == nil {
			continue
		}
		flags := fieldsSetBy(r.X, named, shutdown)
		for _, cc := range loopCases(r.X, loop) {
			ch, send := syntax.CommChannel(cc)
			field := contract.OwnField(r.X.Info, ch, named)
			if send || field == nil || stops[field] {
				continue
			}
			out = append(out, strandedSends(r, s, named, loop, field, shutdown, stops, flags)...)
		}
	}
	reported := map[ast.Node]bool{}
	for _, v := range out {
		reported[v.At] = true
	}
	return append(out, giveUpVerdicts(r, reported)...)
}

// strandedGoroutines finds a method of a type that loops in a select with
// a case that returns on shutdown (<-ctx.Done(), or a receive from a
// channel field of the type), and another case that is the only receiver
// of a channel field; a goroutine that a method of the type starts sends
// on that field with a plain send. Once the loop has returned on
// shutdown, the goroutine's send blocks for ever.
func strandedGoroutines(r *Input) []verdict.Verdict {
	if len(r.Gs.List) == 0 {
		return nil // no goroutine to strand: no need to look at every method
	}
	var out []verdict.Verdict
	for fn, decl := range r.X.Decls {
		loop := topLoop(decl.Body)
		if loop == nil || decl.Recv == nil {
			continue
		}
		named := contract.StarterType(r.X.Pkg, fn)
		if named == nil {
			continue
		}
		stop := shutdownCase(r.X, loop, named)
		if stop == nil {
			continue
		}
		for _, cc := range loopCases(r.X, loop) {
			ch, send := syntax.CommChannel(cc)
			field := contract.OwnField(r.X.Info, ch, named)
			if cc == stop || send || field == nil {
				continue
			}
			for _, u := range onlyReceiverSends(r, loop, field) {
				s := startedBy(r, u, named)
				if s == nil || !u.Blocks() || u.Via != nil {
					continue
				}
				out = append(out, verdict.Verdict{Pattern: pattern.UnreadSend, At: u.Node, Spawn: s, Why: verdict.AfterShutdown{
					BlockedOp: verdict.BlockedOp{Kind: flow.OpSend, Channel: syntax.ShortExpr(u.At.Node().(ast.Expr)), Unbuffered: true},
					Receiver:  decl.Name.Name,
					StopCase:  stop,
				}})
			}
		}
	}
	return out
}

// shutdownCase is a case of the loop's selects that receives from
// ctx.Done() or from a channel field of named, and returns.
func shutdownCase(x *syntax.Index, loop *ast.ForStmt, named *types.Named) *ast.CommClause {
	for _, cc := range loopCases(x, loop) {
		ch, send := syntax.CommChannel(cc)
		if ch == nil || send {
			continue
		}
		if syntax.ContextOfDone(x, ch) == nil && contract.OwnField(x.Info, ch, named) == nil {
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
func onlyReceiverSends(r *Input, loop *ast.ForStmt, field *types.Var) []*flow.ChanUse {
	f := r.M.FieldFlow(field)
	if f == nil || f.Escapes || f.Buffered || f.Defs == 0 {
		return nil
	}
	var sends []*flow.ChanUse
	for i := range f.Uses {
		u := &f.Uses[i]
		switch {
		case u.Kind.Receives():
			if u.Pos() < loop.Pos() || u.Pos() >= loop.End() || u.Via != nil {
				return nil // another receiver
			}
		case u.Kind == flow.OpSend:
			sends = append(sends, u)
		}
	}
	return sends
}

// startedBy is the goroutine, started in a method of named, whose own
// code makes the use u; nil when there is none.
func startedBy(r *Input, u *flow.ChanUse, named *types.Named) *flow.Spawn {
	for _, s := range r.Gs.List {
		if s.Body == nil || u.Pos() < s.Body.Pos() || u.Pos() >= s.Body.End() || u.Place.Owner != s.Fn {
			continue
		}
		if decl, ok := s.Parent.(*ast.FuncDecl); ok && decl.Recv != nil {
			if fn, ok := r.X.Info.Defs[decl.Name].(*types.Func); ok && syntax.IsMethodOfNamed(fn, named) {
				return s
			}
		}
	}
	return nil
}

// ownerOfLoop is the type whose goroutine s is: the receiver's type of
// the method it runs, or of the method whose literal it is.
func ownerOfLoop(x *syntax.Index, s *flow.Spawn) *types.Named {
	fn := s.Callee
	if s.Lit != nil {
		decl, ok := s.Parent.(*ast.FuncDecl)
		if !ok || decl.Recv == nil {
			return nil
		}
		fn, _ = x.Info.Defs[decl.Name].(*types.Func)
	}
	if fn == nil || fn.Signature().Recv() == nil {
		return nil
	}
	return contract.StarterType(x.Pkg, fn)
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
func loopCases(x *syntax.Index, loop *ast.ForStmt) []*ast.CommClause {
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
func strandedSends(r *Input, s *flow.Spawn, named *types.Named, loop *ast.ForStmt, field *types.Var, shutdown []string, stops, flags map[*types.Var]bool) []verdict.Verdict {
	var out []verdict.Verdict
	for _, u := range onlyReceiverSends(r, loop, field) {
		method := model.MethodAround(r.X.Info, u.At, named)
		if !u.Blocks() || u.Via != nil || method == nil || !method.Exported() || slices.Contains(shutdown, method.Name()) {
			continue
		}
		if looksAtFlag(r.X, method, flags) {
			continue
		}
		out = append(out, verdict.Verdict{Pattern: pattern.UnreadSend, At: u.Node, Why: verdict.AfterShutdown{
			BlockedOp: verdict.BlockedOp{Kind: flow.OpSend, Channel: syntax.ShortExpr(u.At.Node().(ast.Expr)), Unbuffered: true},
			Method:    method.Name(),
			Receiver:  syntax.FuncName(s.Fn),
			Loop:      s,
			StopCase:  stopCase(r.X, loop, named, stops),
			Shutdown:  shutdown,
		}})
	}
	return out
}

// stopCase is the first case of the loop that receives from a stop field.
func stopCase(x *syntax.Index, loop *ast.ForStmt, named *types.Named, stops map[*types.Var]bool) *ast.CommClause {
	for _, cc := range loopCases(x, loop) {
		if ch, send := syntax.CommChannel(cc); ch != nil && !send && stops[contract.OwnField(x.Info, ch, named)] {
			return cc
		}
	}
	return nil
}

// fieldsSetBy lists the fields of named that the shutdown methods assign
// or pass by address (a closed flag, an atomic).
func fieldsSetBy(x *syntax.Index, named *types.Named, shutdown []string) map[*types.Var]bool {
	set := map[*types.Var]bool{}
	for fn, decl := range x.Decls {
		if decl.Recv == nil || !syntax.IsMethodOfNamed(fn, named) || !slices.Contains(shutdown, fn.Name()) {
			continue
		}
		root := x.CursorOf(decl.Body)
		if !root.Valid() {
			continue
		}
		root.Inspect([]ast.Node{(*ast.SelectorExpr)(nil)}, func(cur inspector.Cursor) bool {
			sel := cur.Node().(*ast.SelectorExpr)
			v, ok := x.Info.Uses[sel.Sel].(*types.Var)
			if !ok || !v.IsField() || syntax.IsChan(v.Type()) || isSyncPrimitive(v.Type()) {
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
func looksAtFlag(x *syntax.Index, method *types.Func, flags map[*types.Var]bool) bool {
	decl := x.Decls[method]
	if decl == nil || len(flags) == 0 {
		return false
	}
	found := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && !found {
			if v, ok := x.Info.Uses[sel.Sel].(*types.Var); ok && flags[v.Origin()] {
				found = true
			}
		}
		return !found
	})
	return found
}

func isSyncPrimitive(t types.Type) bool {
	return syntax.IsNamed(t, "sync", "Mutex") || syntax.IsNamed(t, "sync", "RWMutex") || syntax.IsNamed(t, "sync", "WaitGroup") || syntax.IsNamed(t, "sync", "Once")
}
