package syntax

import (
	"go/token"
	"go/types"
)

// contextInScope is the context the code at pos means by cancellation: of
// the local context variables visible there, the one declared last (a
// ctx derived by WithCancel, not its parent). Nil when there is none.
func ContextInScope(x *Index, pos token.Pos) *types.Var {
	var last *types.Var
	seen := map[string]bool{}
	for scope := x.Pkg.Scope().Innermost(pos); scope != nil && scope != x.Pkg.Scope(); scope = scope.Parent() {
		for _, name := range scope.Names() {
			v, ok := scope.Lookup(name).(*types.Var)
			if !ok || v.Pos() >= pos || seen[name] {
				continue
			}
			seen[name] = true // an outer variable of this name is shadowed
			if IsNamed(v.Type(), "context", "Context") && (last == nil || v.Pos() > last.Pos()) {
				last = v
			}
		}
	}
	return last
}
