package leak

import (
	"go/types"
)

// paramSummary is what a function of this package does with each of its
// parameters (chanParams, with the uses kept for reporting).
type paramSummary struct {
	ops     []paramOp
	hasChan bool
}

// paramSummary computes (once) the summary of a function declared in this
// package, or returns nil for functions declared elsewhere.
func (c *checker) paramSummary(fn *types.Func) *paramSummary {
	if s, ok := c.params[fn]; ok {
		return s
	}
	decl := c.decls[fn]
	if decl == nil {
		return nil
	}
	sig := fn.Type().(*types.Signature)
	s := &paramSummary{ops: make([]paramOp, sig.Params().Len())}
	for i := range s.ops {
		s.ops[i] = paramEscapes // the answer while it is being computed: recursion gives up
	}
	c.params[fn] = s
	for i := range s.ops {
		p := sig.Params().At(i)
		if !isChan(p.Type()) || sig.Variadic() && i == len(s.ops)-1 {
			s.ops[i] = 0
			continue
		}
		s.hasChan = true
		if p.Name() == "" || p.Name() == "_" {
			s.ops[i] = 0
			continue
		}
		s.ops[i] = c.opsOf(c.flowOf(p, decl.Body))
	}
	return s
}

// opsOf condenses a channel's flow into paramOp bits. A range that has a
// way out besides the channel's close counts as a plain receive.
func (c *checker) opsOf(f *chanFlow) paramOp {
	if f.escapes || f.defs > 0 || f.isNil {
		return paramEscapes
	}
	var ops paramOp
	for _, u := range f.uses {
		switch u.kind {
		case opRecv:
			ops |= paramRecv
			if !u.inSelect {
				ops |= paramBlockingRecv
			}
		case opRange:
			if c.rangeCanLeave(&u) {
				ops |= paramRecv | paramBlockingRecv
			} else {
				ops |= paramRecv | paramBlockingRange
			}
		case opSend:
			ops |= paramSend
			if !u.inSelect {
				ops |= paramBlockingSend
			}
		case opClose:
			ops |= paramClose
		}
	}
	return ops
}

// paramOps tells what fn does with its parameter i, from this package's
// summaries or from facts about other packages.
func (c *checker) paramOps(fn *types.Func, i int) (paramOp, bool) {
	if s := c.paramSummary(fn); s != nil {
		if i < len(s.ops) {
			return s.ops[i], true
		}
		return 0, false
	}
	var fact chanParams
	if fn.Pkg() == nil || !c.pass.ImportObjectFact(fn, &fact) || i >= len(fact.Ops) {
		return 0, false
	}
	return fact.Ops[i], true
}
