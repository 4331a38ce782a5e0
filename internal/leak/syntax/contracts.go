package syntax

import (
	"go/types"
)

// isMethodOfNamed reports whether fn is a method of named (or of a
// pointer to it), generic instances included.
func IsMethodOfNamed(fn *types.Func, named *types.Named) bool {
	sig := fn.Type().(*types.Signature)
	if sig.Recv() == nil {
		return false
	}
	n, ok := types.Unalias(DerefType(sig.Recv().Type())).(*types.Named)
	return ok && n.Origin() == named.Origin()
}

func DerefType(t types.Type) types.Type {
	if p, ok := t.(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}
