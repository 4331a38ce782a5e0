package fix

import (
	"go/ast"
	"go/types"

	"github.com/goroutineleak/goroutineleak/internal/leak/rule"
	"github.com/goroutineleak/goroutineleak/internal/leak/syntax"
	"github.com/goroutineleak/goroutineleak/internal/leak/verdict"
)

// calleeCloseFix closes, on its return, the channel that a goroutine's
// function is given and never uses, when the only thing done with the
// channel besides is waiting for it (the grpc #1424 shape: go
// cc.lbWatcher(doneChan); <-doneChan). Offered when the channel is made
// once, nothing sends to or closes it, every receive is one a close wakes
// without a value taken for one sent, the go statement runs once for it,
// and the function is unexported, takes the channel as a parameter it
// never mentions, and is called nowhere else: `defer close(p)` at its
// top then closes only this channel, once.
func calleeCloseFix(r *rule.Input, uo useOf) *verdict.Fix {
	f := uo.local.Flow
	if f.Escapes || f.Defs != 1 || f.Made == nil {
		return nil
	}
	for i := range f.Uses {
		if !f.Uses[i].Kind.Receives() || !closeSafeReceive(r.X, &f.Uses[i]) {
			return nil
		}
	}
	var target *ast.FuncDecl
	var param *types.Var
	for _, s := range r.Gs.List {
		if s.Lit != nil || s.Callee == nil || s.Call == nil {
			continue
		}
		for i, arg := range s.Call.Args {
			if syntax.ObjectOf(r.X, arg) != f.V {
				continue
			}
			decl := r.X.Decls[s.Callee]
			if target != nil || decl == nil || s.Parent != uo.local.Owner || s.Callee.Exported() || rule.Instances(r, s, f.V) != 1 || !calledOnce(r.X, s.Callee) {
				return nil
			}
			params := s.Callee.Signature().Params()
			if i >= params.Len() || s.Callee.Signature().Variadic() && i >= params.Len()-1 || len(r.X.Mentions(decl, params.At(i))) > 1 {
				return nil // it uses the channel (the mention is its declaration)
			}
			target, param = decl, params.At(i)
		}
	}
	if target == nil || param.Name() == "" || param.Name() == "_" {
		return nil
	}
	e := &editor{}
	e.insert(target.Body.Lbrace+1, "\ndefer close("+param.Name()+")")
	return e.fix(verdict.FixDeferClose, param.Name(), "")
}

// calledOnce reports whether fn is mentioned in the package only once (by
// the call that runs it) and, for a method, no interface of the package
// has a method of its name (a call through one would not mention it).
func calledOnce(x *syntax.Index, fn *types.Func) bool {
	if len(x.UsesOf(fn)) != 1 {
		return false
	}
	if fn.Signature().Recv() == nil {
		return true
	}
	scope := x.Pkg.Scope()
	for _, name := range scope.Names() {
		if tn, ok := scope.Lookup(name).(*types.TypeName); ok && types.IsInterface(tn.Type()) {
			if obj, _, _ := types.LookupFieldOrMethod(tn.Type(), false, x.Pkg, fn.Name()); obj != nil {
				return false
			}
		}
	}
	return true
}
