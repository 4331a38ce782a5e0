package rule

import (
	"cmp"
	"go/ast"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/goroutineleak/goroutineleak/internal/leak/contract"
	"github.com/goroutineleak/goroutineleak/internal/leak/flow"
	"github.com/goroutineleak/goroutineleak/internal/leak/pattern"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// contractVerdicts finds calls that start a goroutine under a contract
// and then drop the object without calling a release method.
func contractVerdicts(r *Input) []verdict.Verdict {
	k := r.Contracts
	if len(k.ByStarter) == 0 && !k.Imported {
		return nil
	}
	// One walk of the package finds the calls of starters; cursors are
	// built only for the declarations that make one.
	type starterCall struct {
		call *ast.CallExpr
		fn   *types.Func
		c    *contract.Contract
	}
	var calls []starterCall
	for _, file := range r.X.Files {
		ast.Inspect(file, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if fn := syntax.StaticCallee(r.X.Info, call); fn != nil {
					if c := k.Of(r.X, fn); c != nil {
						calls = append(calls, starterCall{call, fn, c})
					}
				}
			}
			return true
		})
	}
	var out []verdict.Verdict
	for _, sc := range calls {
		if cur := r.X.CursorOf(sc.call); cur.Valid() {
			if v, ok := contractVerdict(r, cur, sc.fn, sc.c); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// contractVerdict decides on one call of a starter fn.
func contractVerdict(r *Input, cur inspector.Cursor, fn *types.Func, c *contract.Contract) (verdict.Verdict, bool) {
	methods := c.Methods
	call := cur.Node().(*ast.CallExpr)
	if decl, ok := flow.PlaceAt(cur).Owner.(*ast.FuncDecl); ok && r.Gs.Life.RunsOnce(decl) {
		return verdict.Verdict{}, false
	}
	if syntax.ExpectedToPanic(r.X.Info, cur) {
		return verdict.Verdict{}, false // the test asserts that the call panics, so it starts nothing
	}
	if syntax.ExpectedToFail(r.X.Info, cur) {
		return verdict.Verdict{}, false // the test asserts that the call fails, so it starts nothing
	}
	p := pattern.UnguardedRecv
	if c.SendsOn != "" {
		p = pattern.UnreadSend // a read contract's goroutine blocks on a send
	}
	found := func(why verdict.Reason) (verdict.Verdict, bool) {
		return verdict.Verdict{Pattern: p, At: call, Spawn: c.Start, Why: why}, true
	}
	if c.ParentArg > 0 && (c.ParentArg > len(call.Args) || syntax.NeverCancelled(r.X, call.Args[c.ParentArg-1]) == "") {
		return verdict.Verdict{}, false // the caller's context may be cancelled, which releases the goroutine
	}
	// The object is the receiver of a method starter (o.Start()), or the
	// result of a constructor.
	isMethod := fn.Type().(*types.Signature).Recv() != nil && !c.OnResult
	var id *ast.Ident
	if isMethod {
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok {
			return verdict.Verdict{}, false
		}
		if id, ok = ast.Unparen(sel.X).(*ast.Ident); !ok {
			return verdict.Verdict{}, false
		}
	} else {
		switch parent := cur.Parent().Node().(type) {
		case *ast.AssignStmt:
			if len(parent.Rhs) == 1 && parent.Rhs[0] == call {
				id, _ = parent.Lhs[0].(*ast.Ident)
			}
		case *ast.ValueSpec:
			if len(parent.Values) == 1 && parent.Values[0] == call {
				id = parent.Names[0]
			}
		case *ast.ExprStmt:
			return found(verdict.ContractDiscarded{Starter: fn, Methods: methods, Wait: c.Wait(), Loop: c.Loop(), SendsOn: c.SendsOn})
		}
		if id == nil {
			return verdict.Verdict{}, false
		}
		if id.Name == "_" {
			if syntax.ReturnsError(fn) {
				return verdict.Verdict{}, false // _, err := NewT(bad): the caller wants only the error it expects
			}
			return found(verdict.ContractDiscarded{Starter: fn, Methods: methods, Wait: c.Wait(), Loop: c.Loop()})
		}
	}
	v, ok := r.X.Info.ObjectOf(id).(*types.Var)
	if !ok || v.IsField() {
		return verdict.Verdict{}, false
	}
	vCur := r.X.CursorAt(v.Pos())
	if !vCur.Valid() {
		return verdict.Verdict{}, false
	}
	owner := flow.PlaceAt(vCur).Owner
	body := syntax.BodyOf(owner)
	if body == nil || v.Pos() < body.Pos() || v.Pos() >= body.End() {
		return verdict.Verdict{}, false // a parameter or a package variable: its owner is elsewhere
	}
	if isMethod && !contract.IsFresh(r.X, v, owner, methods) {
		return verdict.Verdict{}, false // made elsewhere: whoever made it may have arranged its release
	}
	var def ast.Node // the assignment of the call's result, when v is given others too
	if !isMethod {
		def = cur.Parent().Node()
	}
	switch contract.ReleaseStateOf(r.X, v, owner, methods, def) {
	case contract.Released, contract.Escaped:
		return verdict.Verdict{}, false
	}
	return found(verdict.ContractDropped{Starter: fn, Methods: methods, Wait: c.Wait(), Loop: c.Loop(), Object: v, Owner: owner, Method: isMethod, SendsOn: c.SendsOn})
}

// releaseReturnsEarlyVerdicts finds the release methods of the package's
// contracts that return an error before they release the goroutine: they
// return on a failure of something else (flushing a page, closing a
// listener), and a caller that calls Close once, as callers do, leaves the
// goroutine running. Returns on the object's own state (already closed,
// never started) are no such path: they test no error.
func releaseReturnsEarlyVerdicts(r *Input) []verdict.Verdict {
	starters := make([]*types.Func, 0, len(r.Contracts.ByStarter))
	for fn := range r.Contracts.ByStarter {
		starters = append(starters, fn)
	}
	slices.SortFunc(starters, func(a, b *types.Func) int { return cmp.Compare(a.Pos(), b.Pos()) })
	var out []verdict.Verdict
	seen := map[*ast.FuncDecl]bool{}
	for _, fn := range starters {
		c := r.Contracts.ByStarter[fn]
		if c.SendsOn != "" {
			continue // its methods release by receiving, which FirstRelease does not place
		}
		for _, decl := range c.MethodDecls(r.X) {
			if seen[decl] || !returnsError(r.X, decl) {
				continue
			}
			seen[decl] = true
			first := c.FirstRelease(r.X, decl)
			if first <= 0 {
				continue
			}
			if ret := errorReturnIn(r, decl.Body.List[:first]); ret != nil {
				out = append(out, verdict.Verdict{Pattern: pattern.UnguardedRecv, At: ret, Spawn: c.Start,
					Why: verdict.ReleaseReturnsEarly{Starter: fn, Methods: c.Methods, Wait: c.Wait(), Loop: c.Loop(),
						Method: decl, Release: decl.Body.List[first]}})
			}
		}
	}
	return out
}

// returnsError reports whether decl's last result is an error.
func returnsError(x *syntax.Index, decl *ast.FuncDecl) bool {
	fn, ok := x.Info.Defs[decl.Name].(*types.Func)
	return ok && syntax.ReturnsError(fn)
}

// errorReturnIn is the first return, in stmts but not in a function
// literal, that an if err != nil guards directly and that returns an error
// (its last result is not nil); nil when there is none. An error from a
// call that never fails (see flow.NilError) guards nothing.
func errorReturnIn(r *Input, stmts []ast.Stmt) *ast.ReturnStmt {
	var found *ast.ReturnStmt
	for i, stmt := range stmts {
		ast.Inspect(stmt, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.IfStmt:
				if !isErrCheck(r.X, n.Cond) {
					return true
				}
				var prev ast.Stmt
				if i > 0 && n == stmt {
					prev = stmts[i-1]
				}
				if call := errorSource(r.X, n, prev); call != nil {
					if fn := syntax.StaticCallee(r.X.Info, call); fn != nil && r.Sum.NeverFails(fn) {
						return true
					}
				}
				for _, s := range n.Body.List {
					if ret, ok := s.(*ast.ReturnStmt); ok && len(ret.Results) > 0 && !syntax.IsNilIdent(r.X.Info, ret.Results[len(ret.Results)-1]) {
						found = ret
					}
				}
			}
			return found == nil
		})
		if found != nil {
			return found
		}
	}
	return nil
}

// errorSource is the call whose error the if statement tests (err != nil):
// the call of its init (if err := f(); err != nil), the only value of err,
// or the call that the statement before it, prev, assigns to err. Nil when
// it is none of these.
func errorSource(x *syntax.Index, ifs *ast.IfStmt, prev ast.Stmt) *ast.CallExpr {
	b := ast.Unparen(ifs.Cond).(*ast.BinaryExpr)
	id, ok := ast.Unparen(b.X).(*ast.Ident)
	if !ok {
		id, ok = ast.Unparen(b.Y).(*ast.Ident)
	}
	if !ok {
		return nil
	}
	v, ok := x.Info.Uses[id].(*types.Var)
	if !ok {
		return nil
	}
	assigned := func(s ast.Stmt) *ast.CallExpr {
		as, ok := s.(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 {
			return nil
		}
		last, ok := as.Lhs[len(as.Lhs)-1].(*ast.Ident)
		if !ok || x.Info.ObjectOf(last) != v {
			return nil
		}
		call, _ := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		return call
	}
	if ifs.Init != nil {
		return assigned(ifs.Init)
	}
	if call, ok := x.SoleValue(v).(*ast.CallExpr); ok {
		return call
	}
	if prev != nil {
		return assigned(prev)
	}
	return nil
}

// goOnObjectVerdicts finds the functions that start a method of an object
// they make (n := newNode(); go n.run()) whose goroutine only a release
// method ends, and drop the object without calling one: a test that runs
// the node's loop itself and never stops it.
func goOnObjectVerdicts(r *Input) []verdict.Verdict {
	var out []verdict.Verdict
	for _, s := range r.Gs.List {
		if decl, ok := s.Parent.(*ast.FuncDecl); ok {
			if fn, ok := r.X.Info.Defs[decl.Name].(*types.Func); ok && r.Contracts.ByStarter[fn] != nil {
				continue // a starter: its callers are bound instead
			}
			if r.Gs.Life.RunsOnce(decl) {
				continue
			}
		}
		c, object := contract.GoOnObject(r.X, r.Sum, r.M, s)
		id, ok := object.(*ast.Ident)
		if c == nil || !ok {
			continue
		}
		v, ok := r.X.Info.Uses[id].(*types.Var)
		if !ok || v.IsField() {
			continue
		}
		vCur := r.X.CursorAt(v.Pos())
		if !vCur.Valid() {
			continue
		}
		owner := flow.PlaceAt(vCur).Owner
		body := syntax.BodyOf(owner)
		if body == nil || v.Pos() < body.Pos() || v.Pos() >= body.End() {
			continue // a parameter, a receiver or a package variable: its owner is elsewhere
		}
		if !contract.IsIdle(r.X, v, owner, c.Methods) || contract.ReleaseState(r.X, v, owner, c.Methods) != contract.Unreleased {
			continue
		}
		out = append(out, verdict.Verdict{Pattern: pattern.UnguardedRecv, At: s.Start,
			Why: verdict.ContractDropped{Starter: s.Callee, Methods: c.Methods, Wait: c.Wait(), Loop: c.Loop(), Object: v, Owner: owner, Method: true}})
	}
	return out
}
